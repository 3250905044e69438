"""One scoped getter per plan object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.plans.models import Action, ActionUpdate, Milestone, Objective, Plan, Priority


def get_plan_for_user(access: Access, pk: int | str) -> Plan:
    plan = Plan.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if plan is None:
        raise Http404("No such plan")
    plan.organisation = access.organisation  # the same row, already read: judging the tree needs it
    return plan


def get_action_for_user(access: Access, pk: int | str) -> Action:
    action = (
        Action.objects.select_related("objective__priority__plan", "owner", "lead_unit")
        .filter(objective__priority__plan__organisation=access.organisation, pk=_int(pk))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def get_milestone_for_user(access: Access, pk: int | str) -> Milestone:
    milestone = (
        Milestone.objects.select_related("action__objective__priority__plan", "action__owner", "action__lead_unit")
        .filter(action__objective__priority__plan__organisation=access.organisation, pk=_int(pk))
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone")
    return milestone


def get_update_for_user(access: Access, action: Action, period_identifier: str) -> ActionUpdate:
    update = (
        ActionUpdate.objects.select_related("period", "action")
        .filter(action=action, period__organisation=access.organisation, period__identifier=period_identifier)
        .first()
    )
    if update is None:
        raise Http404("No update for that period")
    return update


def get_priority_for_user(access: Access, pk: int | str) -> Priority:
    priority = Priority.objects.select_related("plan").filter(plan__organisation=access.organisation,
                                                              pk=_int(pk)).first()
    if priority is None:
        raise Http404("No such priority")
    return priority


def get_objective_for_user(access: Access, pk: int | str) -> Objective:
    objective = (Objective.objects.select_related("priority__plan")
                 .filter(priority__plan__organisation=access.organisation, pk=_int(pk)).first())
    if objective is None:
        raise Http404("No such objective")
    return objective
