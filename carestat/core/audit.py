"""The one audit call every change goes through, and how entries read to people."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from carestat.core.models import AuditEntry, Organisation, User


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """JSON-safe values of ``fields`` on ``instance``, using display values for choices."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if field.choices and value is not None:
            value = getattr(instance, f"get_{name}_display")()
        out[name] = _jsonable(value)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def record_type_of(instance: models.Model) -> str:
    return instance._meta.model_name


def log_action(
    action: str,
    *,
    actor: User | None,
    organisation: Organisation | None,
    message: str,
    record: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Record one event. ``message`` says in plain words what happened."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.display_name if actor is not None and actor.pk else "",
        organisation=organisation,
        record_type=record_type_of(record) if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        record_label=str(record)[:300] if record is not None else "",
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        message=message,
        ip_address=ip_address,
    )


def describe_changes(
    model: type[models.Model], before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[str]:
    """Plain-words lines for what changed: "Role changed from Viewer to Manager"."""
    before = before or {}
    after = after or {}
    lines = []
    for name in list(dict.fromkeys([*before, *after])):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:
            label = name.replace("_", " ")
        label = label[:1].upper() + label[1:]
        if name not in before:
            lines.append(f"{label} set to {_show(new)}")
        elif name not in after:
            lines.append(f"{label} removed (was {_show(old)})")
        else:
            lines.append(f"{label} changed from {_show(old)} to {_show(new)}")
    return lines


def _show(value: Any) -> str:
    if value in (None, ""):
        return "blank"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            pass
    return f"‘{value}’"
