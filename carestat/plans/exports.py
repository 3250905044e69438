"""A plan's lists as CSV and Excel through the shared export helper (carestat.core.exports):
the plan with each action's RAG, status, percent complete and latest approved commentary, and the
delivery list of overdue and slipped milestones. (The importable plan workbook is plans.excel.)"""

from __future__ import annotations

from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.exports import Column, count_of, export_response
from carestat.core.permissions import Perm
from carestat.plans.models import ActionUpdate, Plan, UpdateStatus
from carestat.plans.progress import plan_tree

PLAN_COLUMNS = [
    Column("Priority", width=30), Column("Objective", width=40), Column("Action", width=40), Column("Owner"),
    Column("Lead unit"), Column("Phase"), Column("Due date", "date"), Column("Percent complete", "percent"),
    Column("Milestones", "int"), Column("RAG"), Column("Status"), Column("Latest update period"),
    Column("Latest delivery status"), Column("Latest commentary", width=60),
]
DELIVERY_COLUMNS = [
    Column("Milestone", width=40), Column("Action", width=40), Column("Owner"), Column("Original date", "date"),
    Column("Revised date", "date"), Column("Slippage (days)", "int"), Column("Slippage (working days)", "int"),
    Column("RAG"), Column("Status"),
]


def _latest_approved(actions) -> dict[int, ActionUpdate]:
    """Each action's latest approved update: what every reader of the plan may see."""
    latest: dict[int, ActionUpdate] = {}
    for u in (ActionUpdate.objects.filter(action__in=actions, status=UpdateStatus.APPROVED)
              .select_related("period").order_by("period__start", "pk")):
        latest[u.action_id] = u
    return latest


def plan_rows(plan: Plan) -> list[list]:
    tree = plan_tree(plan)
    nodes = tree.actions()
    latest = _latest_approved([n.action for n in nodes])
    rows = []
    for p in tree.priorities:
        for o in p.objectives:
            for n in o.actions:
                a, r, u = n.action, n.rollup, latest.get(n.action.pk)
                rows.append([p.priority.title, o.objective.statement, a.title,
                             a.owner.display_name if a.owner else "", a.lead_unit.name if a.lead_unit else "",
                             a.phase, a.due, a.percent_complete, len(n.milestones),
                             r.rag.label if r.rag else "", r.status.label if r.status else "",
                             u.period.identifier if u else "", u.get_delivery_display() if u else "",
                             u.commentary if u else ""])
    return rows


def delivery_rows(plan: Plan) -> list[list]:
    rows = []
    for n in plan_tree(plan).delivery():
        m = n.milestone
        rows.append([m.title, m.action.title, m.action.owner.display_name if m.action.owner else "",
                     m.baseline_date, m.forecast_date, n.slippage_days, n.slippage_working_days,
                     n.judgement.rag.label, n.judgement.status.label])
    return rows


def export(access: Access, plan: Plan, which: str, fmt: str):
    """``which`` "plan" or "delivery", as ``fmt`` "csv" or "xlsx"; an audited export."""
    access.require(Perm.VIEW)
    if which == "delivery":
        rows, columns, name, noun = delivery_rows(plan), DELIVERY_COLUMNS, "delivery", "milestone"
    else:
        rows, columns, name, noun = plan_rows(plan), PLAN_COLUMNS, "progress", "action"
    response = export_response(f"plan-{plan.pk}-{name}", "Delivery" if which == "delivery" else "Plan",
                               columns, rows, fmt=fmt)
    what = "delivery list" if which == "delivery" else "progress"
    as_ = "Excel" if fmt == "xlsx" else "CSV"
    log_action("plans.plan.exported", actor=access.user, organisation=access.organisation, record=plan,
               message=f"{access.user.display_name} exported the {what} of plan ‘{plan.title}’ as {as_} "
                       f"({count_of(len(rows), noun)})")
    return response
