import datetime as dt

import pytest
from django.utils import timezone

from carestat.core.errors import Conflict, InvalidInput, NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry
from carestat.governance import services
from carestat.governance.models import (
    ExtensionStatus,
    MeetingStatus,
    Recommendation,
    RecStatus,
    StatusChange,
)
from carestat.governance.progress import counts, linked_actions, overall, tracker
from carestat.governance.tests.builders import reopened_report, small_governance
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for


@pytest.fixture
def world(demoshire, admin, contributor):
    return small_governance(demoshire, admin, contributor)


def test_a_recommendation_raised_from_a_decision_is_answered_extended_and_closed_with_evidence(
        world, demoshire, admin, manager, contributor):
    a, m, owner = access_for(admin, demoshire), access_for(manager, demoshire), access_for(contributor, demoshire)
    today = timezone.localdate()
    rec = services.create_recommendation(
        a, source="scrutiny", source_document="Scrutiny committee minutes", reference="S1",
        raised_on=world["meeting"].date, text="Share backlog figures with all members", due_date=today,
        owner=contributor, board=world["board"], decision=world["decision"])
    assert rec.decision == world["decision"]
    services.link_action(a, rec, world["action"])
    ext = services.request_extension(owner, rec, new_due_date=today + dt.timedelta(days=30), reason="Data not ready")
    services.decide_extension(m, ext, approve=True, note="Agreed at the committee", meeting=world["meeting"])
    rec.refresh_from_db()
    ext.refresh_from_db()
    assert rec.due_date == today + dt.timedelta(days=30)
    assert (ext.status, ext.old_due_date) == (ExtensionStatus.APPROVED, today)
    services.change_status(owner, rec, status="in_progress", reason="Figures being prepared")
    services.change_status(owner, rec, status="implemented", reason="Figures sent to all members",
                           evidence="Email to members, 3 December")
    services.change_status(m, rec, status="closed", reason="Verified by the clerk")
    rec.refresh_from_db()
    assert rec.status == RecStatus.CLOSED and rec.closed_on == today
    assert [c.new_status for c in StatusChange.objects.filter(recommendation=rec)] == [
        "in_progress", "implemented", "closed"]
    actions = set(AuditEntry.objects.filter(record_type="recommendation", record_id=str(rec.pk))
                  .values_list("action", flat=True))
    assert {"governance.recommendation.created", "governance.recommendation.linked", "governance.extension.requested",
            "governance.extension.approved", "governance.recommendation.status"} <= actions


def test_a_due_date_before_the_recommendation_was_made_is_refused_and_nothing_stored(world, demoshire, admin):
    with pytest.raises(InvalidInput) as exc:
        services.create_recommendation(
            access_for(admin, demoshire), source="internal_audit", source_document="Internal audit 2026/07",
            reference="1", raised_on=dt.date(2026, 5, 1), due_date=dt.date(2026, 4, 30), text="Do it")
    assert exc.value.field == "due_date" and "before the recommendation was made" in exc.value.message
    assert not Recommendation.objects.filter(reference="1").exists()


def test_closing_without_evidence_is_refused_and_the_status_stays(world, demoshire, admin):
    a, rec = access_for(admin, demoshire), world["rec"]
    services.change_status(a, rec, status="implemented", reason="Milestone plans published")
    with pytest.raises(InvalidInput) as exc:
        services.change_status(a, rec, status="closed", reason="Done", evidence="  ")
    assert exc.value.field == "evidence"
    rec.refresh_from_db()
    assert rec.status == RecStatus.IMPLEMENTED
    assert StatusChange.objects.filter(recommendation=rec).count() == 1


def test_closing_straight_from_open_is_refused(world, demoshire, admin):
    with pytest.raises(InvalidInput, match="mark it implemented first"):
        services.change_status(access_for(admin, demoshire), world["rec"], status="closed", reason="Done",
                               evidence="Report")


def test_an_extension_approved_by_someone_without_the_role_is_refused(world, demoshire, admin, contributor, viewer):
    ext = services.request_extension(access_for(admin, demoshire), world["rec"],
                                     new_due_date=world["rec"].due_date + dt.timedelta(days=10), reason="Supplier late")
    for who in (contributor, viewer):
        with pytest.raises(NotAllowed):
            services.decide_extension(access_for(who, demoshire), ext, approve=True)
    with pytest.raises(NotAllowed, match="other than the person who asked"):
        services.decide_extension(access_for(admin, demoshire), ext, approve=True)
    ext.refresh_from_db()
    world["rec"].refresh_from_db()
    assert ext.status == ExtensionStatus.REQUESTED
    assert world["rec"].due_date == ext.old_due_date


def test_a_contributor_moves_only_the_recommendations_they_own(world, demoshire, admin, contributor, manager):
    rec = world["rec"]
    services.change_status(access_for(contributor, demoshire), rec, status="in_progress", reason="Started")
    other = services.create_recommendation(
        access_for(admin, demoshire), source="cqc", source_document="CQC assessment", reference="2",
        raised_on=dt.date(2026, 1, 1), due_date=dt.date(2027, 1, 1), text="Improve waiting times", owner=manager)
    with pytest.raises(NotAllowed):
        services.change_status(access_for(contributor, demoshire), other, status="in_progress", reason="Started")


