"""What plan pages, the API and the command line read: one query per list, so the three
can never disagree about which records a list holds.

Each takes the person's access (or their organisation) and returns rows of that
organisation only; none changes anything. Business rules for changes stay in services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from carestat.core.access import Access
from carestat.core.archiving import archive_reasons
from carestat.core.models import Membership, Organisation, Unit
from carestat.plans.models import Action, ActionUpdate, Milestone, Objective, Plan, Priority, rules_for
from carestat.plans.progress import MilestoneNode, judge_action, judge_milestone
from carestat.plans.rules import Rollup

# What a plan item is called in the audit trail's action names ("plans.<kind>.archived").
ARCHIVABLE_KINDS = ("plan", "priority", "objective", "action", "milestone")


def plans(org: Organisation, *, archived: bool = False) -> QuerySet[Plan]:
    """The organisation's plans; archived ones too when ``archived``."""
    rows = Plan.objects.filter(organisation=org).select_related("owner_unit")
    return rows if archived else rows.filter(is_archived=False)


def live_actions(org: Organisation) -> QuerySet[Action]:
    """Actions that count in a plan: neither they nor anything above them is archived."""
    return Action.objects.filter(is_archived=False, objective__is_archived=False,
                                 objective__priority__is_archived=False,
                                 objective__priority__plan__is_archived=False,
                                 objective__priority__plan__organisation=org)


def my_actions(access: Access) -> QuerySet[Action]:
    """The live actions the person owns in this organisation ("My actions")."""
    return (live_actions(access.organisation).filter(owner=access.user)
            .select_related("objective__priority__plan", "lead_unit", "owner").prefetch_related("milestones"))


@dataclass
class ActionProgress:
    """An action judged today: its live milestones judged one by one, and their roll-up."""

    action: Action
    milestones: list[MilestoneNode]
    rollup: Rollup


def action_progress(access: Access, action: Action, *, today: dt.date | None = None) -> ActionProgress:
    """The action's live milestones judged by the organisation's rules, and its roll-up."""
    today = today or timezone.localdate()
    settings = rules_for(access.organisation)
    # .all() then filtering in Python uses a prefetched list (my_actions) without a query each.
    nodes = [judge_milestone(m, action, today, settings, access.organisation)
             for m in action.milestones.all() if not m.is_archived]
    return ActionProgress(action, nodes, judge_action(action, nodes, today, settings))


def current_update(action: Action, period) -> ActionUpdate | None:
    """The action's update for ``period`` (the period due), if any."""
    return ActionUpdate.objects.filter(action=action, period=period).first() if period else None


def filter_options(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """The owners, lead units, live priorities and phases a plan's tree can be filtered by."""
    actions = Action.objects.filter(objective__priority__plan=plan, is_archived=False)
    owners = Membership.objects.filter(organisation=plan.organisation,
                                       user__in=actions.values("owner")).select_related("user")
    units = Unit.objects.filter(pk__in=actions.values("lead_unit"))
    phases = sorted({p for p in actions.values_list("phase", flat=True) if p})
    return {
        "owner": [(str(m.user_id), m.user.display_name) for m in owners],
        "unit": [(str(u.pk), u.name) for u in units],
        "priority": [(str(p.pk), p.title) for p in plan.priorities.filter(is_archived=False)],
        "phase": [(p, p) for p in phases],
    }


@dataclass
class ArchivedItem:
    item: Priority | Objective | Action | Milestone
    kind: str
    reason: str


def archived_items(plan: Plan) -> list[ArchivedItem]:
    """The plan's archived priorities, objectives, actions and milestones, newest first, each
    with the reason given when it was last archived (from the audit trail)."""
    found = [
        *Priority.objects.filter(plan=plan, is_archived=True).select_related("plan"),
        *Objective.objects.filter(priority__plan=plan, is_archived=True).select_related("priority__plan"),
        *Action.objects.filter(objective__priority__plan=plan, is_archived=True)
        .select_related("objective__priority__plan", "lead_unit"),
        *Milestone.objects.filter(action__objective__priority__plan=plan, is_archived=True)
        .select_related("action__objective__priority__plan", "action__lead_unit"),
    ]
    reasons = archive_reasons(plan.organisation, [f"plans.{k}.archived" for k in ARCHIVABLE_KINDS],
                              {i.pk for i in found})
    rows = [ArchivedItem(item, item._meta.model_name, reasons.get((item._meta.model_name, str(item.pk)), ""))
            for item in found]
    rows.sort(key=lambda r: r.item.archived_at or timezone.now(), reverse=True)
    return rows
