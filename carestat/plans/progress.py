"""Read side: a plan's tree with derived status, RAG and roll-ups; the delivery list; what
changed since the last period. Pages, the API and commands all read through here, so their
numbers cannot disagree."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from carestat.core.models import Organisation, ReportingPeriod
from carestat.plans import rules
from carestat.plans.models import (
    Action,
    Milestone,
    MilestoneDateChange,
    Objective,
    PeriodSnapshot,
    Plan,
    Priority,
    rules_for,
)


@dataclass
class MilestoneNode:
    milestone: Milestone
    judgement: rules.Judgement
    slippage_days: int
    slippage_working_days: int

    @property
    def is_slipped(self) -> bool:
        return self.slippage_days > 0

    @property
    def on_delivery_list(self) -> bool:
        """Overdue, or not complete and forecast later than its baseline."""
        return self.judgement.status is rules.Status.OVERDUE or (
            self.judgement.status is not rules.Status.COMPLETE and self.is_slipped
        )


@dataclass
class ActionNode:
    action: Action
    rollup: rules.Rollup
    milestones: list[MilestoneNode] = field(default_factory=list)


@dataclass
class ObjectiveNode:
    objective: Objective
    rollup: rules.Rollup
    actions: list[ActionNode] = field(default_factory=list)


@dataclass
class PriorityNode:
    priority: Priority
    rollup: rules.Rollup
    objectives: list[ObjectiveNode] = field(default_factory=list)


@dataclass
class PlanTree:
    plan: Plan
    rollup: rules.Rollup
    priorities: list[PriorityNode]
    today: dt.date

    def actions(self) -> list[ActionNode]:
        return [a for p in self.priorities for o in p.objectives for a in o.actions]

    def milestones(self) -> list[MilestoneNode]:
        return [m for a in self.actions() for m in a.milestones]

    def delivery(self) -> list[MilestoneNode]:
        return [m for m in self.milestones() if m.on_delivery_list]

    def status_counts(self) -> Counter:
        return Counter(m.judgement.status.value for m in self.milestones())


FILTERS = ("owner", "unit", "status", "priority", "phase", "bau_or_change", "update")
# The "update" filter: the state of each action's update for the quarter due.
UPDATE_FILTERS = [("not_submitted", "Update not submitted"), ("awaiting_approval", "Awaiting approval")]


def judge_milestone(m: Milestone, action: Action, today: dt.date, settings: rules.RuleSettings,
                    org: Organisation) -> MilestoneNode:
    judgement = rules.judge_milestone(
        baseline=m.baseline_date, forecast=m.forecast_date, actual=m.actual_date, today=today,
        started=action.started(today), percent=action.percent_complete, override=m.rag_override,
        override_reason=m.rag_override_reason, rules=settings,
    )
    return MilestoneNode(m, judgement, m.slippage_days, m.slippage_working_days(org))


def judge_action(action: Action, milestones: list[MilestoneNode], today: dt.date,
                 settings: rules.RuleSettings) -> rules.Rollup:
    """An action rolls up its milestones; one without milestones is judged on its due date
    and percent complete, as if it were its own milestone."""
    if milestones:
        return rules.roll_up(m.judgement for m in milestones)
    done = action.percent_complete >= 100
    judgement = rules.judge_milestone(
        baseline=action.due, forecast=action.due, actual=min(action.due, today) if done else None, today=today,
        started=action.started(today), percent=action.percent_complete, rules=settings,
    )
    return rules.roll_up([judgement])


def _live_priorities(plans: list[Plan]):
    """The plans' live priorities with their live objectives, actions (with owner and lead
    unit) and milestones: five queries however many plans, priorities or actions there are."""
    milestones_qs = Milestone.objects.filter(is_archived=False)
    actions_qs = (
        Action.objects.filter(is_archived=False).select_related("owner", "lead_unit")
        .prefetch_related(Prefetch("milestones", queryset=milestones_qs, to_attr="live_milestones"))
    )
    return (
        Priority.objects.filter(plan__in=plans, is_archived=False)
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.filter(is_archived=False), to_attr="live_objectives"),
            Prefetch("live_objectives__actions", queryset=actions_qs, to_attr="live_actions"),
        )
    )


def plan_tree(plan: Plan, *, today: dt.date | None = None, filters: dict | None = None) -> PlanTree:
    """The plan's live tree. ``filters`` (owner id, unit id, status, priority id, phase,
    bau_or_change) keep only matching actions; roll-ups then cover what is shown."""
    today = today or timezone.localdate()
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in (None, "")}
    if filters.get("update"):
        filters["update_states"] = _update_states(plan, today)
    return _tree(plan, list(_live_priorities([plan])), rules_for(plan.organisation), today, filters)


def plan_trees(plans, *, today: dt.date | None = None) -> list[PlanTree]:
    """Each plan's live tree, unfiltered, as ``plan_tree`` gives it, read together: a list of
    plans (page, API, home tiles) costs the same few queries for 4 plans or 40. The plans must
    belong to one organisation, whose rules judge them all."""
    plans = list(plans)
    if not plans:
        return []
    today = today or timezone.localdate()
    org = plans[0].organisation
    assert all(p.organisation_id == org.pk for p in plans), "plan_trees reads one organisation's plans"
    by_plan: dict[int, list[Priority]] = {p.pk: [] for p in plans}
    for priority in _live_priorities(plans):
        by_plan[priority.plan_id].append(priority)
    settings = rules_for(org)
    for p in plans:  # judging needs the organisation (its calendar): one instance for all
        p.organisation = org
    return [_tree(p, by_plan[p.pk], settings, today, {}) for p in plans]


def _tree(plan: Plan, priorities, settings, today: dt.date, filters: dict) -> PlanTree:
    org = plan.organisation
    p_nodes = []
    for priority in priorities:
        if filters.get("priority") and str(priority.pk) != str(filters["priority"]):
            continue
        o_nodes = []
        for objective in priority.live_objectives:
            a_nodes = []
            for action in objective.live_actions:
                m_nodes = [judge_milestone(m, action, today, settings, org) for m in action.live_milestones]
                rollup = judge_action(action, m_nodes, today, settings)
                node = ActionNode(action, rollup, m_nodes)
                if _matches(node, filters):
                    a_nodes.append(node)
            if a_nodes or not filters:
                o_nodes.append(ObjectiveNode(objective, rules.roll_up(a.rollup for a in a_nodes), a_nodes))
        if o_nodes or not filters:
            p_nodes.append(PriorityNode(priority, rules.roll_up(o.rollup for o in o_nodes), o_nodes))
    return PlanTree(plan, rules.roll_up(p.rollup for p in p_nodes), p_nodes, today)


def _update_states(plan: Plan, today: dt.date) -> dict[int, str]:
    """Each action's update status for the quarter due (absent: no update yet)."""
    from carestat.plans.models import ActionUpdate
    from carestat.plans.services.updates import period_due

    period = period_due(plan.organisation, today)
    if period is None:
        return {}
    return dict(ActionUpdate.objects.filter(period=period, action__objective__priority__plan=plan)
                .values_list("action_id", "status"))


