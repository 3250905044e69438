import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.errors import InvalidInput, NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry, Membership
from carestat.plans import services
from carestat.plans.models import MilestoneDateChange, PeriodSnapshot, UpdateStatus
from carestat.plans.progress import changes_since_last_period, plan_tree
from carestat.plans.rules import Rag, Status
from carestat.plans.tests.builders import quarter
from conftest import access_for

D = dt.timedelta


def acc(w, role):
    return access_for(w["cast"][role], w["org"])


def submit(w, role="contributor", percent=40, **kw):
    return services.save_update(acc(w, role), w["action"], w["period"], delivery="on_track",
                                percent_complete=percent, commentary="Agency OTs started in week 2", submit=True, **kw)


def test_a_contributor_submits_an_update_on_their_own_action(world):
    update = submit(world)
    assert update.status == UpdateStatus.SUBMITTED and update.submitted_by == world["cast"]["contributor"]
    assert AuditEntry.objects.filter(action="plans.update.submitted", record_id=str(update.pk)).exists()


def test_a_contributor_cannot_update_someone_elses_action_and_a_viewer_none(world, demoshire):
    world["action"].owner = world["cast"]["manager"]
    world["action"].save()
    with pytest.raises(NotAllowed):
        submit(world)
    with pytest.raises(NotAllowed):
        submit(world, role="viewer")


def test_a_manager_approves_a_submitted_update_and_the_action_takes_its_percent(world):
    update = submit(world, percent=45)
    services.approve_update(acc(world, "manager"), update)
    world["action"].refresh_from_db()
    assert world["action"].percent_complete == 45


def test_a_manager_outside_the_actions_unit_cannot_approve(world, demoshire):
    other = core_services.add_unit(acc(world, "admin"), name="Children's Services", kind="directorate", parent=None)
    Membership.objects.filter(user=world["cast"]["manager"]).update(unit=other)
    update = submit(world)
    with pytest.raises(NotAllowed):
        services.approve_update(acc(world, "manager"), update)
    Membership.objects.filter(user=world["cast"]["manager"]).update(unit=world["adults"])
    assert services.approve_update(acc(world, "manager"), update).status == UpdateStatus.APPROVED


def test_returning_needs_comments_and_the_owner_can_then_resubmit(world):
    update = submit(world)
    with pytest.raises(InvalidInput):
        services.return_update(acc(world, "manager"), update, comments=" ")
    services.return_update(acc(world, "manager"), update, comments="Add the backlog figure")
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED and update.review_comments == "Add the backlog figure"
    assert submit(world, percent=50).status == UpdateStatus.SUBMITTED


def test_closing_a_period_freezes_its_updates_until_it_is_reopened_with_a_reason(world):
    update = submit(world)
    services.approve_update(acc(world, "manager"), update)
    core_services.close_period(acc(world, "manager"), world["period"])
    world["period"].refresh_from_db()
    with pytest.raises(PeriodClosed):
        submit(world, percent=60)
    core_services.reopen_period(acc(world, "manager"), world["period"], "Late correction to the figures")
    world["period"].refresh_from_db()
    assert submit(world, percent=60).percent_complete == 60


def test_closing_a_period_snapshots_every_action_and_milestone(world):
    core_services.close_period(acc(world, "admin"), world["period"])
    snaps = PeriodSnapshot.objects.filter(period=world["period"])
    assert snaps.filter(milestone__isnull=True).count() == 1
    assert snaps.filter(milestone__isnull=False).count() == 2


def test_a_milestone_re_dated_twice_keeps_its_baseline_and_both_reasons(world, demoshire):
    m = world["m1"]
    baseline = m.baseline_date
    services.redate_milestone(acc(world, "contributor"), m, new_date=baseline + D(30), reason="Agency delayed")
    services.redate_milestone(acc(world, "manager"), m, new_date=baseline + D(61), reason="Second agency fell through")
    m.refresh_from_db()
    changes = list(MilestoneDateChange.objects.filter(milestone=m))
    assert m.baseline_date == baseline and m.forecast_date == baseline + D(61)
    assert [(c.old_date, c.new_date, c.reason) for c in changes] == [
        (baseline, baseline + D(30), "Agency delayed"),
        (baseline + D(30), baseline + D(61), "Second agency fell through")]
    assert m.slippage_days == 61
    assert m.slippage_working_days(demoshire) == demoshire.calendar.working_days_between(baseline, baseline + D(61))
    entry = AuditEntry.objects.filter(action="plans.milestone.redated").first()
    assert "moved milestone ‘Recruit agency OTs’" in entry.message


