"""Plans in the JSON API: the same scoped getters, services and derived numbers as the pages."""

from __future__ import annotations

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from carestat.core.access import get_period_for_user, org_access
from carestat.core.api import ERRORS
from carestat.core.errors import InvalidInput
from carestat.core.permissions import Perm
from carestat.plans import selectors, services
from carestat.plans.access import (
    get_action_for_user,
    get_milestone_for_user,
    get_objective_for_user,
    get_plan_for_user,
    get_priority_for_user,
    get_update_for_user,
)
from carestat.plans.models import (
    Objective,
    rules_for,
)
from carestat.plans.progress import judge_milestone, plan_tree, plan_trees
from carestat.plans.schemas import (  # noqa: F401 (schemas stay importable from here)
    FIVE_SOLID,
    SOLID,
    VERSION_HELP,
    ActionBrief,
    ActionChangeIn,
    ActionIn,
    ActionOut,
    ApprovalOut,
    BulkApproveIn,
    BulkReturnIn,
    CompleteIn,
    CountsOut,
    CreatedOut,
    DateChangeOut,
    MilestoneIn,
    MilestoneOut,
    MilestoneTitleIn,
    ObjectiveOut,
    OverrideIn,
    PlanChangeIn,
    PlanIn,
    PlanOut,
    PlanTreeOut,
    PriorityOut,
    ReasonIn,
    RedateIn,
    ReturnIn,
    RulesIn,
    RulesOut,
    StatementChangeIn,
    StatementIn,
    TitleChangeIn,
    TitleIn,
    UpdateIn,
    UpdateOut,
    _action,
    _approval,
    _brief,
    _counts,
    _milestone,
    _plan,
    _update,
    _v,
    version_in,
)

router = Router(tags=["plans"])

P = "/organisations/{slug}"


