"""Business operations on plans, actions, milestones and period updates.

Each is transactional, checks the actor's role (and, for contributors, that they own the
action; for managers, that the action's lead unit is within theirs), records one audit
entry in words, and raises a typed error from carestat.core.errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import describe_changes, log_action, snapshot
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import Membership, Organisation, PeriodStatus, ReportingPeriod, Role, Unit, User
from carestat.core.permissions import Perm
from carestat.plans import rules
from carestat.plans.models import (
    Action,
    ActionUpdate,
    BauOrChange,
    Delivery,
    Milestone,
    MilestoneDateChange,
    Objective,
    PeriodSnapshot,
    Plan,
    PlanKind,
    PlanRules,
    Priority,
    RagChoice,
    UpdateStatus,
)

PLAN_FIELDS = ("kind", "title", "description", "owner_unit", "start", "end", "is_archived")
ACTION_FIELDS = ("title", "owner", "lead_unit", "bau_or_change", "phase", "start", "due", "percent_complete",
                 "is_archived")
MILESTONE_FIELDS = ("title", "baseline_date", "forecast_date", "actual_date", "rag_override",
                    "rag_override_reason", "is_archived")
UPDATE_FIELDS = ("status", "delivery", "percent_complete", "commentary", "next_steps", "evidence_links",
                 "review_comments")


def _d(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "no date"


STAMP_FIELDS = ["changed_at", "changed_by"]


def _stamp(instance, actor: User | None, *, new: bool = False) -> list[str]:
    """Record who changed ``instance`` and when, and raise its version if it has one;
    returns the fields that sets, for ``save(update_fields=...)``."""
    who = actor if actor is not None and actor.pk else None
    instance.changed_at = timezone.now()
    instance.changed_by = who
    if new:
        instance.created_by = who
        return list(STAMP_FIELDS)
    if hasattr(instance, "version"):
        instance.version += 1  # the row is locked (see _locked), so no one else raises it meanwhile
        return [*STAMP_FIELDS, "version"]
    return list(STAMP_FIELDS)


def _describe(row) -> str:
    if isinstance(row, ActionUpdate):
        return f"the {row.period.identifier} update on ‘{row.action.title[:80]}’"
    return f"{row._meta.verbose_name} ‘{str(row)[:80]}’"


def _refuse_if_changed_since(row, expected_version: int | None) -> None:
    """Refuse an edit begun on an older version of ``row``, naming who changed it and when.

    ``expected_version`` is the version the person opened (a form's hidden field, the
    API's ``version``); None skips the check, for callers that hold no earlier copy."""
    if expected_version is None or row.version == expected_version:
        return
    who = row.changed_by.display_name if row.changed_by_id else "someone"
    when = timezone.localtime(row.changed_at)
    at = f"{when:%H:%M}" if when.date() == timezone.localdate() else f"{when:%H:%M} on {when:%-d %B %Y}"
    what = _describe(row)
    raise Conflict(f"{what[0].upper()}{what[1:]} was changed by {who} at {at} since you opened it; "
                   "reload it to see their change, then make yours again", field="version")


def _locked(obj, expected_version: int | None = None):
    """The row ``obj`` stands for, read afresh and locked until the transaction ends, and
    refused if it has changed since the version the person opened.

    A service changes this copy, never the one it was handed: that one may have been read
    before someone else's change (a page opened earlier, the demo holding the milestone it
    created), and saving it would put their change back. Callers save it with
    ``update_fields`` naming only what the service changed."""
    row = type(obj).objects.select_for_update().get(pk=obj.pk)
    _refuse_if_changed_since(row, expected_version)
    return row


def _reason(reason: str, what: str = "the change") -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(f"Give the reason for {what}", field="reason")
    return reason


# Who may do what ----------------------------------------------------------------------------

def within_unit(access: Access, unit: Unit | None) -> bool:
    """Admins act anywhere; a manager with no unit acts across the organisation; a manager
    with a unit acts on that unit and the units below it."""
    if access.role == Role.ADMIN:
        return True
    mine = access.membership.unit_id
    if mine is None:
        return True
    if unit is None:
        return False
    return unit.pk == mine or any(u.pk == mine for u in unit.ancestors())


def can_manage_action(access: Access, action: Action) -> bool:
    return access.can(Perm.MANAGE) and within_unit(access, action.lead_unit)


def can_update_action(access: Access, action: Action) -> bool:
    """Contributors update the actions they own; managers those in their units."""
    if can_manage_action(access, action):
        return True
    return access.can(Perm.CONTRIBUTE) and action.owner_id == access.user.pk


def require_update_action(access: Access, action: Action) -> None:
    access.require(Perm.CONTRIBUTE)
    if not can_update_action(access, action):
        raise NotAllowed(f"Only the action's owner, or a manager of {action.lead_unit or 'its unit'}, "
                         f"may update ‘{action.title}’.")


def require_manage_action(access: Access, action: Action) -> None:
    access.require(Perm.MANAGE)
    if not within_unit(access, action.lead_unit):
        raise NotAllowed(f"‘{action.title}’ is led by {action.lead_unit or 'no unit'}, outside the units you manage.")


def _org_check(access: Access, *objs) -> None:
    for obj in objs:
        org_id = getattr(obj, "organisation_id", None)
        if obj is not None and org_id is not None and org_id != access.organisation.pk:
            raise InvalidInput("Choose something in this organisation")


def _member(access: Access, user: User | None, field: str = "owner") -> None:
    if user is not None and not Membership.objects.filter(user=user, organisation=access.organisation,
                                                          is_active=True).exists():
        raise InvalidInput(f"{user.display_name} is not a member of {access.organisation.name}", field=field)


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
    obj.is_archived, obj.archived_at = archived, timezone.now() if archived else None
    obj.save(update_fields=["is_archived", "archived_at", *_stamp(obj, access.user)])
    kind = obj._meta.verbose_name
    done = f"archived {kind}" if archived else f"restored archived {kind}"
    log_action(f"plans.{obj._meta.model_name}.{'archived' if archived else 'unarchived'}", actor=access.user,
               organisation=access.organisation, record=obj, before={"is_archived": not archived},
               after={"is_archived": archived, "reason": reason},
               message=f"{access.user.display_name} {done} ‘{obj}’: {reason}")


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
    names = ("at_risk_slip_days", "due_soon_days", "due_soon_below_percent", "overdue_red_below_percent")
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


# Milestone dates and RAG ----------------------------------------------------------------------

@transaction.atomic
def rename_milestone(access: Access, milestone: Milestone, *, title: str,
                     expected_version: int | None = None) -> Milestone:
    """Change a milestone's title (managers of its action's lead unit).

    Only the title is written: the baseline date never moves, and the forecast moves only
    through ``redate_milestone`` with a reason. A closed quarter's snapshot holds statuses
    and dates, not titles, so renaming leaves every closed quarter as it was reported; the
    old title stays in the milestone's history. Refused if changed since ``expected_version``."""
    milestone = _locked(milestone, expected_version)
    require_manage_action(access, milestone.action)
    _refuse_if_archived(milestone)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the milestone's title", field="title")
    limit = Milestone._meta.get_field("title").max_length
    if len(title) > limit:
        raise InvalidInput(f"The milestone's title must be {limit} characters or fewer", field="title")
    before = {"title": milestone.title}
    if before["title"] == title:
        return milestone
    milestone.title = title
    milestone.save(update_fields=["title", *_stamp(milestone, access.user)])
    _log_change(access, milestone, "milestone", before, {"title": title})
    return milestone


def _refuse_if_closed(org: Organisation, day: dt.date | None, what: str) -> None:
    """A date inside a closed period (a quarter, or a month, half or year) would rewrite what
    that period reported."""
    if day is None:
        return
    core_services.refuse_if_closed(org, day, what=f"{what} {_d(day)}", frozen="what it reported is frozen",
                                   field="new_date")


@transaction.atomic
def redate_milestone(access: Access, milestone: Milestone, *, new_date: dt.date, reason: str,
                     at: dt.datetime | None = None, expected_version: int | None = None) -> MilestoneDateChange:
    """Move a milestone's forecast date, with a reason. The baseline never moves. Refused if
    the milestone has changed since ``expected_version``."""
    require_update_action(access, milestone.action)
    if new_date is None:
        raise InvalidInput("Enter the new forecast date", field="new_date")
    reason = _reason(reason, "moving the date")
    milestone = _locked(milestone, expected_version)
    if milestone.is_archived:
        raise Conflict("This milestone is archived")
    if milestone.actual_date is not None:
        raise Conflict("This milestone is complete; its forecast date can no longer change")
    if new_date == milestone.forecast_date:
        raise InvalidInput(f"The forecast date is already {_d(new_date)}", field="new_date")
    _refuse_if_closed(access.organisation, new_date, "The new date")
    old = milestone.forecast_date
    change = MilestoneDateChange.objects.create(milestone=milestone, old_date=old, new_date=new_date, reason=reason,
                                                changed_by=access.user if access.user.pk else None,
                                                changed_at=at or timezone.now())
    milestone.forecast_date = new_date
    milestone.save(update_fields=["forecast_date", *_stamp(milestone, access.user)])
    log_action("plans.milestone.redated", actor=access.user, organisation=access.organisation, record=milestone,
               before={"forecast_date": old.isoformat()},
               after={"forecast_date": new_date.isoformat(), "reason": reason},
               message=f"{access.user.display_name} moved milestone ‘{milestone.title}’ from {_d(old)} to "
               f"{_d(new_date)}: {reason}")
    return change


@transaction.atomic
def import_milestone_dates(access: Access, milestone: Milestone, *, forecast: dt.date | None,
                           actual: dt.date | None, source: str) -> Milestone:
    """Give a newly imported milestone its workbook's forecast and actual dates.

    Unlike ``redate_milestone`` this does not refuse dates in closed quarters: the milestone
    is new, so no closed quarter ever reported on it. The forecast still gets a dated reason."""
    milestone = _locked(milestone)
    require_manage_action(access, milestone.action)
    if forecast and forecast != milestone.forecast_date:
        MilestoneDateChange.objects.create(
            milestone=milestone, old_date=milestone.forecast_date, new_date=forecast,
            reason=f"Revised date as imported from {source}", changed_by=access.user if access.user.pk else None,
            changed_at=timezone.now())
        milestone.forecast_date = forecast
    milestone.actual_date = actual
    if forecast or actual:
        milestone.save(update_fields=["forecast_date", "actual_date", *_stamp(milestone, access.user)])
        log_action("plans.milestone.imported_dates", actor=access.user, organisation=access.organisation,
                   record=milestone, after=snapshot(milestone, ("forecast_date", "actual_date")),
                   message=f"{access.user.display_name} set milestone ‘{milestone.title}’ to forecast "
                   f"{_d(milestone.forecast_date)}" + (f", achieved {_d(actual)}" if actual else "")
                   + f", as imported from {source}")
    return milestone


@transaction.atomic
def complete_milestone(access: Access, milestone: Milestone, *, actual_date: dt.date | None,
                       expected_version: int | None = None) -> Milestone:
    """Record (or clear, with None) the date a milestone was achieved; refused if the
    milestone has changed since ``expected_version``."""
    milestone = _locked(milestone, expected_version)
    require_update_action(access, milestone.action)
    if actual_date is not None and actual_date > timezone.localdate():
        raise InvalidInput("The actual date cannot be in the future", field="actual_date")
    _refuse_if_closed(access.organisation, actual_date or milestone.actual_date, "The actual date")
    before = snapshot(milestone, ("actual_date",))
    milestone.actual_date = actual_date
    milestone.save(update_fields=["actual_date", *_stamp(milestone, access.user)])
    done = f"as achieved on {_d(actual_date)}" if actual_date else "as not yet achieved"
    log_action("plans.milestone.completed" if actual_date else "plans.milestone.reopened", actor=access.user,
               organisation=access.organisation, record=milestone, before=before,
               after=snapshot(milestone, ("actual_date",)),
               message=f"{access.user.display_name} recorded milestone ‘{milestone.title}’ {done}")
    return milestone


@transaction.atomic
def override_rag(access: Access, milestone: Milestone, *, rag: str, reason: str = "",
                 expected_version: int | None = None) -> Milestone:
    """Set a manual RAG (with a reason) in place of the derived one, or clear it (rag='');
    refused if the milestone has changed since ``expected_version``."""
    milestone = _locked(milestone, expected_version)
    require_manage_action(access, milestone.action)
    if rag and rag not in RagChoice.values:
        raise InvalidInput("Choose red, amber, green, complete or not started", field="rag")
    reason = _reason(reason, "overriding the RAG") if rag else ""
    before = snapshot(milestone, ("rag_override", "rag_override_reason"))
    milestone.rag_override, milestone.rag_override_reason = rag, reason
    milestone.save(update_fields=["rag_override", "rag_override_reason", *_stamp(milestone, access.user)])
    text = (f"set the RAG of milestone ‘{milestone.title}’ to {RagChoice(rag).label} by hand: {reason}" if rag
            else f"removed the manual RAG of milestone ‘{milestone.title}’")
    log_action("plans.milestone.rag_overridden", actor=access.user, organisation=access.organisation,
               record=milestone, before=before, after=snapshot(milestone, ("rag_override", "rag_override_reason")),
               message=f"{access.user.display_name} {text}")
    return milestone


# Period updates -------------------------------------------------------------------------------

def _refuse_closed_period(period: ReportingPeriod) -> None:
    """An update for a closed period, or for one inside a closed period (a month in a closed
    quarter), is frozen."""
    core_services.refuse_if_closed(period.organisation, period.start, period.end, what=period.identifier,
                                   frozen="its updates are frozen", field=None)


@transaction.atomic
def save_update(access: Access, action: Action, period: ReportingPeriod, *, delivery: str, percent_complete: int,
                commentary: str, next_steps: str = "", evidence_links: str = "", submit: bool = False,
                expected_version: int | None = None) -> ActionUpdate:
    """Save the owner's update for a period as a draft, or submit it for approval.

    Changing an update already approved sends it back through approval. ``expected_version``
    is the version of the update the person opened, 0 when there was none yet: if someone
    has saved it since, this is refused rather than overwriting what they wrote."""
    require_update_action(access, action)
    if period.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a reporting period of this organisation", field="period")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    _refuse_closed_period(period)
    if period.start > timezone.localdate():
        raise InvalidInput(f"{period.identifier} has not started yet", field="period")
    if delivery not in Delivery.values:
        raise InvalidInput("Choose on track, at risk, off track or complete", field="delivery")
    if percent_complete is None or not 0 <= percent_complete <= 100:
        raise InvalidInput("Percent complete must be a whole number from 0 to 100", field="percent_complete")
    commentary = (commentary or "").strip()
    if not commentary:
        raise InvalidInput("Enter commentary on progress this period", field="commentary")
    links = [line.strip() for line in (evidence_links or "").splitlines() if line.strip()]
    for link in links:
        if not link.startswith(("https://", "http://")):
            raise InvalidInput(f"‘{link}’ is not a web link; put one link starting https:// on each line",
                               field="evidence_links")
    update = ActionUpdate.objects.select_for_update().filter(action=action, period=period).first()
    new = update is None
    if update is not None:
        _refuse_if_changed_since(update, expected_version)  # versions start at 1, so 0 never matches
    if new:
        update = ActionUpdate(action=action, period=period)
    elif update.status == UpdateStatus.SUBMITTED and not submit:
        raise Conflict("This update is waiting for approval; a manager must approve or return it first")
    before = None if new else snapshot(update, UPDATE_FIELDS)
    update.delivery, update.percent_complete = delivery, percent_complete
    update.commentary, update.next_steps = commentary, (next_steps or "").strip()
    update.evidence_links = "\n".join(links)
    update.status = UpdateStatus.SUBMITTED if submit else UpdateStatus.DRAFT
    if submit:
        update.submitted_by, update.submitted_at = access.user, timezone.now()
    stamped = _stamp(update, access.user, new=new)
    if new:
        update.save()
    else:
        update.save(update_fields=["delivery", "percent_complete", "commentary", "next_steps", "evidence_links",
                                   "status", "submitted_by", "submitted_at", *stamped])
    verb = "submitted" if submit else "saved a draft of"
    log_action("plans.update.submitted" if submit else "plans.update.saved", actor=access.user,
               organisation=access.organisation, record=update, before=before, after=snapshot(update, UPDATE_FIELDS),
               message=f"{access.user.display_name} {verb} the {period.identifier} update on ‘{action.title}’ "
               f"({update.get_delivery_display().lower()}, {percent_complete}% complete)")
    return update


@transaction.atomic
def approve_update(access: Access, update: ActionUpdate) -> ActionUpdate:
    """Approve a submitted update; the action's percent complete becomes the update's."""
    require_manage_action(access, update.action)
    update = ActionUpdate.objects.select_for_update().select_related("period", "action").get(pk=update.pk)
    _refuse_closed_period(update.period)
    if update.status != UpdateStatus.SUBMITTED:
        raise Conflict(f"Only a submitted update can be approved; this one is {update.get_status_display().lower()}")
    before = snapshot(update, UPDATE_FIELDS)
    update.status = UpdateStatus.APPROVED
    update.reviewed_by, update.reviewed_at, update.review_comments = access.user, timezone.now(), ""
    update.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comments",
                               *_stamp(update, access.user)])
    action = _locked(update.action)
    latest = (ActionUpdate.objects.filter(action=action, status=UpdateStatus.APPROVED)
              .order_by("-period__end").first())
    if latest is not None and action.percent_complete != latest.percent_complete:
        action.percent_complete = latest.percent_complete
        action.save(update_fields=["percent_complete", *_stamp(action, access.user)])
    log_action("plans.update.approved", actor=access.user, organisation=access.organisation, record=update,
               before=before, after=snapshot(update, UPDATE_FIELDS),
               message=f"{access.user.display_name} approved the {update.period.identifier} update on "
               f"‘{action.title}’ ({update.percent_complete}% complete)")
    return update


