"""Keeping a plan in the browser's forms: create it, build its structure, change and archive
its items, and tune the organisation's rules. The pages call the same services as the API."""

import datetime as dt

from carestat.core.models import AuditEntry
from carestat.plans.models import Action, Milestone, Objective, Plan, PlanRules, Priority

D = dt.timedelta


def _date(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def test_a_manager_creates_a_plan_and_its_whole_structure_through_the_forms(client, world):
    client.force_login(world["cast"]["manager"])
    today = dt.date.today()
    r = client.post("/o/demoshire/plans/new/", {"title": "Portfolio plan 2026-29", "kind": "portfolio",
                                                "description": "Reported to committee every half year",
                                                "owner_unit": str(world["adults"].pk),
                                                **_date("start", today), **_date("end", today + D(1000))})
    plan = Plan.objects.get(title="Portfolio plan 2026-29")
    assert r.status_code == 302 and r["Location"] == f"/o/demoshire/plans/{plan.pk}/"
    client.post(f"/o/demoshire/plans/{plan.pk}/priorities/new/", {"title": "Safeguarding"})
    priority = Priority.objects.get(plan=plan)
    client.post(f"/o/demoshire/priorities/{priority.pk}/objectives/new/",
                {"statement": "Children at risk are seen within 24 hours"})
    objective = Objective.objects.get(priority=priority)
    r = client.post(f"/o/demoshire/objectives/{objective.pk}/actions/new/", {
        "title": "Audit strategy discussions", "owner": str(world["cast"]["contributor"].pk),
        "lead_unit": str(world["ot"].pk), "bau_or_change": "bau", "phase": "Year 1",
        **_date("start", today), **_date("due", today + D(120))})
    action = Action.objects.get(objective=objective)
    assert r.status_code == 302
    assert (action.owner, action.lead_unit, action.bau_or_change) == (world["cast"]["contributor"], world["ot"], "bau")
    client.post(f"/o/demoshire/actions/{action.pk}/milestones/new/",
                {"title": "Audit tool agreed", **_date("baseline_date", today + D(30))})
    milestone = Milestone.objects.get(action=action)
    assert milestone.forecast_date == milestone.baseline_date == today + D(30)

    html = client.get(f"/o/demoshire/plans/{plan.pk}/").content.decode()
    for text in ("Portfolio plan 2026-29", "Safeguarding", "Children at risk are seen within 24 hours",
                 "Audit strategy discussions", "Tom Okafor", "Year 1", "1 milestones"):
        assert text in html
    assert AuditEntry.objects.filter(action="plans.milestone.created", record_id=str(milestone.pk)).exists()


def test_an_action_can_serve_another_objective_of_its_plan(client, world):
    from carestat.plans import services
    from conftest import access_for

    other = services.add_objective(access_for(world["cast"]["manager"], world["org"]), world["priority"],
                                   statement="Fewer people wait at all")
    client.force_login(world["cast"]["manager"])
    a = world["action"]
    r = client.post(f"/o/demoshire/actions/{a.pk}/edit/", {
        "title": a.title, "owner": str(a.owner_id), "lead_unit": str(a.lead_unit_id), "bau_or_change": "change",
        "phase": a.phase, **_date("start", a.start), **_date("due", a.due), "also_serves": [str(other.pk)]})
    assert r.status_code == 302
    assert list(a.also_serves.all()) == [other]
    entry = AuditEntry.objects.get(action="plans.action.changed")
    assert "Fewer people wait at all" in str(entry.after)


def test_a_plan_with_a_blank_title_is_refused_naming_the_field_and_nothing_is_saved(client, world):
    client.force_login(world["cast"]["manager"])
    today = dt.date.today()
    r = client.post("/o/demoshire/plans/new/", {"title": "", "kind": "portfolio", **_date("start", today),
                                                **_date("end", today + D(10))})
    html = r.content.decode()
    assert r.status_code == 200 and "Enter the plan&#39;s title" in html and 'href="#id_title"' in html
    assert Plan.objects.count() == 1


def test_a_post_with_nothing_in_it_shows_every_missing_field(client, world):
    client.force_login(world["cast"]["manager"])
    html = client.post(f"/o/demoshire/objectives/{world['objective'].pk}/actions/new/").content.decode()
    assert "Enter the action&#39;s title" in html and "Enter the date the action is due" in html
    assert Action.objects.count() == 1


def test_an_action_due_before_it_starts_is_refused_on_the_due_date_and_nothing_is_saved(client, world):
    client.force_login(world["cast"]["manager"])
    today = dt.date.today()
    r = client.post(f"/o/demoshire/objectives/{world['objective'].pk}/actions/new/", {
        "title": "Backwards", "bau_or_change": "change", **_date("start", today), **_date("due", today - D(1))})
    html = r.content.decode()
    assert r.status_code == 200 and "The action must be due on or after its start date" in html
    assert 'href="#id_due-day"' in html
    assert not Action.objects.filter(title="Backwards").exists()


def test_an_owner_from_another_organisation_forged_in_the_post_is_refused(client, world):
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/objectives/{world['objective'].pk}/actions/new/", {
        "title": "Forged", "owner": str(world["cast"]["outsider"].pk), "bau_or_change": "change",
        **_date("due", dt.date.today() + D(10))})
    html = r.content.decode()
    assert r.status_code == 200 and "Choose the owner from the organisation&#39;s members" in html
    assert 'href="#id_owner"' in html
    assert not Action.objects.filter(title="Forged").exists()


