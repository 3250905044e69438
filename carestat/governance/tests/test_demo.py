"""Demoshire's governance loads through the services and the import path, and tells its story."""

import datetime as dt

import pytest

from carestat.core.models import AuditEntry, User
from carestat.governance.models import (
    Board,
    Decision,
    ExtensionStatus,
    Meeting,
    MeetingStatus,
    Recommendation,
    RecStatus,
)
from carestat.governance.progress import counts, linked_actions


@pytest.fixture
def demo(story_day, db, settings):
    from carestat.core import demo as core_demo
    from carestat.governance import demo as governance_demo
    from carestat.plans import demo as plans_demo
    from carestat.reports import demo as reports_demo

    org = core_demo.load(None, lambda msg: None)
    org = plans_demo.load(org, lambda msg: None)
    org = reports_demo.load(org, lambda msg: None)
    governance_demo.load(org, lambda msg: None)
    return {"org": org}


def test_the_demo_has_four_boards_meeting_over_the_last_quarters_with_approved_minutes(demo):
    org = demo["org"]
    assert sorted(Board.objects.filter(organisation=org).values_list("kind", flat=True)) == [
        "care_quality", "finance_performance", "scrutiny", "smt"]
    held = Meeting.objects.filter(organisation=org, date__lte=dt.date(2026, 12, 4))
    assert held.count() == 3 * 6 + 3 + 1  # three monthly boards June to November (and SMT on 1 December), scrutiny x3
    assert held.filter(status=MeetingStatus.MINUTES_APPROVED).count() >= 18
    assert Meeting.objects.filter(organisation=org, date__gt=dt.date(2026, 12, 4), status="scheduled").exists()


def test_the_scrutiny_resolutions_are_tracked_and_answered_at_the_next_meeting(demo):
    org = demo["org"]
    r1 = Recommendation.objects.get(organisation=org, reference="2026/11-1")
    r2 = Recommendation.objects.get(organisation=org, reference="2026/11-2")
    assert r1.decision.kind == "resolution" and "backlog figures" in r1.decision.text
    assert r1.status == RecStatus.IMPLEMENTED and "24 November 2026" in r1.evidence
    assert "next 100 days" in r2.text and r2.answer_meeting.date == dt.date(2027, 1, 19)
    assert Decision.objects.filter(organisation=org, kind="resolution").count() == 2
    january = r2.answer_meeting
    assert [(i.title, bool(i.report_id)) for i in january.items.all()] == [
        ("Adult social care improvement programme: quarter 2", True),
        ("The next 100 days of the improvement programme", False)]
    assert january.board.forward_plan.get(title__startswith="The next 100 days").status == "scheduled"


def test_the_january_public_pack_carries_the_public_q2_report_and_leaves_out_exempt_business(demo, client):
    from carestat.reports.tests.helpers import pdf_text

    org = demo["org"]
    client.force_login(User.objects.get(username="jane.ellis@demoshire.example"))
    november = Meeting.objects.get(organisation=org, board__kind="scrutiny", date=dt.date(2026, 11, 17))
    page = client.get(f"/o/demoshire/governance/meetings/{november.pk}/public-pack/").content.decode()
    assert "be shared with all members of the committee" in page and "Home care recommissioning" not in page
    january = Meeting.objects.get(organisation=org, board__kind="scrutiny", date=dt.date(2027, 1, 19))
    text = pdf_text(client.get(f"/o/demoshire/governance/meetings/{january.pk}/public-pack.pdf").content)
    assert "Adult Social Care Improvement Programme 2024 to 2027: performance report" in text
    assert "(public version)" in text and "fewer than 5" in text


def test_the_auditors_recommendations_are_linked_to_the_governance_framework_actions_and_one_was_extended(demo):
    org = demo["org"]
    r1, r2, r3 = (Recommendation.objects.get(organisation=org, reference=r) for r in ("R1", "R2", "R3"))
    assert [x.action.title for x in linked_actions(r1)] == [
        "Publish a milestone plan for each service",
        "Monitor delivery against milestones each month at the senior management team"]
    assert all(x.action.plan.kind == "governance" for x in linked_actions(r2))
    ext = r2.extensions.get()
    assert (ext.status, ext.old_due_date, r2.due_date) == (ExtensionStatus.APPROVED, dt.date(2025, 9, 30),
                                                           dt.date(2026, 12, 31))
    assert ext.decided_by == User.objects.get(username="priya.shah@demoshire.example")
    assert r3.status == RecStatus.CLOSED and r3.evidence
    assert AuditEntry.objects.filter(action="governance.recommendations.imported").count() == 1
    c = counts(org, dt.date(2026, 12, 4))
    assert (c.by_source["external_auditor"].live, c.by_source["external_auditor"].closed,
            c.by_source["external_auditor"].extended) == (2, 1, 1)
    assert c.by_source["internal_audit"].overdue == 1
