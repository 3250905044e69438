"""Read side: the tracker with filters and overdue flags, a recommendation's linked actions
with their status and RAG from the plan, and counts per source. Pages, the API, the command
and the report section all read through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from carestat.analytics import governance as rules
from carestat.governance.models import ExtensionStatus, Recommendation
from carestat.plans import rules as plan_rules
from carestat.plans.models import Action, rules_for
from carestat.plans.progress import judge_action, judge_milestone

FILTERS = ("source", "status", "overdue", "owner", "board")


def tracker(org, *, filters: dict | None = None, today: dt.date | None = None):
    """The organisation's recommendations, filtered by source, status, owner, board and overdue."""
    today = today or timezone.localdate()
    f = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in (None, "")}
    rows = (Recommendation.objects.filter(organisation=org).select_related("owner", "board")
            .annotate(approved_extensions=Count("extensions", filter=Q(extensions__status=ExtensionStatus.APPROVED))))
    if f.get("source"):
        rows = rows.filter(source=f["source"])
    if f.get("status"):
        rows = rows.filter(status=f["status"])
    if f.get("owner"):
        rows = rows.filter(owner_id=f["owner"] if str(f["owner"]).isdigit() else -1)
    if f.get("board"):
        rows = rows.filter(board_id=f["board"] if str(f["board"]).isdigit() else -1)
    if f.get("overdue") in ("1", "yes", "true", True):
        rows = rows.filter(status__in=rules.LIVE, due_date__lt=today)
    return list(rows)


def counts(org, today: dt.date | None = None) -> rules.TrackerCounts:
    today = today or timezone.localdate()
    return rules.tracker_counts(
        [rules.Row(r.source, r.status, r.due_date, r.approved_extensions > 0) for r in tracker(org, today=today)],
        today)


@dataclass
class LinkedAction:
    action: Action
    status: plan_rules.Status | None
    rag: plan_rules.Rag | None
    percent: int


def linked_actions(rec: Recommendation, today: dt.date | None = None) -> list[LinkedAction]:
    """Each linked action's status and RAG, derived by the plans rules as the plan shows them."""
    today = today or timezone.localdate()
    settings = rules_for(rec.organisation)
    out = []
    for a in rec.actions.select_related("objective__priority__plan", "owner").prefetch_related("milestones"):
        nodes = [judge_milestone(m, a, today, settings, rec.organisation) for m in a.milestones.all()
                 if not m.is_archived]
        rollup = judge_action(a, nodes, today, settings)
        out.append(LinkedAction(a, rollup.status, rollup.rag, a.percent_complete))
    return out


def overall(links: list[LinkedAction]) -> tuple[plan_rules.Status | None, plan_rules.Rag | None]:
    """The worst status and RAG of the linked actions: the recommendation's progress from the plan."""
    return (plan_rules.worst_status(x.status for x in links if x.status),
            plan_rules.worst_rag(x.rag for x in links if x.rag))