def test_a_plan_ending_before_it_starts_is_refused_on_the_end_date(client, world):
    client.force_login(world["cast"]["manager"])
    p = world["plan"]
    r = client.post(f"/o/demoshire/plans/{p.pk}/edit/", {"title": p.title, "kind": p.kind,
                                                          **_date("start", p.start), **_date("end", p.start - D(1))})
    assert r.status_code == 200 and "The plan must end on or after its start date" in r.content.decode()
    p.refresh_from_db()
    assert p.end > p.start


def test_a_viewer_may_not_create_or_change_a_plan(client, world):
    client.force_login(world["cast"]["viewer"])
    assert client.get("/o/demoshire/plans/new/").status_code == 403
    assert client.post(f"/o/demoshire/priorities/{world['priority'].pk}/edit/", {"title": "X"}).status_code == 403
    assert Priority.objects.get(pk=world["priority"].pk).title == "Backlog clearance"


def test_a_viewer_sees_no_links_to_change_the_plan(client, world):
    client.force_login(world["cast"]["viewer"])
    html = client.get(f"/o/demoshire/plans/{world['plan'].pk}/").content.decode()
    assert "Add a priority or theme" not in html and "Add a milestone" not in html


def test_renaming_a_priority_is_recorded_in_words(client, world):
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/priorities/{world['priority'].pk}/edit/", {"title": "Waiting lists"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="plans.priority.changed")
    assert "Title changed from ‘Backlog clearance’ to ‘Waiting lists’" in entry.message


def test_archiving_an_action_hides_it_from_the_tree_but_keeps_its_history(client, world):
    client.force_login(world["cast"]["manager"])
    a = world["action"]
    html = client.get(f"/o/demoshire/actions/{a.pk}/archive/").content.decode()
    assert "Archive this action" in html and "Nothing is deleted" in html
    r = client.post(f"/o/demoshire/actions/{a.pk}/archive/", {"reason": "Merged into the recruitment action"})
    assert r.status_code == 302
    tree = client.get(f"/o/demoshire/plans/{world['plan'].pk}/").content.decode()
    assert f'href="/o/demoshire/actions/{a.pk}/"' not in tree and "Archived action" in tree
    assert Action.objects.filter(pk=a.pk, is_archived=True).exists()
    history = client.get(f"/o/demoshire/history/action/{a.pk}/").content.decode()
    assert "added action" in history and "Merged into the recruitment action" in history


def test_archiving_needs_a_reason(client, world):
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/priorities/{world['priority'].pk}/archive/", {"reason": ""})
    assert r.status_code == 200 and "Give the reason for archiving it" in r.content.decode()
    assert not Priority.objects.get(pk=world["priority"].pk).is_archived