def test_re_dating_needs_a_reason(world):
    with pytest.raises(InvalidInput) as exc:
        services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=dt.date(2030, 1, 1), reason="")
    assert exc.value.field == "reason"


def test_re_dating_into_a_closed_quarter_is_refused(world):
    core_services.close_period(acc(world, "admin"), world["period"])
    with pytest.raises(PeriodClosed):
        services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=world["period"].start + D(3),
                                  reason="Actually it was earlier")


def test_a_rag_override_needs_a_reason_and_shows_in_the_tree(world):
    with pytest.raises(InvalidInput):
        services.override_rag(acc(world, "manager"), world["m1"], rag="red", reason="")
    with pytest.raises(NotAllowed):
        services.override_rag(acc(world, "contributor"), world["m1"], rag="red", reason="Worried")
    services.override_rag(acc(world, "manager"), world["m1"], rag="red", reason="Provider has given notice")
    node = plan_tree(world["plan"]).milestones()[0]
    assert node.judgement.rag is Rag.RED and node.judgement.overridden


def test_an_overdue_milestone_rolls_up_to_the_plan(world):
    world["m1"].baseline_date = world["m1"].forecast_date = timezone.localdate() - D(3)
    world["m1"].save()
    tree = plan_tree(world["plan"])
    assert tree.rollup.status is Status.OVERDUE and tree.rollup.rag is Rag.RED
    assert tree.rollup.total == 2 and len(tree.delivery()) == 1


def test_archiving_drops_a_milestone_from_the_tree_and_records_why(world):
    services.archive(acc(world, "manager"), world["m2"], reason="Merged into the first milestone")
    assert len(plan_tree(world["plan"]).milestones()) == 1
    assert AuditEntry.objects.filter(action="plans.milestone.archived").exists()


def test_what_changed_lists_redates_and_additions_in_the_period(world):
    today = timezone.localdate()
    current = quarter(world["org"], "current", today - D(5), today + D(80))
    services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=world["m1"].baseline_date + D(20),
                              reason="Recruitment slower than planned")
    changes = changes_since_last_period(world["plan"], current)
    assert len(changes.redated) == 1 and world["m1"] in changes.added and world["action"] in changes.added


def test_reminders_go_to_owners_with_updates_due_and_a_dry_run_sends_nothing(world):
    sent = services.send_reminders(world["org"], dry_run=True)
    assert [u for u, _ in sent] == [world["cast"]["contributor"]] and not mail.outbox
    services.send_reminders(world["org"])
    assert len(mail.outbox) == 1 and "Clear the OT assessment backlog" in mail.outbox[0].body


def test_organisation_rules_change_the_rag(world):
    world["m1"].baseline_date = world["m1"].forecast_date = timezone.localdate() - D(3)
    world["m1"].save()
    world["action"].percent_complete = 60
    world["action"].save()
    services.set_plan_rules(acc(world, "admin"), overdue_red_below_percent=50)
    assert plan_tree(world["plan"]).milestones()[0].judgement.rag is Rag.AMBER
    with pytest.raises(NotAllowed):
        services.set_plan_rules(acc(world, "manager"), at_risk_slip_days=3)


def _action_fields(a, **changes):
    fields = {"title": a.title, "due": a.due, "owner": a.owner, "lead_unit": a.lead_unit,
              "bau_or_change": a.bau_or_change, "phase": a.phase, "start": a.start}
    return {**fields, **changes}


def test_changing_an_action_is_recorded_with_before_and_after(world):
    a = world["action"]
    services.update_action(acc(world, "manager"), a, **_action_fields(a, phase="Next 100 days"))
    entry = AuditEntry.objects.get(action="plans.action.changed")
    assert entry.before["phase"] == "First 100 days" and entry.after["phase"] == "Next 100 days"
    assert "Phase changed from ‘First 100 days’ to ‘Next 100 days’" in entry.message


def test_saving_an_action_unchanged_records_nothing(world):
    a = world["action"]
    services.update_action(acc(world, "manager"), a, **_action_fields(a))
    assert not AuditEntry.objects.filter(action="plans.action.changed").exists()


def test_an_action_cannot_be_given_an_owner_outside_the_organisation(world):
    a = world["action"]
    with pytest.raises(InvalidInput) as exc:
        services.update_action(acc(world, "manager"), a, **_action_fields(a, owner=world["cast"]["outsider"]))
    assert exc.value.field == "owner"
    a.refresh_from_db()
    assert a.owner == world["cast"]["contributor"]


