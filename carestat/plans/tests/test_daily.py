"""The daily view of plans: each role's home page tiles, the approvals inbox with its bulk
decisions, and the plan tree's update filters."""

import datetime as dt

import pytest
from django.utils import timezone

from carestat.core.models import AuditEntry, Membership
from carestat.plans import services
from carestat.plans.models import ActionUpdate, UpdateStatus
from conftest import access_for

D = dt.timedelta


@pytest.fixture
def two_submitted(world):
    """Two actions owned by the contributor, each with an update submitted for the quarter due."""
    org, cast = world["org"], world["cast"]
    admin = access_for(cast["admin"], org)
    second = services.add_action(admin, world["objective"], title="Recruit two senior OTs", owner=cast["contributor"],
                                 lead_unit=world["ot"], due=timezone.localdate() + D(90))
    mine = access_for(cast["contributor"], org)
    updates = [services.save_update(mine, a, world["period"], delivery="on_track", percent_complete=40,
                                    commentary="Going well", submit=True) for a in (world["action"], second)]
    world["second"] = second
    world["updates"] = updates
    return world


def test_a_contributors_home_shows_their_update_due_and_links_to_the_filtered_list(client, world):
    client.force_login(world["cast"]["contributor"])
    html = client.get("/o/demoshire/").content.decode()
    assert "Your work" in html and "Administration" not in html
    assert 'href="/o/demoshire/plans/my-actions/?show=due">Your updates due</a>' in html
    due = client.get("/o/demoshire/plans/my-actions/?show=due").content.decode()
    assert "Clear the OT assessment backlog" in due


def test_an_update_submitted_leaves_the_contributors_due_list_and_reaches_the_managers_inbox(client, two_submitted):
    w = two_submitted
    client.force_login(w["cast"]["contributor"])
    assert "Clear the OT assessment backlog" not in client.get(
        "/o/demoshire/plans/my-actions/?show=due").content.decode()
    client.force_login(w["cast"]["manager"])
    home = client.get("/o/demoshire/").content.decode()
    assert "Needs your attention" in home and "Updates awaiting your approval" in home
    tile = home.split("Updates awaiting your approval</a></h3>")[1]
    assert '<p class="app-tile__value">2</p>' in tile.split("</li>")[0]
    inbox = client.get("/o/demoshire/plans/approvals/").content.decode()
    assert "Period updates (2)" in inbox and "Recruit two senior OTs" in inbox


def test_bulk_approve_approves_each_update_with_one_audit_entry_each(client, two_submitted):
    w = two_submitted
    client.force_login(w["cast"]["manager"])
    r = client.post("/o/demoshire/plans/approvals/", {"updates": [str(u.pk) for u in w["updates"]],
                                                      "decision": "approve"})
    assert r.status_code == 302
    assert set(ActionUpdate.objects.values_list("status", flat=True)) == {UpdateStatus.APPROVED}
    assert AuditEntry.objects.filter(action="plans.update.approved").count() == 2
    assert "No updates are awaiting your approval" in client.get(r["Location"]).content.decode()


def test_bulk_return_needs_one_reason_and_gives_it_to_every_owner(client, two_submitted):
    w = two_submitted
    client.force_login(w["cast"]["manager"])
    ids = [str(u.pk) for u in w["updates"]]
    html = client.post("/o/demoshire/plans/approvals/", {"updates": ids, "decision": "return"}).content.decode()
    assert "Say what the owners need to change" in html
    assert not ActionUpdate.objects.filter(status=UpdateStatus.RETURNED).exists()
    client.post("/o/demoshire/plans/approvals/", {"updates": ids, "decision": "return",
                                                  "comments": "Add the waiting list figure"})
    assert list(ActionUpdate.objects.values_list("review_comments", flat=True)) == ["Add the waiting list figure"] * 2
    assert AuditEntry.objects.filter(action="plans.update.returned").count() == 2
    client.force_login(w["cast"]["contributor"])
    returned = client.get("/o/demoshire/plans/my-actions/?show=returned").content.decode()
    assert "Recruit two senior OTs" in returned


def test_a_bulk_decision_on_an_update_no_longer_waiting_decides_none(client, two_submitted):
    w = two_submitted
    manager = access_for(w["cast"]["manager"], w["org"])
    first, second = w["updates"]
    with pytest.raises(Exception, match="nothing was approved"):
        services.review_updates(manager, [second, ActionUpdate.objects.get(pk=first.pk), second],
                                decision="approve")
    assert ActionUpdate.objects.filter(status=UpdateStatus.APPROVED).count() == 0


