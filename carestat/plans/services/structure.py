"""Plans and their structure: creating, changing, archiving and restoring plans, priorities,
objectives, actions and milestones; and the organisation's plan rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from carestat.core.access import Access
from carestat.core.archiving import set_archived
from carestat.core.audit import describe_changes, log_action, snapshot
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import Unit, User
from carestat.core.permissions import Perm
from carestat.plans.models import (
    Action,
    BauOrChange,
    Milestone,
    Objective,
    Plan,
    PlanKind,
    PlanRules,
    Priority,
)
from carestat.plans.services.common import (
    ACTION_FIELDS,
    MILESTONE_FIELDS,
    PLAN_FIELDS,
    _d,
    _locked,
    _member,
    _org_check,
    _reason,
    _stamp,
    require_manage_action,
    within_unit,
)

# Plans and their structure ------------------------------------------------------------------

@transaction.atomic
def create_plan(access: Access, *, kind: str, title: str, start: dt.date, end: dt.date, description: str = "",
                owner_unit: Unit | None = None) -> Plan:
    """A new plan. Managers and admins keep plans."""
    access.require(Perm.MANAGE)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the plan's title", field="title")
    if kind not in PlanKind.values:
        raise InvalidInput("Choose what kind of plan this is", field="kind")
    if not start or not end or end < start:
        raise InvalidInput("The plan must end on or after its start date", field="end")
    _org_check(access, owner_unit)
    if Plan.objects.filter(organisation=access.organisation, title__iexact=title).exists():
        raise Conflict(f"There is already a plan called ‘{title}’", field="title")
    plan = Plan(organisation=access.organisation, kind=kind, title=title, description=(description or "").strip(),
                owner_unit=owner_unit, start=start, end=end)
    _stamp(plan, access.user, new=True)
    plan.save()
    log_action("plans.plan.created", actor=access.user, organisation=access.organisation, record=plan,
               after=snapshot(plan, PLAN_FIELDS),
               message=f"{access.user.display_name} created {plan.get_kind_display().lower()} ‘{plan.title}’")
    return plan


@transaction.atomic
def add_priority(access: Access, plan: Plan, *, title: str) -> Priority:
    access.require(Perm.MANAGE)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the priority or theme", field="title")
    priority = Priority(plan=plan, title=title, position=plan.priorities.count() + 1)
    _stamp(priority, access.user, new=True)
    priority.save()
    log_action("plans.priority.created", actor=access.user, organisation=access.organisation, record=priority,
               after={"title": title},
               message=f"{access.user.display_name} added priority ‘{title}’ to ‘{plan.title}’")
    return priority


@transaction.atomic
def add_objective(access: Access, priority: Priority, *, statement: str) -> Objective:
    access.require(Perm.MANAGE)
    statement = (statement or "").strip()
    if not statement:
        raise InvalidInput("Enter the objective's statement", field="statement")
    objective = Objective(priority=priority, statement=statement, position=priority.objectives.count() + 1)
    _stamp(objective, access.user, new=True)
    objective.save()
    log_action("plans.objective.created", actor=access.user, organisation=access.organisation, record=objective,
               after={"statement": statement},
               message=f"{access.user.display_name} added objective ‘{statement[:80]}’ under ‘{priority.title}’")
    return objective


def _clean_action(access: Access, objective: Objective, *, title: str, due: dt.date | None,
                  start: dt.date | None, bau_or_change: str, owner: User | None, lead_unit: Unit | None,
                  also_serves: Iterable[Objective]) -> tuple[str, list[Objective]]:
    """Check an action's fields by the same rules whether it is new or changed. Returns its
    trimmed title and the other objectives it serves."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the action's title", field="title")
    if due is None:
        raise InvalidInput("Enter the date the action is due", field="due")
    if start and due < start:
        raise InvalidInput("The action must be due on or after its start date", field="due")
    if bau_or_change not in BauOrChange.values:
        raise InvalidInput("Choose business as usual or change", field="bau_or_change")
    _org_check(access, lead_unit)
    _member(access, owner)
    if lead_unit is not None and not within_unit(access, lead_unit):
        raise NotAllowed(f"{lead_unit.name} is outside the units you manage")
    others = [o for o in also_serves if o.pk != objective.pk]
    for o in others:
        if o.priority.plan_id != objective.priority.plan_id:
            raise InvalidInput("An action can serve only objectives of its own plan", field="also_serves")
    return title, others