def _matches(node: ActionNode, filters: dict) -> bool:
    a = node.action
    wanted = filters.get("update")
    if wanted:
        state = filters["update_states"].get(a.pk)
        if wanted == "awaiting_approval" and state != "submitted":
            return False
        if wanted == "not_submitted" and (state in ("submitted", "approved")
                                          or node.rollup.status is rules.Status.COMPLETE):
            return False
    if filters.get("owner") and str(a.owner_id) != str(filters["owner"]):
        return False
    if filters.get("unit") and str(a.lead_unit_id) != str(filters["unit"]):
        return False
    if filters.get("phase") and a.phase != filters["phase"]:
        return False
    if filters.get("bau_or_change") and a.bau_or_change != filters["bau_or_change"]:
        return False
    if filters.get("status") and (node.rollup.status is None or node.rollup.status.value != filters["status"]):
        return False
    return True


def plan_summary(plan: Plan, today: dt.date | None = None) -> dict:
    """Headline numbers for lists: RAG, status and counts of milestones by RAG and status."""
    tree = plan_tree(plan, today=today)
    return {
        "rag": tree.rollup.rag, "status": tree.rollup.status, "counts": dict(tree.rollup.counts),
        "actions": len(tree.actions()), "milestones": len(tree.milestones()),
        "delivery": len(tree.delivery()), "status_counts": dict(tree.status_counts()),
    }