def test_the_inbox_filters_by_plan_and_unit(client, two_submitted):
    w = two_submitted
    client.force_login(w["cast"]["manager"])
    assert "Period updates (2)" in client.get(f"/o/demoshire/plans/approvals/?plan={w['plan'].pk}").content.decode()
    assert "Period updates (0)" in client.get(f"/o/demoshire/plans/approvals/?unit={w['adults'].pk}").content.decode()
    assert "Period updates (0)" in client.get("/o/demoshire/plans/approvals/?plan=x").content.decode()


def test_a_manager_of_another_unit_sees_none_of_these_updates(client, two_submitted):
    w = two_submitted
    from carestat.core import services as core_services
    from carestat.core.models import UnitKind

    kids = core_services.add_unit(access_for(w["cast"]["admin"], w["org"]), name="Children's Services",
                                  kind=UnitKind.DIRECTORATE, parent=None)
    Membership.objects.filter(user=w["cast"]["manager"]).update(unit=kids)
    client.force_login(w["cast"]["manager"])
    assert "Period updates (0)" in client.get("/o/demoshire/plans/approvals/").content.decode()


def test_viewers_and_contributors_cannot_open_the_inbox(client, world):
    for who in ("viewer", "contributor"):
        client.force_login(world["cast"][who])
        assert client.get("/o/demoshire/plans/approvals/").status_code == 403


def test_the_plan_tree_filters_actions_awaiting_approval_and_not_submitted(client, world):
    org, cast = world["org"], world["cast"]
    second = services.add_action(access_for(cast["admin"], org), world["objective"], title="Recruit two senior OTs",
                                 owner=cast["contributor"], lead_unit=world["ot"], due=timezone.localdate() + D(90))
    services.save_update(access_for(cast["contributor"], org), second, world["period"], delivery="on_track",
                         percent_complete=10, commentary="Advert out", submit=True)
    client.force_login(cast["viewer"])
    pk = world["plan"].pk
    waiting = client.get(f"/o/demoshire/plans/{pk}/?update=awaiting_approval").content.decode()
    assert "Recruit two senior OTs" in waiting and "Clear the OT assessment backlog" not in waiting
    missing = client.get(f"/o/demoshire/plans/{pk}/?update=not_submitted").content.decode()
    assert "Clear the OT assessment backlog" in missing and "Recruit two senior OTs" not in missing


def test_the_api_lists_the_inbox_and_approves_and_returns_in_bulk(client, two_submitted):
    w = two_submitted
    client.force_login(w["cast"]["manager"])
    listed = client.get("/api/v1/organisations/demoshire/approvals").json()
    assert [u["action"] for u in listed] == ["Clear the OT assessment backlog", "Recruit two senior OTs"]
    first, second = (u["id"] for u in listed)
    r = client.post("/api/v1/organisations/demoshire/approvals/return",
                    {"update_ids": [second], "comments": "Add the vacancy rate"}, content_type="application/json")
    assert r.status_code == 200 and r.json()[0]["status"] == "returned"
    r = client.post("/api/v1/organisations/demoshire/approvals/approve", {"update_ids": [first, second]},
                    content_type="application/json")
    assert r.status_code == 422 and str(second) in r.json()["detail"]
    r = client.post("/api/v1/organisations/demoshire/approvals/approve", {"update_ids": [first]},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()[0]["status"] == "approved"
    client.force_login(w["cast"]["contributor"])
    assert client.get("/api/v1/organisations/demoshire/approvals").status_code == 403


def test_a_viewers_home_shows_each_plans_rag_linked_to_its_tree(client, world):
    client.force_login(world["cast"]["viewer"])
    html = client.get("/o/demoshire/").content.decode()
    assert "Plans and performance" in html
    assert f'href="/o/demoshire/plans/{world["plan"].pk}/">Adult social care improvement</a>' in html
    assert "Your updates due" not in html and "Updates awaiting your approval" not in html


def test_an_admin_sees_their_role_view_as_well_as_the_admin_tasks(client, world):
    client.force_login(world["cast"]["admin"])
    html = client.get("/o/demoshire/").content.decode()
    assert "Updates awaiting your approval" in html and "Administration" in html
    assert html.index("Needs your attention") < html.index("Administration")


def test_a_manager_sees_overdue_and_slipped_milestones_per_plan(client, world):
    org, cast = world["org"], world["cast"]
    services.redate_milestone(access_for(cast["admin"], org), world["m1"],
                              new_date=world["m1"].baseline_date + D(20), reason="Agency supply delayed")
    client.force_login(cast["manager"])
    html = client.get("/o/demoshire/").content.decode()
    assert f'href="/o/demoshire/plans/{world["plan"].pk}/delivery/">Overdue or slipped: Adult social care' in html
    assert "0 overdue, 1 slipped" in html
