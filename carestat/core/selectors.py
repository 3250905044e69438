"""What core pages, the API and the command line read: the audit trail and a record's
history, each written once so the page and the API show the same entries.

Each reads one organisation's rows only; none changes anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from carestat.core.models import AuditEntry, Membership, Notification, Organisation


def audit_entries(org: Organisation) -> QuerySet[AuditEntry]:
    """The organisation's audit trail, newest first: its own entries, its members' entries
    that belong to no organisation (signing in), and failed sign-ins as its members."""
    member_users = Membership.objects.filter(organisation=org).values("user_id")
    member_names = Membership.objects.filter(organisation=org).values_list("user__username", flat=True)
    # Unscoped because sign-in events belong to no organisation; the filter keeps this
    # organisation's entries and its own members' sign-ins, nobody else's.
    return AuditEntry.unscoped.filter(
        Q(organisation=org)
        | Q(organisation__isnull=True, actor_id__in=member_users)
        | Q(action="core.auth.sign_in_failed", after__username__in=list(member_names))
    ).select_related("actor")


@dataclass(frozen=True)
class AuditFilter:
    """Which entries of the audit trail to show: by kind ("changes" or "signins"), by the person
    who acted (their user id), between two days (inclusive, in the organisation's time zone) and
    by record type ("action", "risk")."""

    kind: str = ""
    actor: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    record_type: str = ""

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.kind == "changes":
            entries = entries.exclude(action__startswith="core.auth.")
        elif self.kind == "signins":
            entries = entries.filter(action__startswith="core.auth.")
        if self.actor is not None:
            entries = entries.filter(actor_id=self.actor)
        if self.since is not None:
            entries = entries.filter(at__gte=_start_of(self.since))
        if self.until is not None:
            entries = entries.filter(at__lt=_start_of(self.until + dt.timedelta(days=1)))
        if self.record_type:
            entries = entries.filter(record_type=self.record_type)
        return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_people(org: Organisation) -> list[tuple[int, str]]:
    """The members who appear in the audit trail's person filter: (user id, name), by name."""
    rows = Membership.objects.filter(organisation=org).select_related("user")
    return sorted(((m.user_id, m.user.display_name) for m in rows), key=lambda r: r[1].lower())


def audit_record_types(org: Organisation) -> list[str]:
    """The kinds of record the organisation's audit trail names, for its record type filter."""
    return sorted(set(AuditEntry.objects.filter(organisation=org).exclude(record_type="")
                      .values_list("record_type", flat=True).distinct()))


def record_history(org: Organisation, record_type: str, record_id: str) -> QuerySet[AuditEntry]:
    """One record's entries in the audit trail, newest first."""
    return (AuditEntry.objects.filter(organisation=org, record_type=record_type, record_id=record_id)
            .select_related("actor"))


def notifications(access) -> QuerySet[Notification]:
    """The person's own notifications in this organisation, unread first, then newest."""
    return (Notification.objects.filter(organisation=access.organisation, recipient=access.user)
            .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk"))
