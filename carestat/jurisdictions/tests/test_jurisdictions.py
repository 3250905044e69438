"""Bodies' names and national frameworks: services, reports, API, command line and pages."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from carestat.core.errors import InvalidInput, NotAllowed
from carestat.core.models import AuditEntry, ReportingPeriod
from carestat.governance.contributions import source_labels
from carestat.jurisdictions import selectors, services
from carestat.measures import services as measures
from carestat.reports import services as reports
from conftest import access_for

ENGLISH_SNAPSHOT_KEYS = {"version", "title", "organisation", "scope", "period", "as_of", "built_at",
                         "main_messages", "summary", "exceptions", "sections", "measures", "unlinked_measure_ids",
                         "forecasts", "domains", "data_quality", "archived_reasons", "date_changes", "changes"}


def _q2(org):
    import datetime as dt

    from carestat.plans.tests.builders import quarter

    return quarter(org, "2026-27-Q2", dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_an_organisation_left_as_it_was_uses_the_english_names(demoshire):
    assert selectors.custom_terms(demoshire) == {}
    assert selectors.terms_for(demoshire)["external_auditor"] == "External auditor"


def test_an_admin_names_the_islands_bodies_and_the_change_is_recorded_in_words(westmarch, outsider):
    access = access_for(outsider, westmarch)
    services.set_body_names(access, council="States Assembly", executive_member="Minister",
                            external_auditor="Comptroller and Auditor General",
                            public_accounts="Public Accounts Committee")
    terms = selectors.terms_for(westmarch)
    assert (terms["council"], terms["executive_member"], terms["scrutiny"]) == (
        "States Assembly", "Minister", "Scrutiny committee")
    entry = AuditEntry.objects.filter(action="jurisdictions.bodies.changed").get()
    assert "external auditor is now called ‘Comptroller and Auditor General’" in entry.message
    # naming a body by its default clears it; repeating a name changes nothing
    services.set_body_names(access, executive_member="Cabinet member", council="States Assembly")
    assert "executive_member" not in selectors.custom_terms(westmarch)
    assert AuditEntry.objects.filter(action="jurisdictions.bodies.changed").count() == 2


def test_only_an_admin_renames_bodies_and_an_unknown_body_is_refused(demoshire, manager, admin):
    with pytest.raises(NotAllowed):
        services.set_body_names(access_for(manager, demoshire), council="County Council")
    with pytest.raises(InvalidInput, match="‘mayor’ is not a body"):
        services.set_body_names(access_for(admin, demoshire), mayor="Mayor")


def test_the_recommendations_tracker_names_the_islands_auditor_and_leaves_englands_as_it_was(
        westmarch, outsider, demoshire):
    services.set_body_names(access_for(outsider, westmarch), external_auditor="Comptroller and Auditor General",
                            scrutiny="Scrutiny Panel")
    assert source_labels(westmarch)["external_auditor"] == "Comptroller and Auditor General"
    assert source_labels(westmarch)["scrutiny"] == "Scrutiny Panel resolution"
    assert source_labels(demoshire)["external_auditor"] == "External auditor"
    assert source_labels(demoshire)["scrutiny"] == "Scrutiny resolution"


def test_an_english_organisations_report_snapshot_keeps_its_shape(demoshire, admin, manager):
    _q2(demoshire)
    m = measures.adopt_measure(access_for(admin, demoshire), "CIN-ASSESS-45WD")
    measures.enter_value(access_for(manager, demoshire), m, period="2026-27-Q2", numerator=80, denominator=100)
    report = reports.create_report(access_for(manager, demoshire), period=ReportingPeriod.objects.get(),
                                   scope="organisation")
    assert set(report.snapshot) == ENGLISH_SNAPSHOT_KEYS
    [entry] = report.snapshot["measures"]
    assert entry["national_source"].startswith("derived from DfE Children in need 2025")


def test_a_welsh_report_groups_measures_by_quality_standard_with_welsh_values_and_sources(
        glanmor, glanmor_admin):
    _q2(glanmor)
    access = access_for(glanmor_admin, glanmor)
    for code, (n, d) in {"WAL-PM24": (45, 50), "WAL-PM20A": (30, 60), "WAL-PM27": (3, 40)}.items():
        m = measures.adopt_measure(access, code)
        measures.enter_value(access, m, period="2026-27-Q2", numerator=n, denominator=d)
    measures.add_local_measure(access, code="GL-LOCAL", title="Glanmor's own", domain="children", unit="count",
                               polarity="neither")
    report = reports.create_report(access, period=ReportingPeriod.objects.get(), scope="organisation")
    groups = report.snapshot["framework"]["groups"]
    by_code = {m["id"]: m["code"] for m in report.snapshot["measures"]}
    assert [(g["title"][:18], [by_code[i] for i in g["measure_ids"]]) for g in groups] == [
        ("Quality standard 1", ["WAL-PM20A", "WAL-PM24"]),
        ("Quality standard 3", ["WAL-PM27"]),
        ("Local measures", ["GL-LOCAL"]),
    ]
    pm24 = next(m for m in report.snapshot["measures"] if m["code"] == "WAL-PM24")
    assert pm24["national"] == "88.9%"
    assert pm24["national_source"].startswith("StatsWales, Quantitative social services performance measures")
    from carestat.reports.render import view

    shown = view(report.snapshot)
    titles = [s["title"] for s in shown["sections"]]
    assert titles[0].startswith("Quality standard 1: working with people to define and co-produce")
    assert "Other measures" not in titles
    pm24_shown = next(m for s in shown["sections"] for m in s["measures"] if m["code"] == "WAL-PM24")
    assert pm24_shown["source_url"].startswith("https://statswales.gov.wales/")


def test_the_api_and_command_line_name_the_bodies_and_offer_the_jurisdictions_measures(
        client, glanmor, glanmor_admin, capsys):
    client.force_login(glanmor_admin)
    r = client.put("/api/v1/organisations/glanmor/bodies", json.dumps({"executive": "Cabinet of Glanmor"}),
                   content_type="application/json")
    assert r.status_code == 200
    assert {b["key"]: b["name"] for b in r.json()}["executive"] == "Cabinet of Glanmor"
    codes = {c["code"] for c in client.get("/api/v1/organisations/glanmor/measure-catalogue").json()}
    assert "WAL-PM24" in codes and "CIN-ASSESS-45WD" not in codes
    every = {c["code"] for c in client.get("/api/v1/organisations/glanmor/measure-catalogue?all=true").json()}
    assert "CIN-ASSESS-45WD" in every
    call_command("jurisdictions", "catalogue", "--org", "glanmor", "--json")
    assert "WAL-PM33" in {c["code"] for c in json.loads(capsys.readouterr().out)}
    call_command("jurisdictions", "bodies", "--org", "glanmor", "--set", "council=Glanmor Council", "--json")
    assert {b["key"]: b["name"] for b in json.loads(capsys.readouterr().out)}["council"] == "Glanmor Council"


def test_a_welsh_councils_pages_offer_welsh_measures_grouped_by_quality_standard(client, glanmor, glanmor_admin):
    client.force_login(glanmor_admin)
    page = client.get("/o/glanmor/framework/").content.decode()
    assert "Quality standard 3: protecting and safeguarding people from abuse, neglect or harm" in page
    assert "WAL-PM18" in page and "CIN-ASSESS-45WD" not in page
    add = client.get("/o/glanmor/measures/add/").content.decode()
    assert "WAL-PM24" in add and "CIN-ASSESS-45WD" not in add
    assert "CIN-ASSESS-45WD" in client.get("/o/glanmor/measures/add/?all=1").content.decode()


def test_an_english_councils_adopt_page_does_not_offer_welsh_measures(client, demoshire, admin):
    client.force_login(admin)
    add = client.get("/o/demoshire/measures/add/").content.decode()
    assert "CIN-ASSESS-45WD" in add and "WAL-PM24" not in add
