"""Small rules every app's services share when they change a record: who is acting, stamping
who changed it and when, a person's name as shown, and the rule that some changes need a
reason. Written once here so that plans, measures, case data, reports and core agree."""

from __future__ import annotations

from django.utils import timezone

STAMP_FIELDS = ("changed_at", "changed_by")


def acting_user(user):
    """The person to record as having done something, or None for an unsaved stand-in (the
    command line's system user, an anonymous job)."""
    return user if user is not None and user.pk else None


def stamp(instance, actor, *, new: bool = False) -> list[str]:
    """Record who changed ``instance`` and when (and, when ``new``, who created it); returns
    the fields set, for ``save(update_fields=...)``."""
    who = acting_user(actor)
    instance.changed_at = timezone.now()
    instance.changed_by = who
    if new:
        instance.created_by = who
    return list(STAMP_FIELDS)



def stamp_versioned(instance, actor, *, new: bool = False) -> list[str]:
    """``stamp``, and on a change (not a creation) raise the row's ``version`` if it has one,
    so a form opened on the old version is refused. Call it on a row locked for the change."""
    fields = stamp(instance, actor, new=new)
    if not new and hasattr(instance, "version"):
        instance.version += 1  # the row is locked, so no one else raises it meanwhile
        return [*fields, "version"]
    return fields

def name_of(user, default: str | None = "") -> str | None:
    """A person's name as CareStat shows it, or ``default`` where nobody is recorded."""
    return user.display_name if user is not None else default


def require_reason(reason: str | None, message: str, *, field: str = "reason", min_length: int = 5,
                   max_length: int | None = None) -> str:
    """The reason given, trimmed; refused with ``message`` when shorter than ``min_length``
    characters, and when longer than ``max_length`` if there is one."""
    from carestat.core.errors import InvalidInput

    reason = (reason or "").strip()
    if len(reason) < min_length:
        raise InvalidInput(message, field=field)
    if max_length is not None and len(reason) > max_length:
        raise InvalidInput(f"The reason must be {max_length} characters or fewer", field=field)
    return reason