def test_archiving_a_priority_hides_everything_beneath_it(client, world):
    client.force_login(world["cast"]["manager"])
    client.post(f"/o/demoshire/priorities/{world['priority'].pk}/archive/", {"reason": "Folded into theme 2"})
    tree = client.get(f"/o/demoshire/plans/{world['plan'].pk}/").content.decode()
    priority, action = world["priority"], world["action"]
    assert f'id="priority-{priority.pk}"' not in tree
    assert f'href="/o/demoshire/actions/{action.pk}/"' not in tree
    client.force_login(world["cast"]["contributor"])
    assert "Clear the OT assessment backlog" not in client.get("/o/demoshire/plans/my-actions/").content.decode()


def test_an_admin_sees_the_default_rules_and_changes_one(client, world):
    client.force_login(world["cast"]["admin"])
    html = client.get("/o/demoshire/plans/rules/").content.decode()
    assert "CareStat&#39;s default is 100" in html
    r = client.post("/o/demoshire/plans/rules/", {"at_risk_slip_days": "14", "due_soon_days": "14",
                                                  "due_soon_below_percent": "75", "overdue_red_below_percent": "50"})
    assert r.status_code == 302
    assert PlanRules.objects.get(organisation=world["org"]).overdue_red_below_percent == 50
    assert "Overdue red below percent changed from ‘100’ to ‘50’" in \
        AuditEntry.objects.get(action="plans.rules.changed").message


