"""Plans' rows in the role-by-address access matrix (tests/test_access_matrix.py).

The contributor owns the action, so they may update it; managers (without a unit, so across
the organisation) and admins may also review; viewers and auditors read."""

from django.utils import timezone

from carestat.analytics.periods import quarter_of
from carestat.plans import services
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
UPDATERS = {"admin", "manager", "contributor"}
MANAGERS = {"admin", "manager"}


def build(w):
    cast, org = w["cast"], w["org"]
    world = small_plan(org, cast["admin"], cast["contributor"])
    today = timezone.localdate()
    q = quarter_of(today)
    period = quarter(org, q.label, q.start, q.end)
    update = services.save_update(access_for(cast["contributor"], org), world["action"], period,
                                  delivery="on_track", percent_complete=30, commentary="Going well", submit=True)
    w["period"] = period
    w["plan"], w["action"], w["milestone"], w["update"] = world["plan"], world["action"], world["m1"], update
    w["priority"], w["objective"], w["ot"] = world["priority"], world["objective"], world["ot"]
    _build_archived(w, access_for(cast["admin"], org))


def _build_archived(w, a):
    """One archived item of each kind, each under live parents, for the rows that restore them."""
    plan, due = w["plan"], w["action"].due
    old = services.create_plan(a, kind="improvement", title="Previous improvement plan", start=plan.start,
                               end=plan.end)
    priority = services.add_priority(a, plan, title="Old theme")
    objective = services.add_objective(a, w["priority"], statement="An objective set aside")
    action = services.add_action(a, w["objective"], title="Use agency assessors", due=due, lead_unit=w["ot"])
    milestone = services.add_milestone(a, w["action"], title="Bank staff trained", baseline_date=due)
    for item in (old, priority, objective, action, milestone):
        services.archive(a, item, reason="Set aside at the last review")
    w["archived_plan"], w["archived_priority"], w["archived_objective"] = old, priority, objective
    w["archived_action"], w["archived_milestone"] = action, milestone


def _update(w):
    return {"period": w["period"].identifier, "delivery": "on_track", "percent_complete": "35",
            "commentary": "More progress", "submit": "1"}