def test_a_unit_manager_cannot_hand_an_action_to_a_unit_outside_theirs(world):
    other = core_services.add_unit(acc(world, "admin"), name="Finance", kind="directorate", parent=None)
    Membership.objects.filter(user=world["cast"]["manager"]).update(unit=world["adults"])
    a = world["action"]
    with pytest.raises(NotAllowed):
        services.update_action(acc(world, "manager"), a, **_action_fields(a, lead_unit=other))


def test_an_archived_item_can_no_longer_be_changed(world):
    from carestat.core.errors import Conflict

    services.archive(acc(world, "manager"), world["priority"], reason="Folded into another theme")
    with pytest.raises(Conflict):
        services.update_priority(acc(world, "manager"), world["priority"], title="Renamed")
    assert AuditEntry.objects.filter(action="plans.priority.archived").exists()


# Restoring archived items ----------------------------------------------------------------------

def test_a_manager_restores_an_archived_action_with_a_reason_and_it_counts_again(world):
    action = world["action"]
    services.archive(acc(world, "manager"), action, reason="Merged into the recruitment action")
    assert plan_tree(world["plan"]).actions() == []
    services.unarchive(acc(world, "manager"), action, reason="The merge was reversed at committee")
    action.refresh_from_db()
    assert not action.is_archived and action.archived_at is None
    tree = plan_tree(world["plan"])
    assert [a.action for a in tree.actions()] == [action] and len(tree.milestones()) == 2
    entry = AuditEntry.objects.get(action="plans.action.unarchived", record_id=str(action.pk))
    assert entry.message == ("Priya Shah restored archived action ‘Clear the OT assessment backlog’: "
                             "The merge was reversed at committee")
    assert entry.before == {"is_archived": True}
    assert entry.after == {"is_archived": False, "reason": "The merge was reversed at committee"}


def test_restoring_needs_a_reason(world):
    services.archive(acc(world, "manager"), world["m1"], reason="Merged into the second milestone")
    with pytest.raises(InvalidInput) as exc:
        services.unarchive(acc(world, "manager"), world["m1"], reason=" ")
    assert exc.value.field == "reason" and exc.value.message == "Give the reason for restoring it"
    world["m1"].refresh_from_db()
    assert world["m1"].is_archived


def test_something_not_archived_cannot_be_restored(world):
    from carestat.core.errors import Conflict

    with pytest.raises(Conflict, match="is not archived"):
        services.unarchive(acc(world, "manager"), world["m1"], reason="Bring it back please")
    assert not AuditEntry.objects.filter(action="plans.milestone.unarchived").exists()


def test_an_item_under_an_archived_parent_is_restored_only_after_its_parent(world):
    from carestat.core.errors import Conflict

    manager = acc(world, "manager")
    services.archive(manager, world["action"], reason="Dropped at the last review")
    services.archive(manager, world["priority"], reason="Folded into another theme")
    with pytest.raises(Conflict) as exc:
        services.unarchive(manager, world["action"], reason="Needed again after all")
    assert exc.value.message == ("‘Clear the OT assessment backlog’ sits under priority ‘Backlog clearance’, "
                                 "which is archived; restore that priority first")
    world["action"].refresh_from_db()
    assert world["action"].is_archived
    services.unarchive(manager, world["priority"], reason="The theme is back in the plan")
    services.unarchive(manager, world["action"], reason="Needed again after all")
    assert len(plan_tree(world["plan"]).actions()) == 1


def test_a_milestone_cannot_be_restored_while_its_action_is_archived(world):
    from carestat.core.errors import Conflict

    manager = acc(world, "manager")
    services.archive(manager, world["m1"], reason="Merged into the second milestone")
    services.archive(manager, world["action"], reason="Dropped at the last review")
    with pytest.raises(Conflict, match="sits under action ‘Clear the OT assessment backlog’"):
        services.unarchive(manager, world["m1"], reason="Needed again after all")


def test_restoring_takes_the_same_rights_as_archiving(world):
    manager = acc(world, "manager")
    services.archive(manager, world["action"], reason="Dropped at the last review")
    services.archive(manager, world["priority"], reason="Folded into another theme")
    # The contributor owns the action, which lets them update it but not archive or restore it.
    for role in ("contributor", "viewer", "auditor"):
        with pytest.raises(NotAllowed):
            services.unarchive(acc(world, role), world["priority"], reason="Needed again after all")
    services.unarchive(manager, world["priority"], reason="The theme is back in the plan")
    other = core_services.add_unit(acc(world, "admin"), name="Children's Services", kind="directorate", parent=None)
    Membership.objects.filter(user=world["cast"]["manager"]).update(unit=other)
    with pytest.raises(NotAllowed, match="outside the units you manage"):
        services.unarchive(acc(world, "manager"), world["action"], reason="Needed again after all")
    services.unarchive(acc(world, "admin"), world["action"], reason="Needed again after all")