def test_a_rule_out_of_range_is_refused_naming_the_field(client, world):
    client.force_login(world["cast"]["admin"])
    r = client.post("/o/demoshire/plans/rules/", {"at_risk_slip_days": "14", "due_soon_days": "-1",
                                                  "due_soon_below_percent": "175", "overdue_red_below_percent": "x"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Due soon (days) must be 0 or more" in html
    assert "Due soon at risk below (percent complete) must be 100 or less" in html
    assert "Overdue red below (percent complete) must be a whole number" in html
    assert not PlanRules.objects.filter(organisation=world["org"]).exists()


def test_a_manager_may_not_change_the_rules(client, world):
    client.force_login(world["cast"]["manager"])
    assert client.get("/o/demoshire/plans/rules/").status_code == 403


# Renaming a milestone -----------------------------------------------------------------------

def test_a_manager_renames_a_milestone_from_its_page_and_the_new_title_shows_everywhere(client, world):
    client.force_login(world["cast"]["manager"])
    m = world["m1"]
    html = client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    assert f'href="/o/demoshire/milestones/{m.pk}/edit/"' in html
    form = client.get(f"/o/demoshire/milestones/{m.pk}/edit/").content.decode()
    assert 'value="Recruit agency OTs"' in form and "the baseline date never changes" in form
    r = client.post(f"/o/demoshire/milestones/{m.pk}/edit/", {"title": "Recruit agency and bank OTs"})
    assert r.status_code == 302 and r["Location"] == f"/o/demoshire/milestones/{m.pk}/"
    m.refresh_from_db()
    assert m.title == "Recruit agency and bank OTs" and m.forecast_date == m.baseline_date
    assert "Recruit agency and bank OTs" in client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    assert "Recruit agency and bank OTs" in client.get(f"/o/demoshire/actions/{world['action'].pk}/").content.decode()
    history = client.get(f"/o/demoshire/history/milestone/{m.pk}/").content.decode()
    assert "Title changed from ‘Recruit agency OTs’ to ‘Recruit agency and bank OTs’" in history


def test_a_blank_milestone_title_is_refused_in_the_error_summary_naming_the_field(client, world):
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/milestones/{world['m1'].pk}/edit/", {"title": "  "})
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in html and "<title>Error:" in html
    assert "Enter the milestone&#39;s title" in html and 'href="#id_title"' in html
    world["m1"].refresh_from_db()
    assert world["m1"].title == "Recruit agency OTs"


def test_renaming_an_archived_milestone_is_refused_on_the_form(client, world):
    from carestat.plans import services
    from conftest import access_for

    services.archive(access_for(world["cast"]["manager"], world["org"]), world["m1"], reason="Merged into another")
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/milestones/{world['m1'].pk}/edit/", {"title": "Renamed"})
    assert r.status_code == 200 and "is archived, so it can no longer be changed" in r.content.decode()


def test_a_viewer_may_not_rename_a_milestone_and_sees_no_link_to(client, world):
    m = world["m1"]
    client.force_login(world["cast"]["viewer"])
    assert "/edit/" not in client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    assert client.get(f"/o/demoshire/milestones/{m.pk}/edit/").status_code == 403
    assert client.post(f"/o/demoshire/milestones/{m.pk}/edit/", {"title": "Renamed"}).status_code == 403
    m.refresh_from_db()
    assert m.title == "Recruit agency OTs"


def test_the_action_owner_may_move_a_milestones_date_but_not_rename_it(client, world):
    client.force_login(world["cast"]["contributor"])
    html = client.get(f"/o/demoshire/milestones/{world['m1'].pk}/").content.decode()
    assert "Move the forecast date" in html and "Change the title" not in html
    assert client.post(f"/o/demoshire/milestones/{world['m1'].pk}/edit/", {"title": "Mine"}).status_code == 403


def test_another_council_gets_404_for_renaming_or_restoring(client, world):
    client.force_login(world["cast"]["outsider"])
    m = world["m1"]
    assert client.get(f"/o/demoshire/milestones/{m.pk}/edit/").status_code == 404
    assert client.post(f"/o/westmarch/milestones/{m.pk}/edit/", {"title": "Renamed"}).status_code == 404
    assert client.post(f"/o/westmarch/actions/{world['action'].pk}/unarchive/",
                       {"reason": "Needed again after all"}).status_code == 404
    assert client.get(f"/o/westmarch/plans/{world['plan'].pk}/archived/").status_code == 404
    m.refresh_from_db()
    assert m.title == "Recruit agency OTs"


# Restoring archived items -------------------------------------------------------------------

def _archive(world, item, reason="Folded into theme 2"):
    from carestat.plans import services
    from conftest import access_for

    services.archive(access_for(world["cast"]["manager"], world["org"]), item, reason=reason)


def test_a_manager_restores_a_priority_from_the_archived_list(client, world):
    priority = world["priority"]
    _archive(world, priority)
    client.force_login(world["cast"]["manager"])
    listed = client.get(f"/o/demoshire/plans/{world['plan'].pk}/archived/").content.decode()
    assert "Backlog clearance" in listed and "Folded into theme 2" in listed
    assert f'href="/o/demoshire/priorities/{priority.pk}/unarchive/"' in listed
    page = client.get(f"/o/demoshire/priorities/{priority.pk}/unarchive/").content.decode()
    assert "Restore this priority or theme" in page and "Why are you restoring it?" in page
    r = client.post(f"/o/demoshire/priorities/{priority.pk}/unarchive/", {"reason": "Committee asked for it back"})
    assert r.status_code == 302
    assert r["Location"] == f"/o/demoshire/plans/{world['plan'].pk}/#priority-{priority.pk}"
    tree = client.get(r["Location"]).content.decode()
    assert f'id="priority-{priority.pk}"' in tree and "Restored priority or theme ‘Backlog clearance’" in tree
    assert "Nothing in this plan is archived" in \
        client.get(f"/o/demoshire/plans/{world['plan'].pk}/archived/").content.decode()
    history = client.get(f"/o/demoshire/history/priority/{priority.pk}/").content.decode()
    assert "restored archived priority ‘Backlog clearance’: Committee asked for it back" in history


def test_restoring_without_a_reason_is_refused_naming_the_field(client, world):
    _archive(world, world["action"])
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/actions/{world['action'].pk}/unarchive/", {"reason": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "Give the reason for restoring it" in html and 'href="#id_reason"' in html
    world["action"].refresh_from_db()
    assert world["action"].is_archived


def test_an_action_under_an_archived_objective_says_to_restore_the_objective_first(client, world):
    _archive(world, world["action"])
    _archive(world, world["objective"])
    client.force_login(world["cast"]["manager"])
    url = f"/o/demoshire/actions/{world['action'].pk}/unarchive/"
    html = client.get(url).content.decode()
    assert "It sits under objective ‘No one waits more than 28 days for an OT assessment’, which is archived" in html
    assert f'href="/o/demoshire/objectives/{world["objective"].pk}/unarchive/"' in html
    assert "Restore action" not in html and 'name="reason"' not in html
    r = client.post(url, {"reason": "Needed again after all"})
    assert r.status_code == 200 and "restore that objective first" in r.content.decode()
    world["action"].refresh_from_db()
    assert world["action"].is_archived


def test_an_archived_action_page_offers_restore_to_managers_but_not_viewers(client, world):
    _archive(world, world["action"])
    url = f"/o/demoshire/actions/{world['action'].pk}/"
    restore = f'href="/o/demoshire/actions/{world["action"].pk}/unarchive/"'
    client.force_login(world["cast"]["manager"])
    html = client.get(url).content.decode()
    assert "Restore this action" in html and restore in html
    client.force_login(world["cast"]["viewer"])
    assert "Restore this action" not in client.get(url).content.decode()
    listed = client.get(f"/o/demoshire/plans/{world['plan'].pk}/archived/").content.decode()
    assert "Clear the OT assessment backlog" in listed and restore not in listed
    assert client.post(f"/o/demoshire/actions/{world['action'].pk}/unarchive/",
                       {"reason": "Needed again after all"}).status_code == 403


def test_a_manager_restores_an_archived_milestone_from_its_page(client, world):
    m = world["m2"]
    _archive(world, m, reason="Merged into the first milestone")
    client.force_login(world["cast"]["manager"])
    html = client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    assert "Restore this milestone" in html and "Change the title" not in html
    r = client.post(f"/o/demoshire/milestones/{m.pk}/unarchive/", {"reason": "Split out again"})
    assert r.status_code == 302 and r["Location"] == f"/o/demoshire/milestones/{m.pk}/"
    assert "2 milestones" in client.get(f"/o/demoshire/plans/{world['plan'].pk}/").content.decode()


def test_an_archived_plan_is_restored_from_its_page(client, world):
    plan = world["plan"]
    _archive(world, plan, reason="Replaced by the new programme")
    client.force_login(world["cast"]["manager"])
    html = client.get(f"/o/demoshire/plans/{plan.pk}/").content.decode()
    assert "Restore this plan" in html
    r = client.post(f"/o/demoshire/plans/{plan.pk}/unarchive/", {"reason": "The new programme was withdrawn"})
    assert r.status_code == 302 and r["Location"] == f"/o/demoshire/plans/{plan.pk}/"
    assert "Adult social care improvement" in client.get("/o/demoshire/plans/").content.decode()


def test_the_restore_page_for_something_not_archived_says_so_and_offers_no_form(client, world):
    client.force_login(world["cast"]["manager"])
    html = client.get(f"/o/demoshire/milestones/{world['m1'].pk}/unarchive/").content.decode()
    assert "is not archived, so there is nothing to restore" in html and 'name="reason"' not in html


def test_the_archived_list_gives_the_latest_reason_after_an_item_is_restored_and_archived_again(client, world):
    from carestat.plans import services
    from conftest import access_for

    m = world["m2"]
    _archive(world, m, reason="Merged into the first milestone")
    services.unarchive(access_for(world["cast"]["manager"], world["org"]), m, reason="Split out again")
    _archive(world, m, reason="Provider withdrew from the contract")
    client.force_login(world["cast"]["auditor"])
    listed = client.get(f"/o/demoshire/plans/{world['plan'].pk}/archived/").content.decode()
    assert "Provider withdrew from the contract" in listed and "Merged into the first milestone" not in listed
    assert f"/o/demoshire/milestones/{m.pk}/unarchive/" not in listed