PAGES = [
    ("plans:list", "get", lambda w: "/o/demoshire/plans/", ALL, None),
    ("plans:mine", "get", lambda w: "/o/demoshire/plans/my-actions/", ALL, None),
    ("plans:inbox", "get", lambda w: "/o/demoshire/plans/approvals/", MANAGERS, None),
    ("plans:inbox", "post", lambda w: "/o/demoshire/plans/approvals/", MANAGERS,
     lambda w: {"updates": [str(w["update"].pk)], "decision": "approve"}),
    ("plans:redate_decide", "post", lambda w: "/o/demoshire/plans/approvals/redates/999999/", MANAGERS,
     lambda w: {"decision": "approve"}),
    ("plans:template", "get", lambda w: "/o/demoshire/plans/template.xlsx", ALL, None),
    ("plans:import", "get", lambda w: "/o/demoshire/plans/import/", MANAGERS, None),
    ("plans:import", "post", lambda w: "/o/demoshire/plans/import/", MANAGERS, dict),
    ("plans:tree", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/", ALL, None),
    ("plans:delivery", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/delivery/", ALL, None),
    ("plans:progress_csv", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/progress.csv", ALL, None),
    ("plans:progress_xlsx", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/progress.xlsx", ALL, None),
    ("plans:delivery_csv", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/delivery.csv", ALL, None),
    ("plans:delivery_xlsx", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/delivery.xlsx", ALL, None),
    ("plans:timeline", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/timeline/", ALL, None),
    ("plans:changes", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/changes/", ALL, None),
    ("plans:export", "get", lambda w: f"/o/demoshire/plans/{w['plan'].pk}/export.xlsx", ALL, None),
    ("plans:action", "get", lambda w: f"/o/demoshire/actions/{w['action'].pk}/", ALL, None),
    ("plans:action", "post", lambda w: f"/o/demoshire/actions/{w['action'].pk}/", UPDATERS, _update),
    ("plans:review", "post",
     lambda w: f"/o/demoshire/actions/{w['action'].pk}/updates/{w['period'].identifier}/review/", MANAGERS,
     lambda w: {"decision": "approve"}),
    ("plans:milestone", "get", lambda w: f"/o/demoshire/milestones/{w['milestone'].pk}/", ALL, None),
    ("plans:milestone", "post", lambda w: f"/o/demoshire/milestones/{w['milestone'].pk}/", UPDATERS,
     lambda w: {"op": "redate", "new_date-day": "1", "new_date-month": "1", "new_date-year": "2031",
                "reason": "Recruitment slower than planned"}),
]

def _date(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _plan_form(w):
    return {"title": "Portfolio plan", "kind": "portfolio", "owner_unit": "",
            **_date("start", w["plan"].start), **_date("end", w["plan"].end)}


def _action_form(w):
    return {"title": "Audit case files", "owner": str(w["cast"]["contributor"].pk), "lead_unit": str(w["ot"].pk),
            "bau_or_change": "bau", "phase": "Year 2", **_date("due", w["action"].due)}


ARCHIVE = {"reason": "Superseded by the new plan"}
ORG = "/o/demoshire"

# Keeping a plan's structure: managers and admins; the rules: admins only.
PAGES += [
    ("plans:new", "get", lambda w: f"{ORG}/plans/new/", MANAGERS, None),
    ("plans:new", "post", lambda w: f"{ORG}/plans/new/", MANAGERS, _plan_form),
    ("plans:rules", "get", lambda w: f"{ORG}/plans/rules/", {"admin"}, None),
    ("plans:rules", "post", lambda w: f"{ORG}/plans/rules/", {"admin"},
     lambda w: {"at_risk_slip_days": "10", "due_soon_days": "14", "due_soon_below_percent": "75",
                "overdue_red_below_percent": "50"}),
    ("plans:edit", "get", lambda w: f"{ORG}/plans/{w['plan'].pk}/edit/", MANAGERS, None),
    ("plans:edit", "post", lambda w: f"{ORG}/plans/{w['plan'].pk}/edit/", MANAGERS, _plan_form),
    ("plans:archive", "get", lambda w: f"{ORG}/plans/{w['plan'].pk}/archive/", MANAGERS, None),
    ("plans:archive", "post", lambda w: f"{ORG}/plans/{w['plan'].pk}/archive/", MANAGERS, lambda w: ARCHIVE),
    ("plans:priority_new", "get", lambda w: f"{ORG}/plans/{w['plan'].pk}/priorities/new/", MANAGERS, None),
    ("plans:priority_new", "post", lambda w: f"{ORG}/plans/{w['plan'].pk}/priorities/new/", MANAGERS,
     lambda w: {"title": "Safeguarding"}),
    ("plans:priority_edit", "get", lambda w: f"{ORG}/priorities/{w['priority'].pk}/edit/", MANAGERS, None),
    ("plans:priority_edit", "post", lambda w: f"{ORG}/priorities/{w['priority'].pk}/edit/", MANAGERS,
     lambda w: {"title": "Backlogs"}),
    ("plans:priority_archive", "get", lambda w: f"{ORG}/priorities/{w['priority'].pk}/archive/", MANAGERS, None),
    ("plans:priority_archive", "post", lambda w: f"{ORG}/priorities/{w['priority'].pk}/archive/", MANAGERS,
     lambda w: ARCHIVE),
    ("plans:objective_new", "get", lambda w: f"{ORG}/priorities/{w['priority'].pk}/objectives/new/", MANAGERS, None),
    ("plans:objective_new", "post", lambda w: f"{ORG}/priorities/{w['priority'].pk}/objectives/new/", MANAGERS,
     lambda w: {"statement": "People are safe"}),
    ("plans:objective_edit", "get", lambda w: f"{ORG}/objectives/{w['objective'].pk}/edit/", MANAGERS, None),
    ("plans:objective_edit", "post", lambda w: f"{ORG}/objectives/{w['objective'].pk}/edit/", MANAGERS,
     lambda w: {"statement": "No one waits more than 21 days"}),
    ("plans:objective_archive", "get", lambda w: f"{ORG}/objectives/{w['objective'].pk}/archive/", MANAGERS, None),
    ("plans:objective_archive", "post", lambda w: f"{ORG}/objectives/{w['objective'].pk}/archive/", MANAGERS,
     lambda w: ARCHIVE),
    ("plans:action_new", "get", lambda w: f"{ORG}/objectives/{w['objective'].pk}/actions/new/", MANAGERS, None),
    ("plans:action_new", "post", lambda w: f"{ORG}/objectives/{w['objective'].pk}/actions/new/", MANAGERS,
     _action_form),
    ("plans:action_edit", "get", lambda w: f"{ORG}/actions/{w['action'].pk}/edit/", MANAGERS, None),
    ("plans:action_edit", "post", lambda w: f"{ORG}/actions/{w['action'].pk}/edit/", MANAGERS, _action_form),
    ("plans:action_archive", "get", lambda w: f"{ORG}/actions/{w['action'].pk}/archive/", MANAGERS, None),
    ("plans:action_archive", "post", lambda w: f"{ORG}/actions/{w['action'].pk}/archive/", MANAGERS,
     lambda w: ARCHIVE),
    ("plans:milestone_new", "get", lambda w: f"{ORG}/actions/{w['action'].pk}/milestones/new/", MANAGERS, None),
    ("plans:milestone_new", "post", lambda w: f"{ORG}/actions/{w['action'].pk}/milestones/new/", MANAGERS,
     lambda w: {"title": "Audit framework agreed", **_date("baseline_date", w["action"].due)}),
    ("plans:milestone_archive", "get", lambda w: f"{ORG}/milestones/{w['milestone'].pk}/archive/", MANAGERS, None),
    ("plans:milestone_archive", "post", lambda w: f"{ORG}/milestones/{w['milestone'].pk}/archive/", MANAGERS,
     lambda w: ARCHIVE),
]

RESTORE = {"reason": "Needed again after the review"}

# Renaming a milestone, restoring archived items and listing them.
PAGES += [
    ("plans:archived", "get", lambda w: f"{ORG}/plans/{w['plan'].pk}/archived/", ALL, None),
    ("plans:milestone_edit", "get", lambda w: f"{ORG}/milestones/{w['milestone'].pk}/edit/", MANAGERS, None),
    ("plans:milestone_edit", "post", lambda w: f"{ORG}/milestones/{w['milestone'].pk}/edit/", MANAGERS,
     lambda w: {"title": "Recruit agency and bank OTs"}),
    ("plans:unarchive", "get", lambda w: f"{ORG}/plans/{w['archived_plan'].pk}/unarchive/", MANAGERS, None),
    ("plans:unarchive", "post", lambda w: f"{ORG}/plans/{w['archived_plan'].pk}/unarchive/", MANAGERS,
     lambda w: RESTORE),
    ("plans:priority_unarchive", "get", lambda w: f"{ORG}/priorities/{w['archived_priority'].pk}/unarchive/",
     MANAGERS, None),
    ("plans:priority_unarchive", "post", lambda w: f"{ORG}/priorities/{w['archived_priority'].pk}/unarchive/",
     MANAGERS, lambda w: RESTORE),
    ("plans:objective_unarchive", "get", lambda w: f"{ORG}/objectives/{w['archived_objective'].pk}/unarchive/",
     MANAGERS, None),
    ("plans:objective_unarchive", "post", lambda w: f"{ORG}/objectives/{w['archived_objective'].pk}/unarchive/",
     MANAGERS, lambda w: RESTORE),
    ("plans:action_unarchive", "get", lambda w: f"{ORG}/actions/{w['archived_action'].pk}/unarchive/",
     MANAGERS, None),
    ("plans:action_unarchive", "post", lambda w: f"{ORG}/actions/{w['archived_action'].pk}/unarchive/",
     MANAGERS, lambda w: RESTORE),
    ("plans:milestone_unarchive", "get", lambda w: f"{ORG}/milestones/{w['archived_milestone'].pk}/unarchive/",
     MANAGERS, None),
    ("plans:milestone_unarchive", "post", lambda w: f"{ORG}/milestones/{w['archived_milestone'].pk}/unarchive/",
     MANAGERS, lambda w: RESTORE),
]

A = "/api/v1/organisations/demoshire"
API = [
    ("get", f"{A}/plans", ALL, None),
    ("get", A + "/plans/{plan.pk}", ALL, None),
    ("get", A + "/plans/{plan.pk}/delivery", ALL, None),
    ("get", f"{A}/my-actions", ALL, None),
    ("get", f"{A}/approvals", MANAGERS, None),
    ("post", f"{A}/approvals/approve", MANAGERS, {"update_ids": []}),
    ("post", f"{A}/approvals/return", MANAGERS, {"update_ids": [], "comments": "Add the figures"}),
    ("get", A + "/actions/{action.pk}", ALL, None),
    ("get", A + "/milestones/{milestone.pk}", ALL, None),
    ("post", A + "/milestones/{milestone.pk}/redate", UPDATERS,
     {"new_date": "2031-01-01", "reason": "Recruitment slower than planned"}),
    ("post", A + "/milestones/{milestone.pk}/override", MANAGERS, {"rag": "red", "reason": "Provider gave notice"}),
    ("put", A + "/actions/{action.pk}/updates/{period.identifier}", UPDATERS,
     {"delivery": "on_track", "percent_complete": 35, "commentary": "More progress", "submit": True}),
    ("post", A + "/actions/{action.pk}/updates/{period.identifier}/approve", MANAGERS, {}),
    ("post", A + "/actions/{action.pk}/updates/{period.identifier}/return", MANAGERS, {"comments": "Add the figures"}),
    ("post", f"{A}/plans", MANAGERS, {"kind": "portfolio", "title": "Portfolio plan", "start": "2026-04-01",
                                      "end": "2029-03-31"}),
    ("post", A + "/plans/{plan.pk}/priorities", MANAGERS, {"title": "Safeguarding"}),
    ("post", A + "/priorities/{priority.pk}/objectives", MANAGERS, {"statement": "People are safe"}),
    ("post", A + "/objectives/{objective.pk}/actions", MANAGERS,
     {"title": "Audit case files", "due": "2027-03-31"}),
    ("post", A + "/actions/{action.pk}/milestones", MANAGERS, {"title": "Audit framework agreed",
                                                               "baseline_date": "2027-01-29"}),
    ("post", A + "/milestones/{milestone.pk}/complete", UPDATERS, {"actual_date": None}),
    ("post", A + "/milestones/{milestone.pk}/archive", MANAGERS, {"reason": "Merged into another milestone"}),
    ("post", A + "/actions/{action.pk}/archive", MANAGERS, {"reason": "Superseded by the new plan"}),
    ("put", A + "/plans/{plan.pk}", MANAGERS, {"kind": "improvement", "title": "Adult social care improvement",
                                               "start": "2026-04-01", "end": "2029-03-31"}),
    ("put", A + "/priorities/{priority.pk}", MANAGERS, {"title": "Waiting lists"}),
    ("put", A + "/objectives/{objective.pk}", MANAGERS, {"statement": "No one waits more than 21 days"}),
    ("put", A + "/actions/{action.pk}", MANAGERS, {"title": "Clear the OT backlog", "due": "2027-03-31"}),
    ("post", A + "/milestones/{milestone.pk}/rename", MANAGERS, {"title": "Recruit agency and bank OTs"}),
    ("post", A + "/plans/{plan.pk}/archive", MANAGERS, ARCHIVE),
    ("post", A + "/priorities/{priority.pk}/archive", MANAGERS, ARCHIVE),
    ("post", A + "/objectives/{objective.pk}/archive", MANAGERS, ARCHIVE),
    ("post", A + "/plans/{archived_plan.pk}/unarchive", MANAGERS, RESTORE),
    ("post", A + "/priorities/{archived_priority.pk}/unarchive", MANAGERS, RESTORE),
    ("post", A + "/objectives/{archived_objective.pk}/unarchive", MANAGERS, RESTORE),
    ("post", A + "/actions/{archived_action.pk}/unarchive", MANAGERS, RESTORE),
    ("post", A + "/milestones/{archived_milestone.pk}/unarchive", MANAGERS, RESTORE),
    ("get", f"{A}/plan-rules", ALL, None),
    ("patch", f"{A}/plan-rules", {"admin"}, {"overdue_red_below_percent": 50}),
]