@transaction.atomic
def return_update(access: Access, update: ActionUpdate, *, comments: str) -> ActionUpdate:
    """Send a submitted update back to its owner with comments saying what to change."""
    require_manage_action(access, update.action)
    comments = (comments or "").strip()
    if not comments:
        raise InvalidInput("Say what the owner needs to change", field="comments")
    update = ActionUpdate.objects.select_for_update().select_related("period", "action").get(pk=update.pk)
    _refuse_closed_period(update.period)
    if update.status != UpdateStatus.SUBMITTED:
        raise Conflict(f"Only a submitted update can be returned; this one is {update.get_status_display().lower()}")
    before = snapshot(update, UPDATE_FIELDS)
    update.status = UpdateStatus.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_comments = access.user, timezone.now(), comments
    update.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comments",
                               *_stamp(update, access.user)])
    log_action("plans.update.returned", actor=access.user, organisation=access.organisation, record=update,
               before=before, after=snapshot(update, UPDATE_FIELDS),
               message=f"{access.user.display_name} returned the {update.period.identifier} update on "
               f"‘{update.action.title}’: {comments}")
    return update


# Snapshots at close ---------------------------------------------------------------------------

def take_period_snapshot(period: ReportingPeriod) -> int:
    """Freeze each live action's and milestone's derived status as at the period's end.

    Called when core closes the period; closing again after a reopen replaces the snapshot."""
    from carestat.plans.progress import plan_tree

    as_of = min(period.end, timezone.localdate())
    now = timezone.now()
    rows = []
    plans = Plan.objects.filter(organisation=period.organisation, is_archived=False, start__lte=period.end)
    approved: dict[int, int] = {}
    for action_id, percent in (ActionUpdate.objects.filter(action__objective__priority__plan__in=plans,
                                                           status=UpdateStatus.APPROVED, period__end__lte=period.end)
                               .order_by("period__end").values_list("action_id", "percent_complete")):
        approved[action_id] = percent  # ordered by period end, so the latest wins
    for plan in plans:
        tree = plan_tree(plan, today=as_of)
        for a in tree.actions():
            action = a.action
            percent = approved.get(action.pk, 0)
            rows.append(PeriodSnapshot(
                period=period, plan=plan, action=action, milestone=None, status=a.rollup.status.value,
                rag=a.rollup.rag.value, percent_complete=percent, baseline_date=action.due,
                forecast_date=action.due, taken_at=now))
            for m in a.milestones:
                ms = m.milestone
                rows.append(PeriodSnapshot(
                    period=period, plan=plan, action=action, milestone=ms, status=m.judgement.status.value,
                    rag=m.judgement.rag.value, overridden=m.judgement.overridden, percent_complete=percent,
                    baseline_date=ms.baseline_date, forecast_date=ms.forecast_date,
                    actual_date=ms.actual_date if ms.actual_date and ms.actual_date <= as_of else None,
                    taken_at=now))
    # A snapshot row is derived data, replaced whole when a reopened period closes again.
    PeriodSnapshot.objects.filter(period=period).delete()
    PeriodSnapshot.objects.bulk_create(rows)
    return len(rows)


