"""Shared by the plan services: stale-edit refusal, row locking, stamps, the reason rule and
who may do what."""

from __future__ import annotations

import datetime as dt

from carestat.core.access import Access
from carestat.core.changes import STAMP_FIELDS as CHANGE_STAMP_FIELDS
from carestat.core.changes import locked, refuse_if_changed_since, require_reason, stamp_versioned
from carestat.core.errors import InvalidInput, NotAllowed
from carestat.core.models import Membership, Role, Unit, User
from carestat.core.permissions import Perm
from carestat.plans.models import (
    Action,
    ActionUpdate,
)

PLAN_FIELDS = ("kind", "title", "description", "owner_unit", "start", "end", "is_archived")
ACTION_FIELDS = ("title", "owner", "lead_unit", "bau_or_change", "phase", "start", "due", "percent_complete",
                 "is_archived")
MILESTONE_FIELDS = ("title", "baseline_date", "forecast_date", "actual_date", "rag_override",
                    "rag_override_reason", "is_archived")
UPDATE_FIELDS = ("status", "delivery", "percent_complete", "commentary", "next_steps", "recovery_action",
                 "evidence_links", "review_comments")


def _d(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "no date"


STAMP_FIELDS = list(CHANGE_STAMP_FIELDS)


def _stamp(instance, actor: User | None, *, new: bool = False) -> list[str]:
    return stamp_versioned(instance, actor, new=new)


def _describe(row) -> str:
    if isinstance(row, ActionUpdate):
        return f"the {row.period.identifier} update on ‘{row.action.title[:80]}’"
    return f"{row._meta.verbose_name} ‘{str(row)[:80]}’"


def _refuse_if_changed_since(row, expected_version: int | None) -> None:
    """Refuse an edit begun on an older version of ``row``, naming who changed it and when."""
    refuse_if_changed_since(row, expected_version, describe=_describe)


def _locked(obj, expected_version: int | None = None):
    """The row ``obj`` stands for, read afresh and locked, refused if changed since opened
    (core.changes.locked, naming an update by its period and action)."""
    return locked(obj, expected_version, describe=_describe)


def _reason(reason: str, what: str = "the change") -> str:
    return require_reason(reason, f"Give the reason for {what}")


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
    return unit.pk in _units_within(access)


def _units_within(access: Access) -> frozenset[int]:
    """The manager's unit and every unit below it, read once per request (kept on the
    membership, which lives as long as the request) rather than walking each checked unit's
    parents a query at a time: the approvals inbox checks every update it lists."""
    cached = getattr(access.membership, "_units_within", None)
    if cached is not None:
        return cached
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.filter(organisation=access.organisation).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [access.membership.unit_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo += children.get(pk, [])
    within = frozenset(found)
    setattr(access.membership, "_units_within", within)  # noqa: B010 (a private per-request cache)
    return within


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