@transaction.atomic
def add_action(access: Access, objective: Objective, *, title: str, due: dt.date, owner: User | None = None,
               lead_unit: Unit | None = None, bau_or_change: str = BauOrChange.CHANGE, phase: str = "",
               start: dt.date | None = None, also_serves: Iterable[Objective] = ()) -> Action:
    """A new action under an objective, optionally serving other objectives of the same plan."""
    access.require(Perm.MANAGE)
    title, others = _clean_action(access, objective, title=title, due=due, start=start, bau_or_change=bau_or_change,
                                  owner=owner, lead_unit=lead_unit, also_serves=also_serves)
    action = Action(objective=objective, title=title, owner=owner, lead_unit=lead_unit, bau_or_change=bau_or_change,
                    phase=(phase or "").strip(), start=start, due=due, position=objective.actions.count() + 1)
    _stamp(action, access.user, new=True)
    action.save()
    plan = objective.priority.plan
    action.also_serves.set(others)
    log_action("plans.action.created", actor=access.user, organisation=access.organisation, record=action,
               after=snapshot(action, ACTION_FIELDS),
               message=f"{access.user.display_name} added action ‘{title}’ to ‘{plan.title}’, due {_d(due)}"
               + (f", owned by {owner.display_name}" if owner else ""))
    return action


@transaction.atomic
def add_milestone(access: Access, action: Action, *, title: str, baseline_date: dt.date,
                  actual_date: dt.date | None = None) -> Milestone:
    """A new milestone. Its baseline date is fixed from now on; its forecast starts there."""
    require_manage_action(access, action)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the milestone's title", field="title")
    if baseline_date is None:
        raise InvalidInput("Enter the milestone's baseline date", field="baseline_date")
    m = Milestone(action=action, title=title, baseline_date=baseline_date, forecast_date=baseline_date,
                  actual_date=actual_date)
    _stamp(m, access.user, new=True)
    m.save()
    log_action("plans.milestone.created", actor=access.user, organisation=access.organisation, record=m,
               after=snapshot(m, MILESTONE_FIELDS),
               message=f"{access.user.display_name} added milestone ‘{title}’ to ‘{action.title}’, "
               f"baseline {_d(baseline_date)}")
    return m


PlanItem = Plan | Priority | Objective | Action | Milestone


def _require_archive_rights(access: Access, obj: PlanItem) -> None:
    """Archiving and restoring take the same rights: managers for a plan's structure, and
    managers of the action's lead unit for an action or milestone."""
    if isinstance(obj, Plan | Priority | Objective):
        access.require(Perm.MANAGE)
    else:
        require_manage_action(access, obj if isinstance(obj, Action) else obj.action)


# What each kind of item sits under, and the path from it to its plan for select_related.
_PARENT = {Priority: "plan", Objective: "priority", Action: "objective", Milestone: "action"}
_PATH_TO_PLAN = {Priority: "plan", Objective: "priority__plan", Action: "objective__priority__plan",
                 Milestone: "action__objective__priority__plan"}


def parent_of(obj: PlanItem) -> Plan | Priority | Objective | Action | None:
    """The item ``obj`` sits under; None for a plan."""
    return getattr(obj, _PARENT[type(obj)]) if type(obj) in _PARENT else None


def archived_ancestor(obj: PlanItem) -> Plan | Priority | Objective | Action | None:
    """The nearest item above ``obj`` that is archived, read afresh from the database, or None.

    Archiving an item leaves the flags of the items beneath it alone, so an item can be
    unarchived itself and still be hidden by an archived parent; restoring it then would
    change nothing anyone sees."""
    model = type(obj)
    if model not in _PARENT:
        return None
    item = model.objects.select_related(_PATH_TO_PLAN[model]).get(pk=obj.pk)
    while (item := parent_of(item)) is not None:
        if item.is_archived:
            return item
    return None