# What changed since the last period ------------------------------------------------------

@dataclass
class Changes:
    period: ReportingPeriod
    previous: ReportingPeriod | None
    added: list = field(default_factory=list)  # actions and milestones created in the period
    completed: list = field(default_factory=list)  # milestones with an actual date in the period
    slipped: list = field(default_factory=list)  # milestones that fell due in the period and were not done
    dropped: list = field(default_factory=list)  # actions and milestones archived in the period
    redated: list = field(default_factory=list)  # MilestoneDateChange rows made in the period
    rag_changes: list = field(default_factory=list)  # (milestone, previous RAG, RAG now or at close)

    @property
    def total(self) -> int:
        return sum(len(x) for x in (self.added, self.completed, self.slipped, self.dropped, self.redated))


def _in(period: ReportingPeriod, when) -> bool:
    if when is None:
        return False
    day = timezone.localtime(when).date() if isinstance(when, dt.datetime) else when
    return period.start <= day <= period.end


def changes_since_last_period(plan: Plan, period: ReportingPeriod, today: dt.date | None = None) -> Changes:
    """Added, completed, slipped, dropped and re-dated items within ``period``, and RAG moves
    against the previous quarter's frozen snapshot."""
    today = today or timezone.localdate()
    as_of = min(period.end, today)
    previous = (
        ReportingPeriod.objects.filter(organisation=plan.organisation, kind=period.kind, end__lt=period.start)
        .order_by("-end").first()
    )
    out = Changes(period, previous)
    actions = list(Action.objects.filter(objective__priority__plan=plan).select_related("owner"))
    milestones = list(Milestone.objects.filter(action__objective__priority__plan=plan).select_related("action"))
    for a in actions:
        if _in(period, a.created_at):
            out.added.append(a)
        if a.is_archived and _in(period, a.archived_at):
            out.dropped.append(a)
    for m in milestones:
        if _in(period, m.created_at):
            out.added.append(m)
        if m.is_archived and _in(period, m.archived_at):
            out.dropped.append(m)
        if m.is_archived:
            continue
        if m.actual_date and _in(period, m.actual_date):
            out.completed.append(m)
        due = m.forecast_date
        if period.start <= due <= as_of and (m.actual_date is None or m.actual_date > due):
            out.slipped.append(m)
    out.redated = list(
        MilestoneDateChange.objects.filter(milestone__action__objective__priority__plan=plan,
                                           changed_at__date__gte=period.start, changed_at__date__lte=period.end)
        .select_related("milestone", "changed_by")
    )
    if previous is not None:
        before = {s.milestone_id: s.rag for s in PeriodSnapshot.objects.filter(period=previous, plan=plan,
                                                                                milestone__isnull=False)}
        now_snap = {s.milestone_id: s.rag for s in PeriodSnapshot.objects.filter(period=period, plan=plan,
                                                                                  milestone__isnull=False)}
        if not now_snap:
            tree = plan_tree(plan, today=as_of)
            now_snap = {n.milestone.pk: n.judgement.rag.value for n in tree.milestones()}
        by_id = {m.pk: m for m in milestones}
        for pk, rag in now_snap.items():
            if pk in before and before[pk] != rag:
                out.rag_changes.append((by_id[pk], rules.Rag(before[pk]), rules.Rag(rag)))
    return out
