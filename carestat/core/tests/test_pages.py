from unittest import mock

import pytest
from django.db import OperationalError

from carestat.core.models import Membership, Unit


def test_health_check_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_check_answers_503_when_the_database_does_not(client, db):
    with mock.patch("carestat.core.views.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_pages_carry_a_content_security_policy_with_a_nonce_used_by_the_page(client, viewer):
    client.force_login(viewer)
    response = client.get("/o/demoshire/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_header_names_the_service_and_the_persons_organisation_without_a_crown(client, viewer):
    client.force_login(viewer)
    page = client.get("/o/demoshire/").content.decode()
    assert "CareStat" in page and "Demoshire County Council" in page
    assert "govuk-logo" not in page and "crown" not in page.lower()


def test_sign_in_with_a_wrong_password_says_so_and_does_not_sign_in(client, viewer):
    response = client.post("/sign-in/", {"email": viewer.email, "password": "nope-nope-nope"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "The email address or password is not right" in page
    assert "_auth_user_id" not in client.session


def test_sign_in_with_nothing_entered_names_both_fields(client, db):
    page = client.post("/sign-in/", {"email": "", "password": ""}).content.decode()
    assert 'href="#id_email"' in page and "Enter your email address" in page
    assert 'href="#id_password"' in page and "Enter your password" in page
    assert page.count("<title>Error: Sign in") == 1


def test_repeated_failed_sign_ins_lock_the_account_even_with_the_right_password(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"email": viewer.email, "password": "wrong-password-xx"})
    response = client.post("/sign-in/", {"email": viewer.email, "password": "correct-horse-battery-staple"})
    assert response.status_code == 429
    assert "too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_does_not_redirect_to_another_site(client, viewer):
    response = client.post("/sign-in/?next=https://evil.example/",
                           {"email": viewer.email, "password": "correct-horse-battery-staple"})
    assert response["Location"] == "/"


def test_sign_out_needs_a_post(client, viewer):
    client.force_login(viewer)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_person_with_one_organisation_lands_on_its_home(client, viewer):
    client.force_login(viewer)
    assert client.get("/")["Location"] == "/o/demoshire/"


def test_an_admins_home_lists_units_members_and_recent_changes_and_a_viewers_does_not(client, admin, viewer):
    client.force_login(admin)
    client.post("/o/demoshire/units/", {"name": "Adults' Services", "kind": "directorate"})
    page = client.get("/o/demoshire/").content.decode()
    assert "Administration" in page and "Adults&#39; Services" in page
    assert "Jane Ellis" in page and "Helen Morgan" in page
    assert "Helen Morgan added directorate" in page
    client.force_login(viewer)
    page = client.get("/o/demoshire/").content.decode()
    assert "Administration" not in page and "Helen Morgan added directorate" not in page


def test_adding_a_unit_with_nonsense_names_the_fields_and_saves_nothing(client, admin):
    client.force_login(admin)
    page = client.post("/o/demoshire/units/", {"name": "  ", "kind": "galaxy"}).content.decode()
    assert "Enter the unit&#39;s name" in page
    assert "Select a valid choice" in page
    assert not Unit.objects.exists()


def test_adding_a_team_without_a_parent_explains_the_rule(client, admin):
    client.force_login(admin)
    page = client.post("/o/demoshire/units/", {"name": "OT", "kind": "team"}).content.decode()
    assert "A team must sit within another unit" in page and 'href="#id_parent"' in page
    assert not Unit.objects.exists()


def test_a_forged_unit_id_from_another_council_is_refused(client, admin, outsider, westmarch):
    other = Unit.objects.create(organisation=westmarch, name="Theirs", kind="directorate")
    client.force_login(admin)
    page = client.post("/o/demoshire/units/", {"name": "OT", "kind": "team", "parent": str(other.pk)}).content.decode()
    assert "Select a valid choice" in page
    assert not Unit.objects.filter(name="OT").exists()


def test_an_admin_adds_a_new_member_and_sees_their_one_time_password_once(client, admin):
    client.force_login(admin)
    page = client.post("/o/demoshire/members/", {"email": "new.person@demoshire.example",
                                                 "full_name": "New Person", "role": "contributor"}).content.decode()
    assert 'id="one-time-password"' in page
    assert Membership.objects.filter(user__username="new.person@demoshire.example", role="contributor").exists()
    assert 'id="one-time-password"' not in client.get("/o/demoshire/members/").content.decode()


def test_creating_an_api_token_shows_it_once(client, viewer):
    client.force_login(viewer)
    page = client.post("/account/api-tokens/", {"name": "Power BI"}).content.decode()
    token = page.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("cst_")
    assert token not in client.get("/account/api-tokens/").content.decode()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["email"] == viewer.email


@pytest.mark.parametrize("path", ["/o/demoshire/", "/o/demoshire/periods/"])
def test_pages_work_without_javascript_forms_post_normally(client, admin, path):
    client.force_login(admin)
    page = client.get(path).content.decode()
    assert "<noscript" not in page  # nothing hides behind scripts
    for form in page.split("<form")[1:]:
        tag = form.split(">")[0]
        # Changes post; the header's search box asks with a GET, as a search does.
        assert 'method="post"' in tag or "method" not in tag or ('method="get"' in tag and 'role="search"' in tag)


@pytest.mark.parametrize("path", ["/o/demoshire/members/", "/o/demoshire/units/",
                                  "/account/api-tokens/"])
def test_a_form_sent_with_nothing_in_it_shows_its_errors(client, admin, path):
    client.force_login(admin)
    response = client.post(path, {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "There is a problem" in page


def test_every_data_table_in_a_page_template_sits_in_a_scroll_container():
    """WCAG 1.4.10: a wide table scrolls inside its container and the page reflows at 320 px. The
    report body is left out: it is also laid out on paper (PDF and Word), where it breaks by rows."""
    import re
    from pathlib import Path

    import carestat

    root = Path(carestat.__file__).parent
    unwrapped = []
    for path in sorted(root.glob("**/*.html")):
        if path.name in {"_body.html", "print.html"} or "static" in path.parts:
            continue
        text = path.read_text()
        for table in re.finditer(r"<table\b", text):
            opening = text.rfind("<div", 0, table.start())
            tag = text[opening:table.start()].split(">")[0] if opening >= 0 else ""
            # Focusable, so a keyboard can scroll it (axe: scrollable-region-focusable).
            if "app-table-scroll" not in tag or 'tabindex="0"' not in tag:
                unwrapped.append(f"{path.relative_to(root)}:{text.count(chr(10), 0, table.start()) + 1}")
    assert not unwrapped, f"wrap these tables in <div class=\"app-table-scroll\" tabindex=\"0\">: {unwrapped}"


def recent_changes_links(page: str) -> list[str]:
    """The addresses the admin home page's Recent changes list links to."""
    import html
    import re

    section = page.split('Recent changes</h3>', 1)[1].split("</section>", 1)[0]
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', section)]


def test_every_link_in_recent_changes_opens_including_a_reporting_periods(client, admin, admin_access, demoshire):
    import datetime as dt

    from carestat.core import services
    from carestat.core.models import ReportingPeriod

    period = ReportingPeriod.objects.create(organisation=demoshire, identifier="2024-25-Q2", kind="quarter",
                                            start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 30))
    services.close_period(admin_access, period)
    services.reopen_period(admin_access, period, "Late update from the OT team")
    services.ensure_year_periods(demoshire, "2025-26", actor=admin)
    client.force_login(admin)
    client.post("/o/demoshire/units/", {"name": "Adults' Services", "kind": "directorate"})
    page = client.get("/o/demoshire/").content.decode()
    assert "Helen Morgan reopened reporting period 2024-25-Q2" in page
    links = recent_changes_links(page)
    assert f"/o/demoshire/history/reportingperiod/{period.pk}/" in links and len(links) >= 3
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert "History" in response.content.decode()
