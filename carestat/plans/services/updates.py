"""Period updates (save, submit, approve, return), snapshots taken when a period closes, and
reminders of updates due."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.models import NotificationEvent, Organisation, PeriodStatus, ReportingPeriod, User
from carestat.core.notifications import managers_of, notify
from carestat.plans import rules
from carestat.plans.models import (
    Action,
    ActionUpdate,
    Delivery,
    PeriodSnapshot,
    Plan,
    UpdateStatus,
)
from carestat.plans.services.common import (
    UPDATE_FIELDS,
    _d,
    _locked,
    _refuse_if_changed_since,
    _stamp,
    require_manage_action,
    require_update_action,
)

# Period updates -------------------------------------------------------------------------------

def _refuse_closed_period(period: ReportingPeriod) -> None:
    """An update for a closed period, or for one inside a closed period (a month in a closed
    quarter), is frozen."""
    core_services.refuse_if_closed(period.organisation, period.start, period.end, what=period.identifier,
                                   frozen="its updates are frozen", field=None)


@transaction.atomic
def save_update(access: Access, action: Action, period: ReportingPeriod, *, delivery: str = "",
                percent_complete: int | None = None, commentary: str = "", next_steps: str = "",
                evidence_links: str = "", recovery_action: str = "", submit: bool = False,
                expected_version: int | None = None) -> ActionUpdate:
    """Save the owner's update for a period as a draft, or submit it for approval.

    A draft may be part-written (no delivery status or commentary yet, percent complete kept
    as it was); submitting needs both, and an off-track update needs its recovery action.
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
    delivery = delivery or ""
    if delivery not in Delivery.values and (submit or delivery):
        raise InvalidInput("Choose on track, at risk, off track or complete", field="delivery")
    if percent_complete is None and not submit:
        percent_complete = action.percent_complete
    if percent_complete is None or not 0 <= percent_complete <= 100:
        raise InvalidInput("Percent complete must be a whole number from 0 to 100", field="percent_complete")
    commentary = (commentary or "").strip()
    if submit and not commentary:
        raise InvalidInput("Enter commentary on progress this period", field="commentary")
    recovery_action = (recovery_action or "").strip()
    if submit and delivery == Delivery.OFF_TRACK and not recovery_action:
        raise InvalidInput("Say how the action will get back on track: an off-track update needs its recovery action",
                           field="recovery_action")
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
    update.recovery_action = recovery_action
    update.evidence_links = "\n".join(links)
    update.status = UpdateStatus.SUBMITTED if submit else UpdateStatus.DRAFT
    if submit:
        update.submitted_by, update.submitted_at = access.user, timezone.now()
    stamped = _stamp(update, access.user, new=new)
    if new:
        update.save()
    else:
        update.save(update_fields=["delivery", "percent_complete", "commentary", "next_steps", "recovery_action",
                                   "evidence_links", "status", "submitted_by", "submitted_at", *stamped])
    if submit:
        notify(access.organisation, managers_of(access.organisation, action.lead_unit),
               NotificationEvent.UPDATE_SUBMITTED, exclude=access.user,
               title=f"Update to approve: {action.title}"[:300],
               body=f"{access.user.display_name} submitted the {period.identifier} update on ‘{action.title}’ "
                    f"({update.get_delivery_display().lower()}, {percent_complete}% complete) for approval."
                    + (f" Recovery action: {recovery_action}" if recovery_action else ""),
               url=reverse("plans:inbox", args=[access.organisation.slug]))
    verb = "submitted" if submit else "saved a draft of"
    log_action("plans.update.submitted" if submit else "plans.update.saved", actor=access.user,
               organisation=access.organisation, record=update, before=before, after=snapshot(update, UPDATE_FIELDS),
               message=f"{access.user.display_name} {verb} the {period.identifier} update on ‘{action.title}’ "
               f"({(update.get_delivery_display() or 'no delivery status yet').lower()}, "
               f"{percent_complete}% complete)")
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
    _tell_author(access, update, action, NotificationEvent.UPDATE_APPROVED, "approved",
                 f"{access.user.display_name} approved your {update.period.identifier} update on ‘{action.title}’.")
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
    _tell_author(access, update, update.action, NotificationEvent.UPDATE_RETURNED, "returned",
                 f"{access.user.display_name} returned your {update.period.identifier} update on "
                 f"‘{update.action.title}’: {comments}")
    log_action("plans.update.returned", actor=access.user, organisation=access.organisation, record=update,
               before=before, after=snapshot(update, UPDATE_FIELDS),
               message=f"{access.user.display_name} returned the {update.period.identifier} update on "
               f"‘{update.action.title}’: {comments}")
    return update


def _tell_author(access: Access, update: ActionUpdate, action: Action, event: str, verb: str, body: str) -> None:
    """Tell whoever submitted the update (and the action's owner, if someone else) of a decision."""
    notify(access.organisation, [update.submitted_by, action.owner], event, exclude=access.user,
           title=f"Update {verb}: {action.title}"[:300], body=body,
           url=f"{reverse('plans:action', args=[access.organisation.slug, action.pk])}"
               f"#update-{update.period.identifier}")


@transaction.atomic
def review_updates(access: Access, updates: list[ActionUpdate], *, decision: str,
                   comments: str = "") -> list[ActionUpdate]:
    """Approve, or return with one reason, several submitted updates at once (the approvals
    inbox). Each goes through ``approve_update`` or ``return_update``, so each is checked and
    audited on its own; all are decided or, if any is refused, none is, and the refusal names it."""
    if decision not in ("approve", "return"):
        raise InvalidInput("Choose approve or return", field="decision")
    if not updates:
        raise InvalidInput("Select at least one update", field="updates")
    if decision == "return" and not (comments or "").strip():
        raise InvalidInput("Say what the owners need to change", field="comments")
    done = []
    for update in updates:
        try:
            if decision == "approve":
                done.append(approve_update(access, update))
            else:
                done.append(return_update(access, update, comments=comments))
        except (Conflict, InvalidInput) as exc:
            raise type(exc)(f"{update}: {exc.message}; nothing was {decision}d", field=exc.field) from exc
    return done


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