def test_linking_another_organisations_action_or_report_is_refused(world, demoshire, westmarch, admin, outsider):
    theirs = small_plan(westmarch, outsider, outsider)
    with pytest.raises(InvalidInput, match="another organisation"):
        services.link_action(access_for(admin, demoshire), world["rec"], theirs["action"])
    with pytest.raises(InvalidInput, match="another organisation"):
        services.add_agenda_item(access_for(admin, demoshire), world["meeting"], title="Their plan",
                                 plan=theirs["plan"])
    assert world["rec"].actions.count() == 1


def test_a_status_change_dated_in_a_closed_quarter_is_refused(world, demoshire, admin):
    rec = world["rec"]
    day = rec.raised_on + dt.timedelta(days=5)
    quarter(demoshire, "1999-Q", day - dt.timedelta(days=3), day + dt.timedelta(days=3), status="closed")
    with pytest.raises(PeriodClosed):
        services.change_status(access_for(admin, demoshire), rec, status="in_progress", reason="Started", on=day)
    rec.refresh_from_db()
    assert rec.status == RecStatus.OPEN


def test_approved_minutes_freeze_the_meeting(world, demoshire, admin):
    a, meeting = access_for(admin, demoshire), world["meeting"]
    with pytest.raises(Conflict, match="has been held"):
        services.approve_minutes(a, meeting)
    meeting = services.update_meeting(a, meeting, date=meeting.date, location="Council Chamber", status="held")
    services.record_attendance(a, meeting, {world["chair"]: "present", world["member"]: "apologies"})
    services.record_minutes(a, world["item"], minutes="The committee discussed the backlog.")
    meeting = services.approve_minutes(a, meeting)
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    with pytest.raises(Conflict, match="minutes .* are approved"):
        services.record_decision(a, meeting, text="Something else")
    with pytest.raises(Conflict):
        services.record_minutes(a, world["item"], minutes="Rewritten")


def test_a_meeting_in_the_future_cannot_be_marked_held(world, demoshire, admin):
    a = access_for(admin, demoshire)
    m = services.schedule_meeting(a, world["board"], date=timezone.localdate() + dt.timedelta(days=7))
    with pytest.raises(InvalidInput, match="cannot have been held yet"):
        services.update_meeting(a, m, date=m.date, status="held")


def test_progress_comes_from_the_linked_plan_actions(world):
    links = linked_actions(world["rec"])
    assert [x.action.title for x in links] == ["Clear the OT assessment backlog"]
    status, rag = overall(links)
    assert status is not None and rag is not None
    assert (status, rag) == (links[0].status, links[0].rag)


def test_the_tracker_filters_overdue_and_counts_by_source(world, demoshire, admin):
    a = access_for(admin, demoshire)
    today = timezone.localdate()
    services.create_recommendation(a, source="scrutiny", source_document="Minutes", reference="S9",
                                   raised_on=today - dt.timedelta(days=40), due_date=today - dt.timedelta(days=1),
                                   text="Report the next 100 days")
    assert [r.reference for r in tracker(demoshire, filters={"overdue": "1"})] == ["S9"]
    assert [r.reference for r in tracker(demoshire, filters={"source": "external_auditor"})] == ["R1"]
    c = counts(demoshire)
    assert (c.by_source["scrutiny"].overdue, c.by_source["external_auditor"].live, c.total.live) == (1, 1, 2)


def test_viewers_and_auditors_change_nothing(world, demoshire, viewer, auditor):
    for who in (viewer, auditor):
        with pytest.raises(NotAllowed):
            services.create_board(access_for(who, demoshire), name="X", kind="other")
        with pytest.raises(NotAllowed):
            services.change_status(access_for(who, demoshire), world["rec"], status="in_progress", reason="x")


def test_an_action_created_for_a_recommendation_is_added_to_the_plan_and_linked(world, demoshire, admin, contributor):
    due = timezone.localdate() + dt.timedelta(days=90)
    action = services.create_action_for(access_for(admin, demoshire), world["rec"], world["objective"],
                                        title="Publish milestone plans for every service", due=due, owner=contributor)
    assert action.objective == world["objective"] and action.due == due
    assert set(world["rec"].actions.values_list("title", flat=True)) == {
        "Clear the OT assessment backlog", "Publish milestone plans for every service"}
    assert AuditEntry.objects.filter(action="plans.action.created", record_id=str(action.pk)).exists()


def test_an_action_cannot_be_created_under_another_organisations_objective(world, demoshire, westmarch, admin,
                                                                          outsider):
    theirs = small_plan(westmarch, outsider, outsider)
    with pytest.raises(InvalidInput, match="another organisation"):
        services.create_action_for(access_for(admin, demoshire), world["rec"], theirs["objective"], title="X",
                                   due=timezone.localdate())
    assert theirs["objective"].actions.count() == 1


def test_a_superseded_report_version_is_refused_as_an_agenda_paper(world, demoshire, admin):
    a = access_for(admin, demoshire)
    v1, v2 = reopened_report(world, demoshire, admin)
    with pytest.raises(InvalidInput, match="Version 1 of .* was replaced by version 2") as refused:
        services.add_agenda_item(a, world["meeting"], title="Quarter 2 performance", report=v1)
    assert refused.value.field == "report"
    assert services.add_agenda_item(a, world["meeting"], title="Quarter 2 performance", report=v2).report == v2
