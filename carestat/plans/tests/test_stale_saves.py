"""Services change the row as it is now, not a copy someone read earlier.

Each test hands a service a copy of a record read before someone else changed it, as the
demo loader did and as a page opened before a colleague's edit does. Saving that copy
whole used to put the colleague's change back."""

import datetime as dt

from django.utils import timezone

from carestat.plans import services
from carestat.plans.models import Action, Milestone, Plan
from carestat.plans.progress import changes_since_last_period
from carestat.plans.tests.builders import quarter
from conftest import access_for

D = dt.timedelta


def acc(w, role):
    return access_for(w["cast"][role], w["org"])


def test_completing_a_milestone_from_a_copy_read_before_its_re_dating_keeps_the_new_date(world):
    stale = Milestone.objects.get(pk=world["m1"].pk)
    new_date = stale.forecast_date + D(21)
    services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=new_date,
                              reason="The agency can supply only two therapists this month")
    services.complete_milestone(acc(world, "contributor"), stale, actual_date=timezone.localdate())
    m = Milestone.objects.get(pk=stale.pk)
    assert m.forecast_date == new_date == m.date_changes.last().new_date
    assert m.actual_date == timezone.localdate()


def test_overriding_the_rag_or_renaming_from_a_stale_copy_keeps_the_new_date_and_the_other_change(world):
    stale = Milestone.objects.get(pk=world["m1"].pk)
    new_date = stale.forecast_date + D(14)
    services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=new_date, reason="Agency delay")
    services.override_rag(acc(world, "manager"), stale, rag="amber", reason="The agency is unreliable")
    services.rename_milestone(acc(world, "manager"), stale, title="Recruit four agency OTs")
    m = Milestone.objects.get(pk=stale.pk)
    assert (m.forecast_date, m.rag_override, m.title) == (new_date, "amber", "Recruit four agency OTs")


def test_changing_an_action_from_a_copy_read_before_an_approval_keeps_the_approved_percent(world):
    stale = Action.objects.get(pk=world["action"].pk)
    update = services.save_update(acc(world, "contributor"), world["action"], world["period"], delivery="on_track",
                                  percent_complete=60, commentary="Two agency OTs started", submit=True)
    services.approve_update(acc(world, "manager"), update)
    services.update_action(acc(world, "manager"), stale, title="Clear the OT backlog", due=stale.due,
                           owner=stale.owner, lead_unit=stale.lead_unit, phase=stale.phase, start=stale.start)
    action = Action.objects.get(pk=stale.pk)
    assert (action.title, action.percent_complete) == ("Clear the OT backlog", 60)


def test_archiving_from_a_stale_copy_keeps_a_title_changed_since(world):
    stale = Plan.objects.get(pk=world["plan"].pk)
    services.update_plan(acc(world, "manager"), world["plan"], kind=stale.kind, title="ASC improvement programme",
                         start=stale.start, end=stale.end, owner_unit=stale.owner_unit)
    services.archive(acc(world, "manager"), stale, reason="Replaced by the three-year programme")
    plan = Plan.objects.get(pk=stale.pk)
    assert plan.is_archived and plan.title == "ASC improvement programme"


def test_a_milestone_achieved_long_ago_is_not_listed_as_added_in_the_quarter_it_is_completed(world):
    """Its creation date is its own: completing or archiving it later must not write it."""
    today = timezone.localdate()
    long_ago = timezone.now() - D(400)
    Milestone.objects.filter(pk=world["m2"].pk).update(created_at=long_ago)
    Action.objects.filter(pk=world["action"].pk).update(created_at=long_ago)
    Milestone.objects.filter(pk=world["m1"].pk).update(created_at=long_ago)
    this_quarter = quarter(world["org"], "2026-27-Q3", today - D(10), today + D(80))
    # the copies in hand were read when they were created, before their creation date was set
    services.complete_milestone(acc(world, "contributor"), world["m2"], actual_date=today - D(3))
    services.archive(acc(world, "manager"), world["m1"], reason="Folded into the backlog milestone")
    changes = changes_since_last_period(world["plan"], this_quarter, today=today)
    assert Milestone.objects.get(pk=world["m2"].pk).created_at == long_ago
    assert changes.added == []
    assert [m.pk for m in changes.completed] == [world["m2"].pk]
    assert [m.pk for m in changes.dropped] == [world["m1"].pk]
