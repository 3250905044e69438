"""The service navigation keeps to the daily work; the settings and records that shape the
organisation are links on one Organisation page, each shown to those who may open it."""

import re

import pytest
from django.urls import resolve, reverse

from carestat.core.views.organisation import GROUPS


def _nav(html: str) -> list[str]:
    nav = html.split('class="govuk-service-navigation', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'class="govuk-service-navigation__link"[^>]*>(.*?)</a>', nav, re.S)
    return [re.sub(r"<[^>]+>", "", t).strip() for t in links]


@pytest.mark.parametrize("role", ["admin", "manager", "contributor", "viewer", "auditor"])
def test_the_navigation_names_no_admin_page_and_offers_organisation_to_those_with_settings(client, cast, role):
    client.force_login(cast[role])
    nav = _nav(client.get("/o/demoshire/").content.decode())
    assert nav[:5] == ["Home", "Plans", "Measures", "Case data", "Reports"]
    assert not {"Members", "Units", "Periods", "Audit trail"} & set(nav)
    assert ("Organisation" in nav) == (role in ("admin", "manager", "auditor"))
    assert len(nav) <= 12


def test_the_organisation_page_lists_every_admin_link_grouped_by_purpose_for_an_admin(client, cast):
    client.force_login(cast["admin"])
    html = client.get("/o/demoshire/organisation/").content.decode()
    headings = re.findall(r'<h2 class="govuk-heading-m">(.*?)</h2>', html)
    assert headings == [heading for heading, _ in GROUPS]
    hrefs = re.findall(r'<a class="govuk-link" href="(/o/demoshire/[^"]+)"', html.split("<main", 1)[1])
    for path in ("members/", "units/", "periods/", "bodies/", "plans/rules/", "reports/word-template/",
                 "reports/remits/", "reports/rules/", "finance/settings/", "commissioning/settings/",
                 "risks/settings/", "audit/", "framework/"):
        assert f"/o/demoshire/{path}" in hrefs


def test_each_link_on_the_organisation_page_opens_for_the_person_shown_it(client, cast):
    for role in ("admin", "manager", "contributor", "viewer", "auditor"):
        client.force_login(cast[role])
        html = client.get("/o/demoshire/organisation/").content.decode().split("<main", 1)[1]
        for href in re.findall(r'<dt class="govuk-summary-list__key">\s*<a class="govuk-link" href="([^"]+)"', html):
            assert client.get(href).status_code == 200, (role, href)


def test_a_viewer_is_shown_what_they_may_read_and_not_the_admin_pages(client, cast):
    client.force_login(cast["viewer"])
    html = client.get("/o/demoshire/organisation/").content.decode()
    assert "Reporting periods" in html and "Names of your bodies" in html
    assert "Members and roles" not in html and "Audit trail" not in html and "Ledger columns" not in html


def test_every_link_named_on_the_organisation_page_is_a_working_address():
    for _, links in GROUPS:
        for name, *_ in links:
            assert resolve(reverse(name, args=["demoshire"])).url_name == name.split(":")[1]