# Reminders ------------------------------------------------------------------------------------

def period_due(org: Organisation, today: dt.date | None = None) -> ReportingPeriod | None:
    """The quarter updates are due for: the latest open quarter that has started."""
    today = today or timezone.localdate()
    return (ReportingPeriod.objects.filter(organisation=org, kind="quarter", status=PeriodStatus.OPEN,
                                           start__lte=today).order_by("-start").first())


def reminders(org: Organisation, today: dt.date | None = None) -> dict[User, dict]:
    """For each action owner: actions with no submitted or approved update for the quarter
    due, and their milestones that are overdue or at risk."""
    from carestat.plans.progress import plan_tree

    today = today or timezone.localdate()
    period = period_due(org, today)
    out: dict[User, dict] = {}
    for plan in Plan.objects.filter(organisation=org, is_archived=False):
        for a in plan_tree(plan, today=today).actions():
            owner = a.action.owner
            if owner is None or not owner.email:
                continue
            entry = out.setdefault(owner, {"period": period, "updates_due": [], "slipping": []})
            if period is not None and a.rollup.status is not rules.Status.COMPLETE and not ActionUpdate.objects.filter(
                    action=a.action, period=period,
                    status__in=[UpdateStatus.SUBMITTED, UpdateStatus.APPROVED]).exists():
                entry["updates_due"].append(a.action)
            for m in a.milestones:
                if m.judgement.status in (rules.Status.OVERDUE, rules.Status.AT_RISK):
                    entry["slipping"].append(m)
    return {u: e for u, e in out.items() if e["updates_due"] or e["slipping"]}