@transaction.atomic
def archive(access: Access, obj: PlanItem, *, reason: str) -> PlanItem:
    """Archive (drop) a plan, priority, objective, action or milestone. Reported content is
    never deleted: it leaves the tree and the counts but keeps its history."""
    reason = _reason(reason, "archiving it")
    obj = _locked(obj)
    _require_archive_rights(access, obj)
    if obj.is_archived:
        raise Conflict(f"‘{obj}’ is already archived")
    _set_archived(access, obj, True, reason)
    return obj


@transaction.atomic
def unarchive(access: Access, obj: PlanItem, *, reason: str) -> PlanItem:
    """Restore an archived plan, priority, objective, action or milestone to the tree and its
    counts, with a reason; the same people who may archive it may restore it.

    Refused while an item above it is archived (restore that first). Closed quarters keep
    their snapshots: the item counts again only in periods closed from now on."""
    obj = _locked(obj)
    _require_archive_rights(access, obj)
    reason = _reason(reason, "restoring it")
    if not obj.is_archived:
        raise Conflict(f"‘{obj}’ is not archived")
    above = archived_ancestor(obj)
    if above is not None:
        kind = above._meta.verbose_name
        raise Conflict(f"‘{str(obj)[:80]}’ sits under {kind} ‘{str(above)[:80]}’, which is archived; "
                       f"restore that {kind} first")
    _set_archived(access, obj, False, reason)
    return obj


def _set_archived(access: Access, obj: PlanItem, archived: bool, reason: str) -> None:
    """Archive or restore ``obj`` (a locked row) once its checks have passed, and record why."""
    set_archived(access, obj, archived=archived, reason=reason,
                 action=f"plans.{obj._meta.model_name}.{'archived' if archived else 'unarchived'}",
                 what=f"{obj._meta.verbose_name} ‘{obj}’", stamped=_stamp(obj, access.user))


# Changing what a plan holds ----------------------------------------------------------------
# Dates with history rules are not changed here: a milestone's forecast moves only through
# redate_milestone (with a reason) and its actual date through complete_milestone.

def _refuse_if_archived(obj) -> None:
    if obj.is_archived:
        raise Conflict(f"‘{obj}’ is archived, so it can no longer be changed")


def _log_change(access: Access, obj, kind: str, before: dict, after: dict) -> None:
    log_action(f"plans.{obj._meta.model_name}.changed", actor=access.user, organisation=access.organisation,
               record=obj, before=before, after=after,
               message=f"{access.user.display_name} changed {kind} ‘{str(obj)[:80]}’: "
               + "; ".join(describe_changes(type(obj), before, after)))


@transaction.atomic
def update_plan(access: Access, plan: Plan, *, kind: str, title: str, start: dt.date, end: dt.date,
                description: str = "", owner_unit: Unit | None = None, expected_version: int | None = None) -> Plan:
    """Change a plan's details (managers). With ``expected_version``, refused (Conflict) if
    the plan has changed since that version was read."""
    access.require(Perm.MANAGE)
    plan = _locked(plan, expected_version)
    _refuse_if_archived(plan)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the plan's title", field="title")
    if kind not in PlanKind.values:
        raise InvalidInput("Choose what kind of plan this is", field="kind")
    if not start or not end or end < start:
        raise InvalidInput("The plan must end on or after its start date", field="end")
    _org_check(access, owner_unit)
    if Plan.objects.filter(organisation=access.organisation, title__iexact=title).exclude(pk=plan.pk).exists():
        raise Conflict(f"There is already a plan called ‘{title}’", field="title")
    before = snapshot(plan, PLAN_FIELDS)
    plan.kind, plan.title, plan.description = kind, title, (description or "").strip()
    plan.owner_unit, plan.start, plan.end = owner_unit, start, end
    after = snapshot(plan, PLAN_FIELDS)
    if before == after:
        return plan
    plan.save(update_fields=["kind", "title", "description", "owner_unit", "start", "end",
                             *_stamp(plan, access.user)])
    _log_change(access, plan, "plan", before, after)
    return plan


