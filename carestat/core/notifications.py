"""Telling people what needs them: an in-app notification and, unless they chose otherwise,
an email (Django's email backend), at once or in one daily digest.

Services call ``notify`` inside the transaction that makes the change: the notification row
is part of it (rolled back with it), and the email is sent only after the commit
(``transaction.on_commit``), so a change that fails tells nobody anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from carestat.core.audit import log_action
from carestat.core.models import (
    Membership,
    Notification,
    NotificationEvent,
    NotificationPreference,
    Organisation,
    Role,
    User,
)

_quiet: ContextVar[bool] = ContextVar("carestat_notifications_quiet", default=False)


@contextmanager
def quiet():
    """Record notifications as already read and emailed, and send nothing: for loading history
    (the demo's two years of updates), which nobody needs telling of today."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def preference_for(org: Organisation, user: User) -> NotificationPreference:
    """The person's choices, or the defaults (every event, email at once) if they made none."""
    found = NotificationPreference.objects.filter(organisation=org, user=user).first()
    return found or NotificationPreference(organisation=org, user=user)


def notify(org: Organisation, recipients: Iterable[User | None], event: str, *, title: str, body: str = "",
           url: str = "", key: str = "", exclude: User | None = None) -> list[Notification]:
    """Tell each recipient (once each; nobody twice for the same ``key``) unless they turned
    ``event`` off or are no longer an active member. Emails go after the commit."""
    members = set(Membership.objects.filter(organisation=org, is_active=True).values_list("user_id", flat=True))
    made = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk is None or user.pk in seen or user.pk not in members:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        pref = preference_for(org, user)
        if event in (pref.muted or []):
            continue
        if key and Notification.objects.filter(organisation=org, recipient=user, key=key).exists():
            continue
        history = _quiet.get()
        at_once = pref.email and not pref.digest and bool(user.email) and not history
        note = Notification.objects.create(organisation=org, recipient=user, event=event, title=title[:300],
                                           body=body, url=url[:300], key=key,
                                           emailed_at=timezone.now() if at_once or history else None,
                                           read_at=timezone.now() if history else None)
        if at_once:
            transaction.on_commit(_sender(org, user.email, title, body, url))
        made.append(note)
    return made


def _sender(org: Organisation, address: str, title: str, body: str, url: str):
    def send():
        send_mail(f"CareStat: {title}"[:200], _email_text(org, body, url), None, [address])
    return send


def _email_text(org: Organisation, body: str, url: str) -> str:
    link = f"\n\nOpen it in CareStat: {settings.CARESTAT_BASE_URL.rstrip('/')}{url}" if url else ""
    return f"{body}{link}\n\n{org.name}: you can choose what CareStat tells you under Notifications."


def managers_of(org: Organisation, unit) -> list[User]:
    """Those who may approve work in ``unit``: its managers and those of the units above it,
    managers with no unit, and the admins."""
    from carestat.core.access import Access

    out = []
    for m in Membership.objects.filter(organisation=org, is_active=True,
                                       role__in=[Role.MANAGER, Role.ADMIN]).select_related("user", "organisation"):
        access = Access(user=m.user, organisation=org, membership=m)
        if m.role == Role.ADMIN or m.unit_id is None or (
                unit is not None and (unit.pk == m.unit_id or any(u.pk == m.unit_id for u in unit.ancestors()))):
            out.append(access.user)
    return out


def members_with_roles(org: Organisation, *roles: str) -> list[User]:
    return [m.user for m in Membership.objects.filter(organisation=org, is_active=True, role__in=roles)
            .select_related("user")]


def unread(org: Organisation, user: User):
    return Notification.objects.filter(organisation=org, recipient=user, read_at__isnull=True)


@transaction.atomic
def mark_read(org: Organisation, user: User, pk: int | None = None) -> int:
    """Mark one of the person's notifications (or all, with no ``pk``) as read."""
    rows = unread(org, user)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def set_preferences(access, *, muted: list[str], email: bool, digest: bool) -> NotificationPreference:
    """Save the person's own choices (each person changes only their own)."""
    from carestat.core.changes import stamp
    from carestat.core.errors import InvalidInput

    unknown = [e for e in muted if e not in NotificationEvent.values]
    if unknown:
        raise InvalidInput(f"‘{unknown[0]}’ is not an event CareStat tells people of", field="events")
    pref = (NotificationPreference.objects.select_for_update()
            .filter(organisation=access.organisation, user=access.user).first())
    new = pref is None
    if new:
        pref = NotificationPreference(organisation=access.organisation, user=access.user)
    before = None if new else {"muted": pref.muted, "email": pref.email, "digest": pref.digest}
    pref.muted, pref.email, pref.digest = sorted(set(muted)), email, digest
    fields = stamp(pref, access.user, new=new)
    if new:
        pref.save()
    else:
        pref.save(update_fields=["muted", "email", "digest", *fields])
    wanted = [label.lower() for value, label in NotificationEvent.choices if value not in pref.muted]
    how = "no email" if not email else ("a daily digest" if digest else "an email each")
    log_action("core.notifications.preferences_changed", actor=access.user, organisation=access.organisation,
               record=pref, before=before, after={"muted": pref.muted, "email": email, "digest": digest},
               message=f"{access.user.display_name} chose to be told of {len(wanted)} of "
                       f"{len(NotificationEvent.values)} events, by {how}")
    return pref


def send_digests(org: Organisation, *, now: dt.datetime | None = None) -> list[tuple[User, int]]:
    """Email each person who chose the daily digest what they have not yet been emailed, in
    one message, and mark it emailed; running it again sends nothing new."""
    now = now or timezone.now()
    sent = []
    prefs = NotificationPreference.objects.filter(organisation=org, email=True, digest=True).select_related("user")
    for pref in prefs:
        user = pref.user
        with transaction.atomic():
            rows = list(Notification.objects.select_for_update()
                        .filter(organisation=org, recipient=user, emailed_at__isnull=True).order_by("created_at"))
            if not rows or not user.email:
                continue
            lines = [f"Hello {user.display_name},", "", f"What CareStat has for you in {org.name}:", ""]
            for n in rows:
                link = f" ({settings.CARESTAT_BASE_URL.rstrip('/')}{n.url})" if n.url else ""
                lines.append(f"- {n.title}{link}")
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
            count = len(rows)
            subject = f"CareStat: {count} notification{'s' if count != 1 else ''} for you"
            transaction.on_commit(_digest_sender(subject, "\n".join(lines), user.email))
        sent.append((user, len(rows)))
    return sent


def _digest_sender(subject: str, body: str, address: str):
    def send():
        send_mail(subject, body, None, [address])
    return send


def notify_overdue(org: Organisation, *, today: dt.date | None = None) -> list[Notification]:
    """Tell each action owner of their milestones that are overdue today, once per milestone
    however often it runs (the daily job)."""
    from carestat.plans.models import Plan
    from carestat.plans.progress import plan_tree
    from carestat.plans.rules import Status

    today = today or timezone.localdate()
    made = []
    with transaction.atomic():
        for plan in Plan.objects.filter(organisation=org, is_archived=False):
            for a in plan_tree(plan, today=today).actions():
                for m in a.milestones:
                    if m.judgement.status is not Status.OVERDUE:
                        continue
                    ms = m.milestone
                    made += notify(org, [a.action.owner], NotificationEvent.MILESTONE_OVERDUE,
                                   title=f"Milestone overdue: {ms.title}",
                                   body=f"‘{ms.title}’ on the action ‘{a.action.title}’ ({plan.title}) was due "
                                        f"{ms.forecast_date:%-d %B %Y} and is not complete. Complete it or "
                                        f"re-date it with a reason.",
                                   url=f"/o/{org.slug}/milestones/{ms.pk}/", key=f"milestone-overdue:{ms.pk}")
    return made
