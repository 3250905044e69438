import datetime as dt

import pytest
from django.utils import timezone

from carestat.analytics.periods import quarter_of
from carestat.core.access import Access
from carestat.core.contributions import home_tiles, section_view
from carestat.core.models import Membership
from carestat.governance import services
from carestat.governance.tests.builders import small_governance
from carestat.plans.tests.builders import quarter
from carestat.reports import services as reports
from carestat.reports.render import view
from conftest import access_for


@pytest.fixture
def world(demoshire, admin, contributor, today):
    today("2026-11-20")
    w = small_governance(demoshire, admin, contributor)
    a = access_for(admin, demoshire)
    today = timezone.localdate()
    q = quarter_of(today)
    w["period"] = quarter(demoshire, q.label, q.start, q.end)
    late = services.create_recommendation(
        a, source="scrutiny", source_document="Scrutiny minutes", reference="S1", raised_on=q.start,
        due_date=today - dt.timedelta(days=1), text="Share backlog figures",
        owner=contributor)
    services.link_action(a, late, w["action"])
    done = services.create_recommendation(
        a, source="internal_audit", source_document="IA 2026/07", reference="IA1", raised_on=q.start,
        due_date=q.end, text="Reconcile care packages")
    services.link_action(a, done, w["action"])
    services.change_status(a, done, status="implemented", reason="Reconciled", on=today)
    w["late"], w["done"] = late, done
    services.schedule_meeting(a, w["board"], date=today + dt.timedelta(days=10))
    return w


def test_the_plan_reports_section_counts_by_source_lists_overdue_implemented_and_next_meetings(world, demoshire,
                                                                                                manager):
    report = reports.create_report(access_for(manager, demoshire), period=world["period"], scope="plan",
                                   plan=world["plan"])
    report = reports.approve_report(access_for(manager, demoshire), report)
    [section] = [s for s in report.snapshot["domains"] if s["key"] == "governance"]
    by_source, overdue, since, meetings = section["tables"]
    assert section["paragraphs"] == ["As at 20 November 2026, 2 recommendations are open or in progress, of which "
                                     "1 is overdue; 1 was implemented in 2026-27-Q3."]
    assert by_source["rows"][-1] == ["Total", 2, 1, 1, 0]
    assert ["Internal audit", 0, 0, 1, 0] in by_source["rows"]
    assert since["rows"][0][:2] == ["IA1", "Internal audit"]
    assert meetings["rows"][0][0] == "Health and Adult Social Care Scrutiny Committee"
    assert overdue["rows"][0] == ["S1", "Scrutiny resolution", "Share backlog figures", "19 November 2026", 1,
                                  "Tom Okafor"]
    public = section_view(section, public=True)
    assert public["tables"][1]["rows"][0][5] == "Named in the full report"
    assert "Tom Okafor" not in str(view(report.snapshot, public=True)["domains"])


def test_home_tiles_count_open_and_overdue_recommendations_and_the_next_meeting(world, demoshire, viewer):
    m = Membership.objects.get(user=viewer, organisation=demoshire)
    tiles = {t.title: t for t in home_tiles(Access(viewer, demoshire, m), world["period"])}
    live = tiles["Open recommendations"]
    assert live.value == "2"
    assert tiles["Next meeting"].detail == "Health and Adult Social Care Scrutiny Committee"


def test_an_organisation_with_no_recommendations_or_meetings_gets_no_governance_tiles(demoshire, viewer):
    m = Membership.objects.get(user=viewer, organisation=demoshire)
    assert [t for t in home_tiles(Access(viewer, demoshire, m), None) if "recommendation" in t.title.lower()
            or t.title == "Next meeting"] == []