def _change_text(access: Access, item, *, field: str, value: str, kind: str, missing: str,
                 expected_version: int | None):
    """Change one text field of a priority or objective, audited; blank is refused."""
    access.require(Perm.MANAGE)
    item = _locked(item, expected_version)
    _refuse_if_archived(item)
    value = (value or "").strip()
    if not value:
        raise InvalidInput(missing, field=field)
    before = {field: getattr(item, field)}
    if before[field] == value:
        return item
    setattr(item, field, value)
    item.save(update_fields=[field, *_stamp(item, access.user)])
    _log_change(access, item, kind, before, {field: value})
    return item


@transaction.atomic
def update_priority(access: Access, priority: Priority, *, title: str,
                    expected_version: int | None = None) -> Priority:
    """Rename a priority or theme (managers); refused if changed since ``expected_version``."""
    return _change_text(access, priority, field="title", value=title, kind="priority",
                        missing="Enter the priority or theme", expected_version=expected_version)


@transaction.atomic
def update_objective(access: Access, objective: Objective, *, statement: str,
                     expected_version: int | None = None) -> Objective:
    """Reword an objective's statement (managers); refused if changed since ``expected_version``."""
    return _change_text(access, objective, field="statement", value=statement, kind="objective",
                        missing="Enter the objective's statement", expected_version=expected_version)


def _serves(objectives: Iterable[Objective]) -> list[str]:
    return sorted(o.statement[:80] for o in objectives)


@transaction.atomic
def update_action(access: Access, action: Action, *, title: str, due: dt.date, owner: User | None = None,
                  lead_unit: Unit | None = None, bau_or_change: str = BauOrChange.CHANGE, phase: str = "",
                  start: dt.date | None = None, also_serves: Iterable[Objective] = (),
                  expected_version: int | None = None) -> Action:
    """Change an action's details (managers of its lead unit, who may hand it only to a unit
    they also manage). Its percent complete changes only by approving an update. Refused if
    the action has changed since ``expected_version``."""
    action = _locked(action, expected_version)
    require_manage_action(access, action)
    _refuse_if_archived(action)
    title, others = _clean_action(access, action.objective, title=title, due=due, start=start,
                                  bau_or_change=bau_or_change, owner=owner, lead_unit=lead_unit,
                                  also_serves=also_serves)
    before = {**snapshot(action, ACTION_FIELDS), "also_serves": _serves(action.also_serves.all())}
    action.title, action.owner, action.lead_unit, action.bau_or_change = title, owner, lead_unit, bau_or_change
    action.phase, action.start, action.due = (phase or "").strip(), start, due
    after = {**snapshot(action, ACTION_FIELDS), "also_serves": _serves(others)}
    if before == after:
        return action
    action.save(update_fields=["title", "owner", "lead_unit", "bau_or_change", "phase", "start", "due",
                               *_stamp(action, access.user)])
    action.also_serves.set(others)
    _log_change(access, action, "action", before, after)
    return action


@transaction.atomic
def set_plan_rules(access: Access, **numbers: int) -> PlanRules:
    """Change the organisation's numbers for the status and RAG rules (admins)."""
    access.require(Perm.ADMINISTER)
    PlanRules.objects.get_or_create(organisation=access.organisation)
    row = PlanRules.objects.select_for_update().get(organisation=access.organisation)
    names = ("at_risk_slip_days", "due_soon_days", "due_soon_below_percent", "overdue_red_below_percent",
             "redate_out_of_red_needs_approval")
    before = {n: getattr(row, n) for n in names}
    for name, value in numbers.items():
        if name not in names:
            raise InvalidInput(f"‘{name}’ is not a plan rule", field=name)
        if value is None or value < 0 or (name.endswith("percent") and value > 100):
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be 0 or more (percentages at most 100)",
                               field=name)
        setattr(row, name, value)
    row.save(update_fields=[*names, *_stamp(row, access.user)])
    after = {n: getattr(row, n) for n in names}
    log_action("plans.rules.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} changed the plan status rules: "
               + "; ".join(describe_changes(PlanRules, before, after)))
    return row
