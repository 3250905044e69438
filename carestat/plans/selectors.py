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
from carestat.core.permissions import Perm
from carestat.plans import rules
from carestat.plans.models import (
    Action,
    ActionUpdate,
    Milestone,
    Objective,
    PendingRedate,
    Plan,
    Priority,
    RedateStatus,
    UpdateStatus,
    rules_for,
)
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


def action_progress(access: Access, action: Action, *, today: dt.date | None = None,
                    settings: rules.RuleSettings | None = None) -> ActionProgress:
    """The action's live milestones judged by the organisation's rules (``settings``, when the
    caller judging many actions has read them once), and its roll-up."""
    today = today or timezone.localdate()
    settings = settings or rules_for(access.organisation)
    # .all() then filtering in Python uses a prefetched list (my_actions) without a query each.
    nodes = [judge_milestone(m, action, today, settings, access.organisation)
             for m in action.milestones.all() if not m.is_archived]
    return ActionProgress(action, nodes, judge_action(action, nodes, today, settings))


def current_update(action: Action, period) -> ActionUpdate | None:
    """The action's update for ``period`` (the period due), if any."""
    return ActionUpdate.objects.filter(action=action, period=period).first() if period else None


def current_updates(actions, period) -> dict[int, ActionUpdate]:
    """``current_update`` for many actions in one query: each action's update for ``period``."""
    if not period:
        return {}
    return {u.action_id: u for u in ActionUpdate.objects.filter(action__in=list(actions), period=period)}


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


# The daily view: what each person's home page and the approvals inbox read ------------------

def _due_period(org: Organisation, today: dt.date):
    from carestat.plans.services.updates import period_due

    return period_due(org, today)


def updates_due(access: Access, *, today: dt.date | None = None) -> list[Action]:
    """The person's live, unfinished actions with no update submitted or approved for the
    quarter due (a draft or a returned update still counts as due)."""
    today = today or timezone.localdate()
    period = _due_period(access.organisation, today)
    if period is None:
        return []
    done = ActionUpdate.objects.filter(period=period, status__in=[UpdateStatus.SUBMITTED, UpdateStatus.APPROVED])
    rows = my_actions(access).exclude(pk__in=done.values("action_id"))
    settings = rules_for(access.organisation)
    return [a for a in rows
            if action_progress(access, a, today=today, settings=settings).rollup.status is not rules.Status.COMPLETE]


def my_slipping_milestones(access: Access, *, today: dt.date | None = None) -> list[MilestoneNode]:
    """The person's milestones (on the actions they own) judged overdue or at risk today."""
    today = today or timezone.localdate()
    out = []
    settings = rules_for(access.organisation)
    for action in my_actions(access):
        out += [m for m in action_progress(access, action, today=today, settings=settings).milestones
                if m.judgement.status in (rules.Status.OVERDUE, rules.Status.AT_RISK)]
    return sorted(out, key=lambda m: (m.milestone.forecast_date, m.milestone.pk))


def returned_updates(access: Access) -> QuerySet[ActionUpdate]:
    """Updates on the person's live actions that a manager returned and nobody has resubmitted."""
    return (ActionUpdate.objects.filter(status=UpdateStatus.RETURNED, action__in=my_actions(access))
            .select_related("period", "action", "reviewed_by").order_by("-reviewed_at", "pk"))


def awaiting_approval(access: Access, *, plan: str = "", unit: str = "") -> list[ActionUpdate]:
    """Submitted updates on live actions that this person may approve: a manager's units (and
    those below), or everywhere for an admin or a manager with no unit. ``plan`` and ``unit``
    are ids as typed in a query string; one that is not a number matches nothing."""
    from carestat.plans.services.common import within_unit

    if not access.can(Perm.MANAGE):
        return []
    rows = (ActionUpdate.objects.filter(status=UpdateStatus.SUBMITTED, action__in=live_actions(access.organisation))
            .select_related("period", "action__lead_unit", "action__owner", "submitted_by",
                            "action__objective__priority__plan")
            .order_by("submitted_at", "pk"))
    if plan:
        rows = rows.filter(action__objective__priority__plan_id=_id(plan)) if _id(plan) else rows.none()
    if unit:
        rows = rows.filter(action__lead_unit_id=_id(unit)) if _id(unit) else rows.none()
    return [u for u in rows if within_unit(access, u.action.lead_unit)]


def pending_redates(access: Access) -> list[PendingRedate]:
    """Re-datings out of red held for a manager, on live milestones within this person's units."""
    from carestat.plans.services.common import within_unit

    if not access.can(Perm.MANAGE):
        return []
    rows = (PendingRedate.objects.filter(status=RedateStatus.PENDING, milestone__is_archived=False,
                                         milestone__action__in=live_actions(access.organisation))
            .select_related("milestone__action__lead_unit", "requested_by").order_by("requested_at", "pk"))
    return [r for r in rows if within_unit(access, r.milestone.action.lead_unit)]


def inbox_filter_options(access: Access) -> dict[str, list[tuple[str, str]]]:
    """The plans and lead units of everything awaiting this person's approval, to filter by."""
    rows = awaiting_approval(access)
    plans_ = {u.action.plan.pk: u.action.plan.title for u in rows}
    units = {u.action.lead_unit.pk: u.action.lead_unit.name for u in rows if u.action.lead_unit}
    return {"plan": [(str(k), v) for k, v in sorted(plans_.items(), key=lambda kv: kv[1])],
            "unit": [(str(k), v) for k, v in sorted(units.items(), key=lambda kv: kv[1])]}


def managed_plans(access: Access) -> QuerySet[Plan]:
    """The live plans a manager looks after: owned by their unit or one below it (every plan
    for an admin or a manager with no unit)."""
    from carestat.plans.services.common import within_unit

    rows = plans(access.organisation)
    keep = [p.pk for p in rows if within_unit(access, p.owner_unit)]
    return rows.filter(pk__in=keep)


def _id(text: str) -> int | None:
    text = str(text)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