@router.get(P + "/plans", response={200: list[PlanOut], **ERRORS}, summary="Plans with their RAG and counts")
def plans(request, slug: str, archived: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    return [_plan(t.plan, t) for t in plan_trees(selectors.plans(access.organisation, archived=archived))]


@router.get(P + "/plans/{plan_id}", response={200: PlanTreeOut, **ERRORS},
            summary="A plan's tree: priorities, objectives and actions with rolled-up RAG")
def plan(request, slug: str, plan_id: int, update: str = ""):
    """``update`` keeps only actions whose update for the quarter due is ``not_submitted``
    or ``awaiting_approval``, as the plan tree's filter does."""
    access = org_access(request, slug, Perm.VIEW)
    p = get_plan_for_user(access, plan_id)
    tree = plan_tree(p, filters={"update": update})
    return {**_plan(p, tree), "priorities": [
        {"id": pn.priority.pk, "version": pn.priority.version, "title": pn.priority.title,
         "rag": _v(pn.rollup.rag), "status": _v(pn.rollup.status),
         "counts": _counts(pn.rollup),
         "objectives": [{"id": o.objective.pk, "version": o.objective.version,
                         "statement": o.objective.statement, "rag": _v(o.rollup.rag),
                         "actions": [_brief(a) for a in o.actions]} for o in pn.objectives]}
        for pn in tree.priorities]}


@router.get(P + "/plans/{plan_id}/delivery", response={200: list[MilestoneOut], **ERRORS},
            summary="Overdue and slipped milestones, with original and revised dates and slippage")
def delivery(request, slug: str, plan_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return [_milestone(n) for n in plan_tree(get_plan_for_user(access, plan_id)).delivery()]


@router.get(P + "/my-actions", response={200: list[ActionOut], **ERRORS}, summary="Actions you own")
def my_actions(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_action(access, a) for a in selectors.my_actions(access)]


@router.get(P + "/actions/{action_id}", response={200: ActionOut, **ERRORS},
            summary="An action with its milestones, their date changes, and its period updates")
def action(request, slug: str, action_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _action(access, get_action_for_user(access, action_id))


def _one_milestone(access, m) -> dict:
    return _milestone(judge_milestone(m, m.action, timezone.localdate(), rules_for(access.organisation),
                                      access.organisation))


@router.get(P + "/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS})
def milestone(request, slug: str, milestone_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _one_milestone(access, get_milestone_for_user(access, milestone_id))


@router.post(P + "/milestones/{milestone_id}/redate", response={200: MilestoneOut, 202: MilestoneOut, **ERRORS},
             summary="Move a milestone's forecast date, with a reason (action owner or manager); 202 with the "
                     "milestone unchanged when the organisation holds a re-dating out of red for a manager")
def redate(request, slug: str, milestone_id: int, payload: RedateIn):
    from carestat.plans.models import PendingRedate

    access = org_access(request, slug, Perm.VIEW)
    m = get_milestone_for_user(access, milestone_id)
    done = services.redate_milestone(access, m, new_date=payload.new_date, reason=payload.reason,
                                     expected_version=payload.version)
    if isinstance(done, PendingRedate):
        return Status(202, _one_milestone(access, get_milestone_for_user(access, milestone_id)))
    return _one_milestone(access, get_milestone_for_user(access, milestone_id))


@router.post(P + "/milestones/{milestone_id}/override", response={200: MilestoneOut, **ERRORS},
             summary="Set or remove a manual RAG, with a reason (managers)")
def override(request, slug: str, milestone_id: int, payload: OverrideIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_milestone_for_user(access, milestone_id)
    services.override_rag(access, m, rag=payload.rag.value if payload.rag else "", reason=payload.reason,
                          expected_version=payload.version)
    return _one_milestone(access, get_milestone_for_user(access, milestone_id))


@router.put(P + "/actions/{action_id}/updates/{identifier}", response={200: UpdateOut, **ERRORS},
            summary="Save or submit the action's update for a period (its owner, or a manager)")
def put_update(request, slug: str, action_id: int, identifier: str, payload: UpdateIn):
    access = org_access(request, slug, Perm.VIEW)
    a = get_action_for_user(access, action_id)
    period = get_period_for_user(access, identifier)
    u = services.save_update(access, a, period, delivery=payload.delivery, percent_complete=payload.percent_complete,
                             commentary=payload.commentary, next_steps=payload.next_steps,
                             recovery_action=payload.recovery_action,
                             evidence_links="\n".join(payload.evidence_links), submit=payload.submit,
                             expected_version=payload.version)
    return _update(u)


@router.post(P + "/actions/{action_id}/updates/{identifier}/approve", response={200: UpdateOut, **ERRORS},
             summary="Approve a submitted update (managers of the action's unit)")
def approve(request, slug: str, action_id: int, identifier: str):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    u = get_update_for_user(access, get_action_for_user(access, action_id), identifier)
    return _update(services.approve_update(access, u))


@router.post(P + "/actions/{action_id}/updates/{identifier}/return", response={200: UpdateOut, **ERRORS},
             summary="Return a submitted update to its owner with comments (managers of the action's unit)")
def return_(request, slug: str, action_id: int, identifier: str, payload: ReturnIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    u = get_update_for_user(access, get_action_for_user(access, action_id), identifier)
    return _update(services.return_update(access, u, comments=payload.comments))


@router.get(P + "/approvals", response={200: list[ApprovalOut], **ERRORS},
            summary="Updates awaiting your approval (managers), filtered by plan and lead unit ids")
def approvals(request, slug: str, plan: str = "", unit: str = ""):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    return [_approval(u) for u in selectors.awaiting_approval(access, plan=plan, unit=unit)]


def _bulk(access, ids: list[int]):
    waiting = {u.pk: u for u in selectors.awaiting_approval(access)}
    missing = [i for i in ids if i not in waiting]
    if missing:
        raise InvalidInput(f"Update {missing[0]} is not awaiting your approval", field="update_ids")
    return [waiting[i] for i in ids]


@router.post(P + "/approvals/approve", response={200: list[ApprovalOut], **ERRORS},
             summary="Approve several submitted updates at once: all or none, each audited")
def approvals_approve(request, slug: str, payload: BulkApproveIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    if not payload.update_ids:
        return []
    done = services.review_updates(access, _bulk(access, payload.update_ids), decision="approve")
    return [_approval(u) for u in done]


@router.post(P + "/approvals/return", response={200: list[ApprovalOut], **ERRORS},
             summary="Return several submitted updates with one reason: all or none, each audited")
def approvals_return(request, slug: str, payload: BulkReturnIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    if not payload.update_ids:
        return []
    done = services.review_updates(access, _bulk(access, payload.update_ids), decision="return",
                                   comments=payload.comments)
    return [_approval(u) for u in done]


def _unit(access, unit_id):
    from carestat.core.access import get_unit_for_user

    return get_unit_for_user(access, unit_id) if unit_id is not None else None


@router.post(P + "/plans", response={201: CreatedOut, **ERRORS}, summary="Create a plan (managers)")
def create_plan(request, slug: str, payload: PlanIn):
    access = org_access(request, slug, Perm.VIEW)
    p = services.create_plan(access, kind=payload.kind, title=payload.title, description=payload.description,
                             owner_unit=_unit(access, payload.owner_unit_id), start=payload.start, end=payload.end)
    return Status(201, {"id": p.pk, "version": p.version, "title": p.title})


@router.post(P + "/plans/{plan_id}/priorities", response={201: CreatedOut, **ERRORS},
             summary="Add a priority or theme to a plan (managers)")
def add_priority(request, slug: str, plan_id: int, payload: TitleIn):
    access = org_access(request, slug, Perm.VIEW)
    p = services.add_priority(access, get_plan_for_user(access, plan_id), title=payload.title)
    return Status(201, {"id": p.pk, "version": p.version, "title": p.title})


@router.post(P + "/priorities/{priority_id}/objectives", response={201: CreatedOut, **ERRORS},
             summary="Add an objective (statement) to a priority (managers)")
def add_objective(request, slug: str, priority_id: int, payload: StatementIn):
    access = org_access(request, slug, Perm.VIEW)
    o = services.add_objective(access, get_priority_for_user(access, priority_id), statement=payload.statement)
    return Status(201, {"id": o.pk, "version": o.version, "title": o.statement})


def _owner(access, email: str | None):
    """The member of this organisation who signs in as ``email``. Only this organisation's
    members are looked up, so the answer says nothing about people elsewhere."""
    from carestat.core.models import Membership

    if not email:
        return None
    m = (Membership.objects.select_related("user")
         .filter(organisation=access.organisation, is_active=True, user__username=email.strip().lower()).first())
    if m is None:
        raise InvalidInput(f"Nobody in {access.organisation.name} signs in as {email}", field="owner_email")
    return m.user


def _action_fields(access, payload: ActionIn) -> dict:
    return {"title": payload.title, "due": payload.due, "start": payload.start,
            "owner": _owner(access, payload.owner_email), "lead_unit": _unit(access, payload.lead_unit_id),
            "bau_or_change": payload.bau_or_change, "phase": payload.phase,
            "also_serves": [get_objective_for_user(access, o) for o in payload.also_serves]}


@router.post(P + "/objectives/{objective_id}/actions", response={201: CreatedOut, **ERRORS},
             summary="Add an action to an objective (managers)")
def add_action(request, slug: str, objective_id: int, payload: ActionIn):
    access = org_access(request, slug, Perm.VIEW)
    objective = get_objective_for_user(access, objective_id)
    a = services.add_action(access, objective, **_action_fields(access, payload))
    return Status(201, {"id": a.pk, "version": a.version, "title": a.title})


@router.post(P + "/actions/{action_id}/milestones", response={201: CreatedOut, **ERRORS},
             summary="Add a milestone to an action; its baseline date never changes (managers)")
def add_milestone(request, slug: str, action_id: int, payload: MilestoneIn):
    access = org_access(request, slug, Perm.VIEW)
    m = services.add_milestone(access, get_action_for_user(access, action_id), title=payload.title,
                               baseline_date=payload.baseline_date)
    return Status(201, {"id": m.pk, "version": m.version, "title": m.title})


@router.post(P + "/milestones/{milestone_id}/complete", response={200: MilestoneOut, **ERRORS},
             summary="Record the date a milestone was achieved (action owner or manager)")
def complete(request, slug: str, milestone_id: int, payload: CompleteIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_milestone_for_user(access, milestone_id)
    services.complete_milestone(access, m, actual_date=payload.actual_date, expected_version=payload.version)
    return _one_milestone(access, get_milestone_for_user(access, milestone_id))


def _set_archived(request, slug: str, lookup, item_id: int, change, reason: str) -> dict:
    """Archive or restore (``change``: services.archive or unarchive) the plan item ``lookup``
    finds for this person; the service checks their rights and records the reason."""
    access = org_access(request, slug, Perm.VIEW)
    item = change(access, lookup(access, item_id), reason=reason)
    title = item.statement if isinstance(item, Objective) else item.title
    return {"id": item.pk, "version": item.version, "title": title}


@router.post(P + "/actions/{action_id}/archive", response={200: CreatedOut, **ERRORS},
             summary="Archive (drop) an action, with a reason; it is never deleted (managers)")
def archive_action(request, slug: str, action_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_action_for_user, action_id, services.archive, payload.reason)


@router.post(P + "/milestones/{milestone_id}/archive", response={200: CreatedOut, **ERRORS},
             summary="Archive (drop) a milestone, with a reason; it is never deleted (managers)")
def archive_milestone(request, slug: str, milestone_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_milestone_for_user, milestone_id, services.archive, payload.reason)


# Changing, archiving and restoring what a plan holds: the same services as the pages -----
# A PUT replaces every field, as the page's form does: a field left out takes its default.

@router.put(P + "/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="Change a plan's details (managers)")
def change_plan(request, slug: str, plan_id: int, payload: PlanChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    p = get_plan_for_user(access, plan_id)
    p = services.update_plan(access, p, kind=payload.kind, title=payload.title, description=payload.description,
                             owner_unit=_unit(access, payload.owner_unit_id), start=payload.start, end=payload.end,
                             expected_version=payload.version)
    return _plan(p, plan_tree(p))


@router.put(P + "/priorities/{priority_id}", response={200: CreatedOut, **ERRORS},
            summary="Rename a priority or theme (managers)")
def change_priority(request, slug: str, priority_id: int, payload: TitleChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    p = services.update_priority(access, get_priority_for_user(access, priority_id), title=payload.title,
                                 expected_version=payload.version)
    return {"id": p.pk, "version": p.version, "title": p.title}


@router.put(P + "/objectives/{objective_id}", response={200: CreatedOut, **ERRORS},
            summary="Reword an objective's statement (managers)")
def change_objective(request, slug: str, objective_id: int, payload: StatementChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    o = services.update_objective(access, get_objective_for_user(access, objective_id), statement=payload.statement,
                                  expected_version=payload.version)
    return {"id": o.pk, "version": o.version, "title": o.statement}


@router.put(P + "/actions/{action_id}", response={200: ActionOut, **ERRORS},
            summary="Change an action's details; its percent complete changes only by approving an update "
                    "(managers of its lead unit)")
def change_action(request, slug: str, action_id: int, payload: ActionChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)  # before looking anyone up by email for a role that may not change it
    a = get_action_for_user(access, action_id)
    a = services.update_action(access, a, **_action_fields(access, payload), expected_version=payload.version)
    return _action(access, a)


@router.post(P + "/milestones/{milestone_id}/rename", response={200: MilestoneOut, **ERRORS},
             summary="Change a milestone's title; its dates stay as they are (managers of the action's unit)")
def rename_milestone(request, slug: str, milestone_id: int, payload: MilestoneTitleIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_milestone_for_user(access, milestone_id)
    services.rename_milestone(access, m, title=payload.title, expected_version=payload.version)
    return _one_milestone(access, get_milestone_for_user(access, milestone_id))


@router.post(P + "/plans/{plan_id}/archive", response={200: CreatedOut, **ERRORS},
             summary="Archive (drop) a plan, with a reason; it is never deleted (managers)")
def archive_plan(request, slug: str, plan_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_plan_for_user, plan_id, services.archive, payload.reason)


@router.post(P + "/priorities/{priority_id}/archive", response={200: CreatedOut, **ERRORS},
             summary="Archive (drop) a priority or theme, with a reason; it is never deleted (managers)")
def archive_priority(request, slug: str, priority_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_priority_for_user, priority_id, services.archive, payload.reason)


@router.post(P + "/objectives/{objective_id}/archive", response={200: CreatedOut, **ERRORS},
             summary="Archive (drop) an objective, with a reason; it is never deleted (managers)")
def archive_objective(request, slug: str, objective_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_objective_for_user, objective_id, services.archive, payload.reason)


@router.post(P + "/plans/{plan_id}/unarchive", response={200: CreatedOut, **ERRORS},
             summary="Restore an archived plan, with a reason (managers)")
def unarchive_plan(request, slug: str, plan_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_plan_for_user, plan_id, services.unarchive, payload.reason)


@router.post(P + "/priorities/{priority_id}/unarchive", response={200: CreatedOut, **ERRORS},
             summary="Restore an archived priority or theme, with a reason; refused while its plan is archived "
                     "(managers)")
def unarchive_priority(request, slug: str, priority_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_priority_for_user, priority_id, services.unarchive, payload.reason)


@router.post(P + "/objectives/{objective_id}/unarchive", response={200: CreatedOut, **ERRORS},
             summary="Restore an archived objective, with a reason; refused while anything above it is archived "
                     "(managers)")
def unarchive_objective(request, slug: str, objective_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_objective_for_user, objective_id, services.unarchive, payload.reason)


@router.post(P + "/actions/{action_id}/unarchive", response={200: CreatedOut, **ERRORS},
             summary="Restore an archived action, with a reason; refused while anything above it is archived "
                     "(managers of its lead unit)")
def unarchive_action(request, slug: str, action_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_action_for_user, action_id, services.unarchive, payload.reason)


@router.post(P + "/milestones/{milestone_id}/unarchive", response={200: CreatedOut, **ERRORS},
             summary="Restore an archived milestone, with a reason; refused while its action or anything above "
                     "is archived (managers of the action's unit)")
def unarchive_milestone(request, slug: str, milestone_id: int, payload: ReasonIn):
    return _set_archived(request, slug, get_milestone_for_user, milestone_id, services.unarchive, payload.reason)


@router.get(P + "/plan-rules", response={200: RulesOut, **ERRORS},
            summary="The organisation's numbers for plan status and RAG rules")
def get_rules(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    r = rules_for(access.organisation)
    return {"at_risk_slip_days": r.at_risk_slip_days, "due_soon_days": r.due_soon_days,
            "due_soon_below_percent": r.due_soon_below_percent,
            "overdue_red_below_percent": r.overdue_red_below_percent,
            "redate_out_of_red_needs_approval": r.redate_out_of_red_needs_approval}


@router.patch(P + "/plan-rules", response={200: RulesOut, **ERRORS}, summary="Change the plan rules (admins)")
def set_rules(request, slug: str, payload: RulesIn):
    access = org_access(request, slug, Perm.VIEW)
    row = services.set_plan_rules(access, **payload.model_dump(exclude_none=True))
    return {n: getattr(row, n) for n in RulesOut.model_fields}
