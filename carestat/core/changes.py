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


def locked(obj, expected_version: int | None = None, *, describe=None):
    """The row ``obj`` stands for, read afresh and locked until the transaction ends, and
    refused if it has changed since the version the person opened.

    A service changes this copy, never the one it was handed: that one may have been read
    before someone else's change (a page opened earlier, the demo holding the row it
    created), and saving it would put their change back. Callers save it with
    ``update_fields`` naming only what the service changed. ``describe`` names the row in
    the refusal (by default its kind and title)."""
    row = type(obj).objects.select_for_update().get(pk=obj.pk)
    refuse_if_changed_since(row, expected_version, describe=describe)
    return row


def refuse_if_changed_since(row, expected_version: int | None, *, describe=None) -> None:
    """Refuse an edit begun on an older version of ``row``, naming who changed it and when.

    ``expected_version`` is the version the person opened (a form's hidden field, the API's
    ``version``); None skips the check, for callers that hold no earlier copy, and so does
    a row without versions."""
    from carestat.core.errors import Conflict

    if expected_version is None or getattr(row, "version", expected_version) == expected_version:
        return
    who = name_of(getattr(row, "changed_by", None), "someone")
    when = timezone.localtime(row.changed_at)
    at = f"{when:%H:%M}" if when.date() == timezone.localdate() else f"{when:%H:%M} on {when:%-d %B %Y}"
    what = describe(row) if describe else f"{row._meta.verbose_name} ‘{str(row)[:80]}’"
    raise Conflict(f"{what[0].upper()}{what[1:]} was changed by {who} at {at} since you opened it; "
                   "reload it to see their change, then make yours again", field="version")


def organisation_id_of(obj) -> int:
    """The organisation a record belongs to: its own ``organisation``, or for a plan's parts
    (an action, objective or priority), their plan's. Anything else is a programming error,
    refused rather than let through."""
    start = obj
    while not hasattr(obj, "organisation_id"):
        parent = next((p for p in ("objective", "priority", "plan") if hasattr(obj, f"{p}_id")), None)
        if parent is None:
            raise TypeError(f"{type(start).__name__} records belong to no organisation")
        obj = getattr(obj, parent)
    return obj.organisation_id


def require_same_organisation(access, *objs, field: str | None = None, what: str = "record") -> None:
    """Anything a change links to must be the acting organisation's own: another's is refused
    (as a form error on ``field``), never linked. None (nothing chosen) passes."""
    from carestat.core.errors import InvalidInput

    for obj in objs:
        if obj is not None and organisation_id_of(obj) != access.organisation.pk:
            raise InvalidInput(f"That {what} belongs to another organisation; choose one of "
                               f"{access.organisation.name}'s", field=field)
