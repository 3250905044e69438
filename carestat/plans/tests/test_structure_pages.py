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
