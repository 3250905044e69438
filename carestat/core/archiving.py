"""Archiving with a reason, the one way CareStat drops a record: it is never deleted, the
change is stamped and recorded in the audit trail with the reason given, and pages and
reports read that reason back from the trail. Plans (and their items) and boards' remits
archive through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from carestat.core.audit import log_action
from carestat.core.models import AuditEntry, Organisation


def set_archived(access, obj, *, archived: bool, reason: str, action: str, what: str,
                 stamped: Iterable[str]) -> None:
    """Archive or restore ``obj`` (a row locked by the caller, whose checks have passed, and
    already stamped: ``stamped`` names the fields that set) and record why under ``action``.
    ``what`` names it in the audit message, as in "the remit ‘Adults' board’"."""
    obj.is_archived = archived
    fields = ["is_archived", *stamped]
    if hasattr(obj, "archived_at"):
        obj.archived_at = timezone.now() if archived else None
        fields.insert(1, "archived_at")
    obj.save(update_fields=fields)
    done = f"archived {what}" if archived else f"restored archived {what}"
    log_action(action, actor=access.user, organisation=access.organisation, record=obj,
               before={"is_archived": not archived}, after={"is_archived": archived, "reason": reason},
               message=f"{access.user.display_name} {done}: {reason}")


def archive_reasons(org: Organisation, actions: Iterable[str], record_ids: Iterable) -> dict[tuple[str, str], str]:
    """The reason last given for archiving each record, by (record type, record id), from the
    audit entries named ``actions``: one archived, restored and archived again gives its
    latest reason."""
    out: dict[tuple[str, str], str] = {}
    for e in AuditEntry.objects.filter(organisation=org, action__in=list(actions),
                                       record_id__in=[str(i) for i in record_ids]).order_by("-at", "-pk"):
        out.setdefault((e.record_type, e.record_id), (e.after or {}).get("reason", ""))
    return out
