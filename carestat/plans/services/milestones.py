"""Milestone dates and RAG: renaming, re-dating with a reason, imported dates, completion and
manual RAG overrides."""

from __future__ import annotations

import copy
import datetime as dt

from django.db import transaction
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import name_of
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.models import NotificationEvent, Organisation
from carestat.core.notifications import managers_of, notify
from carestat.plans.models import (
    Milestone,
    MilestoneDateChange,
    PendingRedate,
    RagChoice,
    RedateStatus,
)
from carestat.plans.rules import Rag
from carestat.plans.services.common import (
    _d,
    _locked,
    _reason,
    _stamp,
    can_manage_action,
    require_manage_action,
    require_update_action,
)
from carestat.plans.services.structure import _log_change, _refuse_if_archived

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
                     at: dt.datetime | None = None,
                     expected_version: int | None = None) -> MilestoneDateChange | PendingRedate:
    """Move a milestone's forecast date, with a reason. The baseline never moves. Refused if
    the milestone has changed since ``expected_version``.

    Where the organisation's plan rules say so, a re-dating by someone who does not manage the
    action that would take a red milestone out of red is not made: it waits for a manager
    (``decide_redate``) and a PendingRedate is returned instead."""
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
    if _out_of_red_needs_approval(access, milestone, new_date):
        if PendingRedate.objects.filter(milestone=milestone, status=RedateStatus.PENDING).exists():
            raise Conflict("A re-dating of this milestone is already waiting for a manager's approval")
        pending = PendingRedate.objects.create(milestone=milestone, new_date=new_date, reason=reason,
                                               requested_by=access.user if access.user.pk else None,
                                               requested_at=at or timezone.now())
        log_action("plans.milestone.redate_requested", actor=access.user, organisation=access.organisation,
                   record=milestone, after={"forecast_date": new_date.isoformat(), "reason": reason},
                   message=f"{access.user.display_name} asked to move red milestone ‘{milestone.title}’ from "
                   f"{_d(milestone.forecast_date)} to {_d(new_date)} (needs a manager's approval): {reason}")
        notify(access.organisation, managers_of(access.organisation, milestone.action.lead_unit),
               NotificationEvent.UPDATE_SUBMITTED, exclude=access.user,
               title=f"Re-dating to approve: {milestone.title}"[:300],
               body=f"{access.user.display_name} asked to move the red milestone ‘{milestone.title}’ from "
                    f"{_d(milestone.forecast_date)} to {_d(new_date)}: {reason}",
               url=f"/o/{access.organisation.slug}/plans/approvals/#redates")
        return pending
    return _apply_redate(access, milestone, new_date, reason, at)


def _out_of_red_needs_approval(access: Access, milestone: Milestone, new_date: dt.date) -> bool:
    from carestat.plans.models import rules_for
    from carestat.plans.progress import judge_milestone

    settings = rules_for(access.organisation)
    if not settings.redate_out_of_red_needs_approval or can_manage_action(access, milestone.action):
        return False
    today = timezone.localdate()
    now = judge_milestone(milestone, milestone.action, today, settings, access.organisation).judgement.rag
    moved = copy.copy(milestone)
    moved.forecast_date = new_date
    after = judge_milestone(moved, milestone.action, today, settings, access.organisation).judgement.rag
    return now is Rag.RED and after is not Rag.RED


def _apply_redate(access: Access, milestone: Milestone, new_date: dt.date, reason: str,
                  at: dt.datetime | None) -> MilestoneDateChange:
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
def decide_redate(access: Access, pending: PendingRedate, *, approve: bool, note: str = "") -> PendingRedate:
    """A manager of the action approves a held re-dating (the date moves, with the reason its
    owner gave) or rejects it with a note saying why."""
    pending = PendingRedate.objects.select_for_update().select_related("milestone__action").get(pk=pending.pk)
    require_manage_action(access, pending.milestone.action)
    if pending.status != RedateStatus.PENDING:
        raise Conflict(f"This re-dating is already {pending.get_status_display().lower()}")
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput("Say why the new date is not approved", field="note")
    milestone = _locked(pending.milestone)
    if approve:
        if milestone.actual_date is not None:
            raise Conflict("This milestone is complete; its forecast date can no longer change")
        _refuse_if_closed(access.organisation, pending.new_date, "The new date")
        requester = name_of(pending.requested_by, "its owner")
        _apply_redate(access, milestone, pending.new_date,
                      f"{pending.reason} (asked for by {requester}; approved by {access.user.display_name})", None)
    pending.status = RedateStatus.APPROVED if approve else RedateStatus.REJECTED
    pending.decided_by, pending.decided_at, pending.decision_note = access.user, timezone.now(), note
    pending.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if not approve:
        log_action("plans.milestone.redate_rejected", actor=access.user, organisation=access.organisation,
                   record=milestone, after={"forecast_date": pending.new_date.isoformat(), "note": note},
                   message=f"{access.user.display_name} did not approve moving milestone ‘{milestone.title}’ to "
                   f"{_d(pending.new_date)}: {note}")
    notify(access.organisation, [pending.requested_by],
           NotificationEvent.UPDATE_APPROVED if approve else NotificationEvent.UPDATE_RETURNED, exclude=access.user,
           title=f"Re-dating {'approved' if approve else 'not approved'}: {milestone.title}"[:300],
           body=f"{access.user.display_name} {'approved' if approve else 'did not approve'} moving ‘{milestone.title}’ "
                f"to {_d(pending.new_date)}" + (f": {note}" if note else "."),
           url=f"/o/{access.organisation.slug}/milestones/{milestone.pk}/")
    return pending


def past_action_end(milestone: Milestone) -> str | None:
    """A warning when the milestone's forecast date falls after its action's due date (allowed,
    since plans do slip, but the action's owner should move the action's date or say why)."""
    action = milestone.action
    if milestone.forecast_date and action.due and milestone.forecast_date > action.due:
        return (f"‘{milestone.title}’ is now forecast for {_d(milestone.forecast_date)}, after its action "
                f"‘{action.title}’ is due ({_d(action.due)}). Change the action's due date, or say in the next "
                "update why the action can still finish on time.")
    return None


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
