"""Writing updates day to day: the form first, history folded away, a plain message when an
update is locked, drafts saved part-written, a recovery action that reports show, a warning
when a milestone moves past its action's end, and re-datings out of red held for a manager
where the organisation asks for it."""

import datetime as dt

from django.utils import timezone

from carestat.plans import services
from carestat.plans.models import ActionUpdate, Milestone, MilestoneDateChange, PendingRedate, UpdateStatus
from conftest import access_for

D = dt.timedelta


def _page(client, world):
    return client.get(f"/o/demoshire/actions/{world['action'].pk}/").content.decode()


def test_the_action_page_leads_with_write_an_update_and_folds_the_history(client, world):
    client.force_login(world["cast"]["contributor"])
    html = _page(client, world)
    assert html.index("Write an update") < html.index('id="milestones"')
    assert '<details class="govuk-details" id="update-history"' in html


def test_a_submitted_update_says_plainly_that_it_waits_for_approval_and_offers_no_draft(client, world):
    services.save_update(access_for(world["cast"]["contributor"], world["org"]), world["action"], world["period"],
                         delivery="on_track", percent_complete=20, commentary="Started", submit=True)
    client.force_login(world["cast"]["contributor"])
    html = _page(client, world)
    assert "is waiting for a manager's approval" in html and "Save as draft" not in html


def test_a_draft_may_be_saved_part_written_but_not_submitted(client, world):
    client.force_login(world["cast"]["contributor"])
    url = f"/o/demoshire/actions/{world['action'].pk}/"
    r = client.post(url, {"period": world["period"].identifier, "commentary": "Half a thought", "draft": "1"})
    assert r.status_code == 302
    draft = ActionUpdate.objects.get()
    assert (draft.status, draft.delivery, draft.percent_complete) == (UpdateStatus.DRAFT, "", 0)
    html = client.post(url, {"period": world["period"].identifier, "commentary": "Half a thought",
                             "submit": "1"}).content.decode()
    assert "Choose on track, at risk, off track or complete" in html
    assert ActionUpdate.objects.get().status == UpdateStatus.DRAFT


def test_an_off_track_update_needs_a_recovery_action_and_the_report_shows_it(client, world):
    from carestat.reports import snapshot

    org, cast = world["org"], world["cast"]
    services.redate_milestone(access_for(cast["admin"], org), world["m1"], new_date=timezone.localdate() - D(5),
                              reason="Recorded late")  # now overdue, so the action is red
    client.force_login(cast["contributor"])
    url = f"/o/demoshire/actions/{world['action'].pk}/"
    data = {"period": world["period"].identifier, "delivery": "off_track", "percent_complete": "20",
            "commentary": "Agency OTs have not started", "submit": "1"}
    assert "needs its recovery action" in client.post(url, data).content.decode()
    client.post(url, {**data, "recovery_action": "Second agency engaged; first OTs start 12 January"})
    update = ActionUpdate.objects.get()
    services.approve_update(access_for(cast["manager"], org), update)
    snap = snapshot.build(org, world["period"], scope="plan", plan=world["plan"], title="Q2")
    [exception] = [e for e in snap["exceptions"] if e["kind"] == "action"]
    assert exception["recovery"] == "Second agency engaged; first OTs start 12 January"
    assert exception["commentary"] == "Agency OTs have not started"


def test_moving_a_milestone_past_its_actions_end_warns_but_is_saved(client, world):
    client.force_login(world["cast"]["contributor"])
    m1, due = world["m1"], world["action"].due
    new = due + D(10)
    r = client.post(f"/o/demoshire/milestones/{m1.pk}/", {
        "op": "redate", "new_date-day": new.day, "new_date-month": new.month, "new_date-year": new.year,
        "reason": "Agency supply delayed", "version": m1.version}, follow=True)
    html = r.content.decode()
    assert Milestone.objects.get(pk=m1.pk).forecast_date == new
    assert "after its action" in html and f"({due:%-d %B %Y})" in html


def _red(world):
    """m1 overdue (red), and the organisation holding re-datings out of red for a manager."""
    admin = access_for(world["cast"]["admin"], world["org"])
    services.redate_milestone(admin, world["m1"], new_date=timezone.localdate() - D(5), reason="Recorded late")
    services.set_plan_rules(admin, redate_out_of_red_needs_approval=True)
    return Milestone.objects.get(pk=world["m1"].pk)


def test_with_the_setting_an_owners_re_dating_out_of_red_waits_for_a_manager(client, world):
    m1 = _red(world)
    was = m1.forecast_date
    new = timezone.localdate() + D(20)
    held = services.redate_milestone(access_for(world["cast"]["contributor"], world["org"]), m1, new_date=new,
                                     reason="New provider starts in three weeks")
    assert isinstance(held, PendingRedate)
    assert Milestone.objects.get(pk=m1.pk).forecast_date == was
    client.force_login(world["cast"]["manager"])
    inbox = client.get("/o/demoshire/plans/approvals/").content.decode()
    assert "Re-datings out of red (1)" in inbox and "New provider starts in three weeks" in inbox
    client.post(f"/o/demoshire/plans/approvals/redates/{held.pk}/", {"decision": "approve"})
    assert Milestone.objects.get(pk=m1.pk).forecast_date == new
    change = MilestoneDateChange.objects.filter(milestone=m1).last()
    assert change.reason == "New provider starts in three weeks (asked for by Tom Okafor; approved by Priya Shah)"


def test_a_manager_rejecting_a_held_re_dating_must_say_why_and_the_date_stays(client, world):
    m1 = _red(world)
    held = services.redate_milestone(access_for(world["cast"]["contributor"], world["org"]), m1,
                                     new_date=timezone.localdate() + D(20), reason="Hoping for the best")
    client.force_login(world["cast"]["manager"])
    client.post(f"/o/demoshire/plans/approvals/redates/{held.pk}/", {"decision": "reject"})
    assert PendingRedate.objects.get().status == "pending"
    client.post(f"/o/demoshire/plans/approvals/redates/{held.pk}/", {"decision": "reject",
                                                                     "note": "No evidence the provider can start"})
    assert PendingRedate.objects.get().status == "rejected"
    assert Milestone.objects.get(pk=m1.pk).forecast_date == m1.forecast_date


def test_a_manager_re_dates_out_of_red_at_once_and_without_the_setting_so_does_the_owner(world):
    m1 = _red(world)
    new = timezone.localdate() + D(20)
    done = services.redate_milestone(access_for(world["cast"]["manager"], world["org"]), m1, new_date=new,
                                     reason="Agreed at the programme board")
    assert isinstance(done, MilestoneDateChange)
    services.set_plan_rules(access_for(world["cast"]["admin"], world["org"]), redate_out_of_red_needs_approval=False)
    m2 = world["m2"]
    services.redate_milestone(access_for(world["cast"]["admin"], world["org"]), m2,
                              new_date=timezone.localdate() - D(2), reason="Recorded late")
    done = services.redate_milestone(access_for(world["cast"]["contributor"], world["org"]),
                                     Milestone.objects.get(pk=m2.pk), new_date=new, reason="Back on track")
    assert isinstance(done, MilestoneDateChange)