def send_reminders(org: Organisation, *, dry_run: bool = False, today: dt.date | None = None) -> list[tuple[User, str]]:
    """Email each owner what is due and what is slipping. Returns (person, message) pairs."""
    sent = []
    for user, entry in reminders(org, today).items():
        lines = [f"Hello {user.display_name},", ""]
        if entry["updates_due"]:
            lines.append(f"Updates are due for {entry['period'].identifier} on:")
            lines += [f"  - {a.title} ({a.plan.title})" for a in entry["updates_due"]]
            lines.append("")
        if entry["slipping"]:
            lines.append("Milestones overdue or at risk:")
            lines += [f"  - {m.milestone.title}: {m.judgement.status.label.lower()}, "
                      f"due {_d(m.milestone.forecast_date)}"
                      f" (baseline {_d(m.milestone.baseline_date)})" for m in entry["slipping"]]
            lines.append("")
        lines.append("Sign in to CareStat to update them.")
        body = "\n".join(lines)
        if not dry_run:
            send_mail(f"CareStat: your plan updates for {org.name}", body, None, [user.email])
        sent.append((user, body))
    if not dry_run and sent:
        log_action("plans.reminders.sent", actor=None, organisation=org,
                   message=f"Sent plan update reminders to {len(sent)} people")
    return sent
