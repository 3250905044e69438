"""The plans API's request and response schemas, and the functions that turn plans, actions,
milestones and updates into those responses."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from carestat.core.changes import name_of
from carestat.plans import selectors
from carestat.plans.models import (
    Action,
    ActionUpdate,
    BauOrChange,
    Delivery,
    Plan,
    PlanKind,
    RagChoice,
)
from carestat.plans.progress import MilestoneNode

# "Not blank" as a pattern. Plain \S means different things to the OpenAPI document's
# readers (ECMA-262: U+0085 is not a space), to pydantic (Rust: it is) and to the services'
# str.strip() (U+001C to U+001F are spaces too), so a title of one such character passed one
# check and failed the next; spelling the class out makes all three agree.
SOLID = r"[^\s\x1c-\x1f\x85]"
FIVE_SOLID = rf"{SOLID}(.*{SOLID}){{4}}"


VERSION_HELP = ("The version of the record you read, from its `version`. If given and the record has changed "
                "since, nothing is saved and the answer is 409, naming who changed it and when: read it again "
                "and make your change on what it holds now. Leave it out to save regardless.")


def version_in(help_text: str = VERSION_HELP):
    return Field(None, ge=0, description=help_text)


class CountsOut(Schema):
    red: int = 0
    amber: int = 0
    green: int = 0
    blue: int = 0
    grey: int = 0


class PlanOut(Schema):
    id: int
    version: int
    title: str
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date
    is_archived: bool
    rag: str | None
    status: str | None
    actions: int
    milestones: int
    overdue_or_slipped: int
    counts: CountsOut


class DateChangeOut(Schema):
    old_date: dt.date
    new_date: dt.date
    reason: str
    changed_by: str
    changed_at: dt.datetime


class MilestoneOut(Schema):
    id: int
    version: int
    action_id: int
    title: str
    baseline_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None
    status: str
    rag: str
    rag_overridden: bool
    rag_override_reason: str
    slippage_days: int
    slippage_working_days: int
    date_changes: list[DateChangeOut]


class UpdateOut(Schema):
    period: str
    version: int
    status: str
    delivery: str
    percent_complete: int
    commentary: str
    next_steps: str
    recovery_action: str
    evidence_links: list[str]
    submitted_by: str | None
    reviewed_by: str | None
    review_comments: str


class ApprovalOut(UpdateOut):
    id: int
    action_id: int
    action: str
    plan_id: int
    plan: str
    lead_unit: str | None
    submitted_at: str | None


class BulkApproveIn(Schema):
    update_ids: list[int] = Field(..., description="The ids of the updates to approve (none: nothing is done)")


class BulkReturnIn(Schema):
    update_ids: list[int] = Field(..., description="The ids of the updates to return (none: nothing is done)")
    comments: str = Field(..., description="One reason, given to every owner: what they need to change")


class ActionOut(Schema):
    id: int
    version: int
    plan_id: int
    objective: str
    title: str
    owner: str | None
    owner_email: str | None
    lead_unit: str | None
    bau_or_change: str
    phase: str
    start: dt.date | None
    due: dt.date
    percent_complete: int
    rag: str | None
    status: str | None
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]


class ActionBrief(Schema):
    id: int
    version: int
    title: str
    owner: str | None
    phase: str
    due: dt.date
    percent_complete: int
    rag: str | None
    status: str | None


class ObjectiveOut(Schema):
    id: int
    version: int
    statement: str
    rag: str | None
    actions: list[ActionBrief]


class PriorityOut(Schema):
    id: int
    version: int
    title: str
    rag: str | None
    status: str | None
    counts: CountsOut
    objectives: list[ObjectiveOut]


class PlanTreeOut(PlanOut):
    priorities: list[PriorityOut]


class RedateIn(Schema):
    new_date: dt.date
    reason: str = Field(..., min_length=5, max_length=2000, pattern=FIVE_SOLID)
    version: int | None = version_in()


class OverrideIn(Schema):
    rag: RagChoice | None = Field(None, description="Leave out or null to remove the override")
    reason: str = Field("", max_length=2000)
    version: int | None = version_in()


class UpdateIn(Schema):
    delivery: Delivery
    percent_complete: int = Field(..., ge=0, le=100)
    commentary: str = Field(..., min_length=1, max_length=10000, pattern=SOLID)
    next_steps: str = Field("", max_length=10000)
    recovery_action: str = Field("", max_length=10000,
                                 description="How an action at risk or off track gets back on track; "
                                             "needed to submit an off-track update")
    evidence_links: list[str] = Field(default_factory=list, max_length=50)
    submit: bool = False
    version: int | None = version_in(
        "The version of the period's update you read, or 0 if it had none yet. If given and someone has saved "
        "the update since, nothing is saved and the answer is 409; leave it out to save regardless.")


class ReturnIn(Schema):
    comments: str = Field(..., min_length=1, max_length=5000, pattern=SOLID)


def _v(x):
    return x.value if x is not None else None


def _counts(rollup) -> dict:
    return {k: rollup.counts.get(k, 0) for k in ("red", "amber", "green", "blue", "grey")}


def _plan(plan: Plan, tree) -> dict:
    return {"id": plan.pk, "version": plan.version, "title": plan.title, "kind": plan.kind,
            "kind_label": plan.get_kind_display(),
            "start": plan.start, "end": plan.end, "is_archived": plan.is_archived, "rag": _v(tree.rollup.rag),
            "status": _v(tree.rollup.status), "actions": len(tree.actions()), "milestones": len(tree.milestones()),
            "overdue_or_slipped": len(tree.delivery()), "counts": _counts(tree.rollup)}


def _milestone(n: MilestoneNode) -> dict:
    m = n.milestone
    return {"id": m.pk, "version": m.version, "action_id": m.action_id, "title": m.title,
            "baseline_date": m.baseline_date,
            "forecast_date": m.forecast_date, "actual_date": m.actual_date, "status": n.judgement.status.value,
            "rag": n.judgement.rag.value, "rag_overridden": n.judgement.overridden,
            "rag_override_reason": n.judgement.override_reason, "slippage_days": n.slippage_days,
            "slippage_working_days": n.slippage_working_days,
            "date_changes": [{"old_date": c.old_date, "new_date": c.new_date, "reason": c.reason,
                              "changed_by": name_of(c.changed_by),
                              "changed_at": c.changed_at} for c in m.date_changes.select_related("changed_by")]}


def _update(u: ActionUpdate) -> dict:
    return {"period": u.period.identifier, "version": u.version, "status": u.status, "delivery": u.delivery,
            "percent_complete": u.percent_complete, "commentary": u.commentary, "next_steps": u.next_steps,
            "recovery_action": u.recovery_action,
            "evidence_links": u.evidence, "submitted_by": name_of(u.submitted_by, None),
            "reviewed_by": name_of(u.reviewed_by, None),
            "review_comments": u.review_comments}


def _approval(u: ActionUpdate) -> dict:
    a = u.action
    return {**_update(u), "id": u.pk, "action_id": a.pk, "action": a.title, "plan_id": a.plan.pk,
            "plan": a.plan.title, "lead_unit": a.lead_unit.name if a.lead_unit else None,
            "submitted_at": u.submitted_at.isoformat() if u.submitted_at else None}


def _action(access, action: Action) -> dict:
    progress = selectors.action_progress(access, action)
    rollup = progress.rollup
    return {"id": action.pk, "version": action.version, "plan_id": action.plan.pk,
            "objective": action.objective.statement,
            "title": action.title, "owner": name_of(action.owner, None),
            "owner_email": action.owner.email if action.owner else None,
            "lead_unit": action.lead_unit.name if action.lead_unit else None, "bau_or_change": action.bau_or_change,
            "phase": action.phase, "start": action.start, "due": action.due,
            "percent_complete": action.percent_complete, "rag": _v(rollup.rag), "status": _v(rollup.status),
            "milestones": [_milestone(n) for n in progress.milestones],
            "updates": [_update(u) for u in action.updates.select_related("period", "submitted_by", "reviewed_by")]}


def _brief(a) -> dict:
    return {"id": a.action.pk, "version": a.action.version, "title": a.action.title,
            "owner": name_of(a.action.owner, None), "phase": a.action.phase,
            "due": a.action.due, "percent_complete": a.action.percent_complete, "rag": _v(a.rollup.rag),
            "status": _v(a.rollup.status)}



class PlanIn(Schema):
    kind: PlanKind
    title: str = Field(..., min_length=1, max_length=200, pattern=SOLID)
    description: str = Field("", max_length=10000)
    owner_unit_id: int | None = None
    start: dt.date
    end: dt.date


class CreatedOut(Schema):
    id: int
    version: int
    title: str


class TitleIn(Schema):
    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)


class TitleChangeIn(TitleIn):
    version: int | None = version_in()


class StatementIn(Schema):
    statement: str = Field(..., min_length=1, max_length=5000, pattern=SOLID)


class StatementChangeIn(StatementIn):
    version: int | None = version_in()


class ActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)
    due: dt.date
    start: dt.date | None = None
    owner_email: str | None = Field(None, max_length=254)
    lead_unit_id: int | None = None
    bau_or_change: BauOrChange = BauOrChange.CHANGE
    phase: str = Field("", max_length=100)
    also_serves: list[int] = Field(default_factory=list, max_length=50, description="Objective ids")


class ActionChangeIn(ActionIn):
    version: int | None = version_in()


class PlanChangeIn(PlanIn):
    version: int | None = version_in()


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)
    baseline_date: dt.date


class MilestoneTitleIn(Schema):
    # Dates are refused here rather than ignored: the baseline never moves and the forecast
    # moves only through /redate, with a reason.
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)
    version: int | None = version_in()


class CompleteIn(Schema):
    actual_date: dt.date | None = Field(None, description="Null to record it as not yet achieved")
    version: int | None = version_in()


class ReasonIn(Schema):
    reason: str = Field(..., min_length=5, max_length=2000, pattern=FIVE_SOLID)


class RulesOut(Schema):
    at_risk_slip_days: int
    due_soon_days: int
    due_soon_below_percent: int
    overdue_red_below_percent: int
    redate_out_of_red_needs_approval: bool


class RulesIn(Schema):
    at_risk_slip_days: int | None = Field(None, ge=0, le=3650)
    due_soon_days: int | None = Field(None, ge=0, le=3650)
    due_soon_below_percent: int | None = Field(None, ge=0, le=100)
    overdue_red_below_percent: int | None = Field(None, ge=0, le=100)
    redate_out_of_red_needs_approval: bool | None = None