def test_restoring_an_item_leaves_closed_quarters_as_they_were_reported(world):
    manager = acc(world, "manager")
    services.archive(manager, world["m2"], reason="Merged into the first milestone")
    core_services.close_period(manager, world["period"])
    services.unarchive(manager, world["m2"], reason="Split out again")
    snaps = PeriodSnapshot.objects.filter(period=world["period"])
    assert list(snaps.filter(milestone__isnull=False).values_list("milestone_id", flat=True)) == [world["m1"].pk]


# Renaming a milestone ------------------------------------------------------------------------

def test_renaming_a_milestone_changes_only_its_title_and_says_so_in_words(world):
    m = world["m1"]
    services.redate_milestone(acc(world, "contributor"), m, new_date=m.baseline_date + D(14),
                              reason="Agency start delayed")
    m.refresh_from_db()
    dates = (m.baseline_date, m.forecast_date, m.actual_date)
    services.rename_milestone(acc(world, "manager"), m, title="  Recruit agency and bank OTs ")
    m.refresh_from_db()
    assert m.title == "Recruit agency and bank OTs"
    assert (m.baseline_date, m.forecast_date, m.actual_date) == dates
    assert MilestoneDateChange.objects.filter(milestone=m).count() == 1
    entry = AuditEntry.objects.get(action="plans.milestone.changed", record_id=str(m.pk))
    assert entry.message == ("Priya Shah changed milestone ‘Recruit agency and bank OTs’: "
                             "Title changed from ‘Recruit agency OTs’ to ‘Recruit agency and bank OTs’")
    assert (entry.before, entry.after) == ({"title": "Recruit agency OTs"}, {"title": "Recruit agency and bank OTs"})


def test_renaming_from_a_stale_copy_does_not_undo_a_re_dating(world):
    from carestat.plans.models import Milestone

    stale = Milestone.objects.get(pk=world["m1"].pk)
    new_date = stale.baseline_date + D(30)
    services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=new_date, reason="Agency delayed")
    services.rename_milestone(acc(world, "manager"), stale, title="Recruit agency and bank OTs")
    fresh = Milestone.objects.get(pk=stale.pk)
    assert (fresh.title, fresh.forecast_date) == ("Recruit agency and bank OTs", new_date)


def test_renaming_a_milestone_leaves_a_closed_quarters_snapshot_unchanged(world):
    core_services.close_period(acc(world, "manager"), world["period"])
    fields = ("period_id", "plan_id", "action_id", "milestone_id", "status", "rag", "overridden", "percent_complete",
              "baseline_date", "forecast_date", "actual_date", "taken_at")
    before = list(PeriodSnapshot.objects.filter(period=world["period"]).order_by("pk").values_list(*fields))
    assert any(row[3] == world["m1"].pk for row in before)
    services.rename_milestone(acc(world, "manager"), world["m1"], title="Recruit agency and bank OTs")
    after = list(PeriodSnapshot.objects.filter(period=world["period"]).order_by("pk").values_list(*fields))
    assert after == before


def test_a_milestone_title_must_not_be_blank_or_too_long(world):
    with pytest.raises(InvalidInput) as exc:
        services.rename_milestone(acc(world, "manager"), world["m1"], title="   ")
    assert (exc.value.field, exc.value.message) == ("title", "Enter the milestone's title")
    with pytest.raises(InvalidInput) as exc:
        services.rename_milestone(acc(world, "manager"), world["m1"], title="x" * 301)
    assert (exc.value.field, exc.value.message) == ("title", "The milestone's title must be 300 characters or fewer")
    world["m1"].refresh_from_db()
    assert world["m1"].title == "Recruit agency OTs"


def test_only_managers_of_the_actions_unit_rename_its_milestones(world):
    for role in ("contributor", "viewer", "auditor"):
        with pytest.raises(NotAllowed):
            services.rename_milestone(acc(world, role), world["m1"], title="Renamed")
    world["m1"].refresh_from_db()
    assert world["m1"].title == "Recruit agency OTs"


def test_an_archived_milestone_cannot_be_renamed_and_an_unchanged_title_records_nothing(world):
    from carestat.core.errors import Conflict

    services.rename_milestone(acc(world, "manager"), world["m1"], title="Recruit agency OTs")
    assert not AuditEntry.objects.filter(action="plans.milestone.changed").exists()
    services.archive(acc(world, "manager"), world["m1"], reason="Merged into the second milestone")
    with pytest.raises(Conflict, match="archived"):
        services.rename_milestone(acc(world, "manager"), world["m1"], title="Renamed")
