"""What core pages, the API and the command line read: the audit trail and a record's
history, each written once so the page and the API show the same entries.

Each reads one organisation's rows only; none changes anything."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

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


def record_history(org: Organisation, record_type: str, record_id: str) -> QuerySet[AuditEntry]:
    """One record's entries in the audit trail, newest first."""
    return (AuditEntry.objects.filter(organisation=org, record_type=record_type, record_id=record_id)
            .select_related("actor"))


def notifications(access) -> QuerySet[Notification]:
    """The person's own notifications in this organisation, unread first, then newest."""
    return (Notification.objects.filter(organisation=access.organisation, recipient=access.user)
            .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk"))
