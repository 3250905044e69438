"""Business operations on measures: tracking a measure, targets, values (entered, approved,
imported or computed), benchmarks and process changes.

Each is transactional, checks the actor's role, records an audit entry and raises a typed
error (carestat.core.errors). Rules, also in docs/decisions/0003-measure-judgements.md:

- A value entered by a contributor is *submitted*; it is shown as awaiting approval and is
  left out of every judgement until a manager approves it. A manager's own entry is approved
  as it is entered (the audit trail records both).
- Imported values need a manager and are approved by the import itself; computed values are
  approved by their method (the provenance names the submissions, method version and time).
  A recomputed figure that would replace an approved one is held as a PendingRevision until a
  manager approves it (old and new side by side), unless the organisation has chosen to
  approve recomputed figures automatically.
- Changing a value never overwrites it: the old figures go to a MeasureValueRevision and the
  value's version goes up. Replacing an approved value needs a reason.
- A value or target in a closed reporting period, or in a period inside one (a month in a closed
  quarter), cannot change until the period is reopened (core's ``refuse_if_closed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, overload

from django.db import transaction
from django.utils import timezone

from carestat.analytics.periods import PeriodError, parse_period
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import require_reason, stamp
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.models import Organisation, Unit, User
from carestat.core.permissions import Perm
from carestat.measures.catalogue import ensure_catalogue
from carestat.measures.models import (
    BenchmarkKind,
    CatalogueMeasure,
    Frequency,
    Measure,
    MeasureBenchmark,
    MeasureObjective,
    MeasureValue,
    MeasureValueRevision,
    PendingRevision,
    Polarity,
    ProcessChange,
    RevisionStatus,
    Target,
    ToleranceKind,
    ValueSource,
    ValueStatus,
)
from carestat.measures.selectors import pending_revisions  # noqa: F401 (its name here before the read layer)

if TYPE_CHECKING:  # for annotations only: importing the measures package loads ibis
    from carestat.analytics.measures.base import MeasureResult

MEASURE_FIELDS = ("code", "title", "domain", "unit", "polarity", "owner_unit", "frequency", "tolerance",
                  "tolerance_kind", "is_public")
VALUE_FIELDS = ("period", "value", "numerator", "denominator", "status", "source", "is_provisional", "version")
TARGET_FIELDS = ("period", "value", "tolerance", "tolerance_kind")


def _touch(instance, actor: User | None, *, created: bool = False) -> None:
    stamp(instance, actor, new=created)


def _decimal(value, field_name: str, *, required: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"Enter the {field_name.replace('_', ' ')}", field=field_name)
        return None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"The {field_name.replace('_', ' ')} must be a number, like 72.5",
                           field=field_name) from None
    if not d.is_finite():
        raise InvalidInput(f"The {field_name.replace('_', ' ')} must be a number, like 72.5", field=field_name)
    if abs(d) >= 10**10 or (d != 0 and abs(d) < Decimal("0.0001")):
        raise InvalidInput(f"The {field_name.replace('_', ' ')} must be under 10 billion, with at most 4 decimal "
                           "places", field=field_name)
    return d.quantize(Decimal("0.0001"))


@overload
def _exact(x: None) -> None: ...
@overload
def _exact(x: float | Decimal | str) -> Decimal: ...
@overload
def _exact(x: float | Decimal | str | None) -> Decimal | None: ...


def _exact(x: float | Decimal | str | None) -> Decimal | None:
    """A computed number as a Decimal, without binary-float noise (0.1 stays 0.1)."""
    if x is None:
        return None
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def _show(d: Decimal | None) -> str:
    if d is None:
        return "blank"
    text = format(d.normalize(), "f")
    return text


# Tracking measures ---------------------------------------------------------------------

def _check_owner(access: Access, owner_unit: Unit | None) -> None:
    if owner_unit is not None and owner_unit.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a unit of this organisation", field="owner_unit")


def _check_settings(frequency: str, tolerance, tolerance_kind: str) -> Decimal:
    if frequency not in Frequency.values:
        raise InvalidInput("Choose monthly, quarterly or annual", field="frequency")
    if tolerance_kind not in ToleranceKind.values:
        raise InvalidInput("Choose how the tolerance is measured", field="tolerance_kind")
    tol = _decimal(tolerance, "tolerance") or Decimal(0)
    if tol < 0:
        raise InvalidInput("The tolerance cannot be negative", field="tolerance")
    return tol


@transaction.atomic
# Django is untyped here, so mypy reads a TextChoices member as its (value, label) tuple; it is a str.
def adopt_measure(access: Access, code: str, *, frequency: str = Frequency.QUARTERLY,  # type: ignore[assignment]
                  owner_unit: Unit | None = None, tolerance=0,
                  tolerance_kind: str = ToleranceKind.ABSOLUTE,  # type: ignore[assignment]
                  is_public: bool = False) -> Measure:
    """Start tracking a catalogue measure; its definition is copied from the catalogue."""
    access.require(Perm.MANAGE)
    ensure_catalogue()
    entry = CatalogueMeasure.objects.filter(code=(code or "").strip()).first()
    if entry is None:
        raise InvalidInput(f"‘{code}’ is not a measure in the catalogue", field="code")
    if Measure.objects.filter(organisation=access.organisation, code=entry.code).exists():
        raise Conflict(f"{entry.code} is already tracked", field="code")
    _check_owner(access, owner_unit)
    tol = _check_settings(frequency, tolerance, tolerance_kind)
    measure = Measure(
        organisation=access.organisation, catalogue=entry, code=entry.code, title=entry.title, domain=entry.domain,
        unit=entry.unit, polarity=entry.polarity, numerator_definition=entry.numerator,
        denominator_definition=entry.denominator, owner_unit=owner_unit, frequency=frequency,
        tolerance=tol, tolerance_kind=tolerance_kind, is_public=is_public,
    )
    _touch(measure, access.user, created=True)
    measure.save()
    log_action("measures.measure.adopted", actor=access.user, organisation=access.organisation, record=measure,
               after=snapshot(measure, MEASURE_FIELDS),
               message=f"{access.user.display_name} started tracking {entry.code} ‘{entry.title}’ "
                       f"({measure.get_frequency_display().lower()})")
    return measure


@transaction.atomic
def add_local_measure(access: Access, *, code: str, title: str, domain: str, unit: str, polarity: str,
                      numerator: str = "", denominator: str = "", notes: str = "",
                      # Django is untyped here: mypy reads these TextChoices defaults as tuples
                      frequency: str = Frequency.QUARTERLY,  # type: ignore[assignment]
                      owner_unit: Unit | None = None, tolerance=0,
                      tolerance_kind: str = ToleranceKind.ABSOLUTE,  # type: ignore[assignment]
                      is_public: bool = False) -> Measure:
    """Add the organisation's own measure, with the same fields as a catalogue one."""
    access.require(Perm.MANAGE)
    ensure_catalogue()
    code = (code or "").strip().upper()
    title = (title or "").strip()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        raise InvalidInput("Enter a short code of letters, numbers and hyphens, like OT-28DAYS", field="code")
    if CatalogueMeasure.objects.filter(code=code).exists():
        raise Conflict(f"{code} is a catalogue measure; track it from the catalogue instead", field="code")
    if Measure.objects.filter(organisation=access.organisation, code=code).exists():
        raise Conflict(f"There is already a measure with the code {code}", field="code")
    if not title:
        raise InvalidInput("Enter the measure's title", field="title")
    if not (domain or "").strip():
        raise InvalidInput("Enter the measure's domain, such as adults or workforce", field="domain")
    if not (unit or "").strip():
        raise InvalidInput("Enter the unit, such as percent, count or days", field="unit")
    if polarity not in Polarity.values:
        raise InvalidInput("Choose whether higher or lower is better", field="polarity")
    _check_owner(access, owner_unit)
    tol = _check_settings(frequency, tolerance, tolerance_kind)
    measure = Measure(
        organisation=access.organisation, code=code, title=title, domain=domain.strip().lower(), unit=unit.strip(),
        polarity=polarity, numerator_definition=(numerator or "").strip(),
        denominator_definition=(denominator or "").strip(), notes=(notes or "").strip(), owner_unit=owner_unit,
        frequency=frequency, tolerance=tol, tolerance_kind=tolerance_kind, is_public=is_public,
    )
    _touch(measure, access.user, created=True)
    measure.save()
    log_action("measures.measure.created", actor=access.user, organisation=access.organisation, record=measure,
               after=snapshot(measure, MEASURE_FIELDS),
               message=f"{access.user.display_name} added local measure {code} ‘{title}’")
    return measure


# Periods ---------------------------------------------------------------------------------

def _check_period(measure: Measure, period: str, *, field_name: str = "period", any_kind: bool = False) -> str:
    period = (period or "").strip()
    try:
        p = parse_period(period)
    except PeriodError as exc:
        raise InvalidInput(f"{exc}; use a period such as 2025-26, 2025-26-Q2 or 2025-09", field=field_name) from None
    expected = Frequency(measure.frequency).period_kind
    if not any_kind and p.kind.value != expected:
        examples = {"month": "2025-09", "quarter": "2025-26-Q2", "year": "2025-26"}
        raise InvalidInput(f"{measure.code} is {measure.get_frequency_display().lower()}, so its values are for "
                           f"a {expected} such as {examples[expected]} (not ‘{period}’)", field=field_name)
    return p.label


def _check_open(org: Organisation, period: str) -> None:
    """Refuse a change to a figure for ``period`` if it, or any period containing it, is closed
    (a month in a closed quarter is as frozen as the quarter)."""
    p = parse_period(period)
    core_services.refuse_if_closed(org, p.start, p.end, what=period)


def is_period_closed(org: Organisation, period: str) -> bool:
    """Whether a figure for ``period`` is frozen: it, or a period containing it, is closed."""
    p = parse_period(period)
    return bool(core_services.closed_periods_containing(org, p.start, p.end))


# Values ----------------------------------------------------------------------------------

def _derive(measure: Measure, value, numerator, denominator) -> tuple[Decimal, Decimal | None, Decimal | None]:
    v = _decimal(value, "value")
    n = _decimal(numerator, "numerator")
    d = _decimal(denominator, "denominator")
    for name, x in (("numerator", n), ("denominator", d)):
        if x is not None and x < 0:
            raise InvalidInput(f"The {name} cannot be negative", field=name)
    if (n is None) != (d is None) and measure.unit != "count":
        raise InvalidInput("Give both the numerator and the denominator, or neither",
                           field="denominator" if d is None else "numerator")
    if d is not None and d == 0:
        raise InvalidInput("The denominator cannot be 0", field="denominator")
    if n is not None and d is not None and measure.unit == "percent":
        if n > d:
            raise InvalidInput("The numerator cannot be larger than the denominator for a percentage",
                               field="numerator")
        derived = (n * 100 / d).quantize(Decimal("0.0001"))
        if v is None:
            v = derived
        elif abs(v - derived) > Decimal("0.1"):
            raise InvalidInput(f"The value {_show(v)}% does not match the numerator and denominator "
                               f"({_show(n)} / {_show(d)} = {_show(derived.quantize(Decimal('0.1')))}%)", field="value")
    if v is None:
        if measure.unit == "count" and n is not None:
            v = n
        else:
            raise InvalidInput("Enter the value" + (", or the numerator and denominator" if measure.unit == "percent"
                                                    else ""), field="value")
    if measure.unit == "percent" and not (0 <= v <= 100):
        raise InvalidInput("A percentage must be between 0 and 100", field="value")
    if measure.unit == "count" and (v < 0 or v != v.to_integral_value()):
        raise InvalidInput("A count must be a whole number of 0 or more", field="value")
    return v, n, d


def _revise(current: MeasureValue, actor: User | None, reason: str) -> None:
    """Keep the current figures in history before they are replaced."""
    MeasureValueRevision.objects.create(
        current=current, version=current.version, value=current.value, numerator=current.numerator,
        denominator=current.denominator, source=current.source, status=current.status,
        is_provisional=current.is_provisional, provenance=current.provenance, replaced_at=timezone.now(),
        replaced_by=actor if actor is not None and actor.pk else None, reason=reason,
    )
    current.version += 1
    current.approved_by = None
    current.approved_at = None
    current.import_file, current.import_row = "", None
    current.submissions, current.method_version, current.computed_at = [], "", None


def _same(current: MeasureValue, v, n, d, provisional: bool) -> bool:
    return (current.value == v and current.numerator == n and current.denominator == d
            and current.is_provisional == provisional)


@transaction.atomic
def enter_value(access: Access, measure: Measure, *, period: str, value=None, numerator=None, denominator=None,
                is_provisional: bool = False, note: str = "", reason: str = "") -> MeasureValue:
    """Enter a value by hand. A contributor's value awaits approval; a manager's is approved.

    Entering a value for a period that already has one revises it, keeping the old one.
    """
    access.require(Perm.CONTRIBUTE)
    period = _check_period(measure, period)
    _check_open(access.organisation, period)
    v, n, d = _derive(measure, value, numerator, denominator)
    approve = access.can(Perm.MANAGE)
    now = timezone.now()
    current = MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
    before = None
    if current is not None:
        reason = (reason or "").strip()
        if current.is_approved:
            require_reason(reason, f"{measure.code} already has an approved value for {period} "
                                   f"({_show(current.value)}); give the reason for revising it")
        before = snapshot(current, VALUE_FIELDS)
        _revise(current, access.user, reason or "Replaced before approval")
        action, verb = "measures.value.revised", "revised"
    else:
        current = MeasureValue(measure=measure, period=period)
        _touch(current, access.user, created=True)
        action, verb = "measures.value.entered", "entered"
    current.value, current.numerator, current.denominator = v, n, d
    current.is_provisional = bool(is_provisional)
    current.note = (note or "").strip()
    current.source = ValueSource.MANUAL
    current.entered_by = access.user
    current.status = ValueStatus.APPROVED if approve else ValueStatus.SUBMITTED
    if approve:
        current.approved_by, current.approved_at = access.user, now
    _touch(current, access.user)
    current.save()
    tail = " and approved it" if approve else "; it awaits a manager's approval"
    was = f" (was {_show(Decimal(before['value']))})" if before else ""
    log_action(action, actor=access.user, organisation=access.organisation, record=current, before=before,
               after=snapshot(current, VALUE_FIELDS),
               message=f"{access.user.display_name} {verb} {measure.code} for {period}: {_show(v)}{was}{tail}"
                       + (f". Reason: {reason}" if before and reason else ""))
    return current


@transaction.atomic
def approve_value(access: Access, value: MeasureValue) -> MeasureValue:
    """A manager approves a submitted value, so it counts in judgements."""
    access.require(Perm.MANAGE)
    value = MeasureValue.objects.select_for_update().select_related("measure").get(pk=value.pk)
    if value.measure.organisation_id != access.organisation.pk:
        raise InvalidInput("That value is not this organisation's")
    if value.is_approved:
        raise Conflict(f"{value.measure.code} for {value.period} is already approved")
    _check_open(access.organisation, value.period)
    before = snapshot(value, VALUE_FIELDS)
    value.status = ValueStatus.APPROVED
    value.approved_by, value.approved_at = access.user, timezone.now()
    _touch(value, access.user)
    value.save(update_fields=["status", "approved_by", "approved_at", "changed_at", "changed_by"])
    log_action("measures.value.approved", actor=access.user, organisation=access.organisation, record=value,
               before=before, after=snapshot(value, VALUE_FIELDS),
               message=f"{access.user.display_name} approved {value.measure.code} for {value.period}: "
                       f"{_show(value.value)}")
    return value


# Computed values -------------------------------------------------------------------------

def _jsonable(extra) -> dict:
    """A computation's companions as JSON: numbers as plain numbers, nothing else."""
    import json

    return json.loads(json.dumps(dict(extra or {}), default=str))


@dataclass
class RecordOutcome:
    created: list[str] = field(default_factory=list)  # "CODE PERIOD"
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_closed: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # recomputed, awaiting a manager's approval


def _frequency_for(period: str) -> str:
    kind = parse_period(period).kind.value
    # Django is untyped here, so mypy reads a TextChoices member as its (value, label) tuple; it is a str.
    return {"month": Frequency.MONTHLY, "quarter": Frequency.QUARTERLY}.get(kind, Frequency.ANNUAL)  # type: ignore[return-value]


@transaction.atomic
def record_computed_values(org: Organisation, results: Iterable[MeasureResult], *, submissions: Sequence[str],
                           computed_at: dt.datetime, computed_by: User | None = None,
                           auto_approve: bool = False) -> RecordOutcome:
    """Store measure results computed from case data (``carestat.analytics.measures.base.MeasureResult``).

    Called by the case-data app after a run. Headline results (no breakdown) become values with
    their provenance (submission ids, method version, computed at, computed by), approved by
    their method; breakdown results are kept with their headline for suppression and display.
    A measure the organisation does not yet track is adopted from the catalogue. A changed
    figure is a revision (the old one is kept); an identical one changes nothing; a period that
    is closed is left alone and listed in ``skipped_closed``. A changed figure for a period
    whose value is approved waits as a PendingRevision (listed in ``pending``) unless
    ``auto_approve``; a figure a manager has rejected is not proposed again.
    """
    results = list(results)
    if timezone.is_naive(computed_at):
        raise ValueError("computed_at must be timezone-aware")
    subs = [str(s) for s in submissions]
    ensure_catalogue()
    outcome = RecordOutcome()
    headlines = [r for r in results if not r.breakdown]
    parts: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        if r.breakdown:
            parts.setdefault((r.code, r.period), []).append({
                "by": dict(r.breakdown), "value": r.value, "numerator": r.numerator, "denominator": r.denominator,
                **({"extra": _jsonable(r.extra)} if r.extra else {}),
            })
    for r in headlines:
        key = f"{r.code} {r.period}"
        measure = Measure.objects.filter(organisation=org, code=r.code).first()
        if measure is None:
            entry = CatalogueMeasure.objects.filter(code=r.code).first()
            if entry is None:
                raise InvalidInput(f"{r.code} is neither tracked by {org.name} nor in the catalogue", field="code")
            measure = Measure.objects.create(
                organisation=org, catalogue=entry, code=entry.code, title=entry.title, domain=entry.domain,
                unit=entry.unit, polarity=entry.polarity, numerator_definition=entry.numerator,
                denominator_definition=entry.denominator, frequency=_frequency_for(r.period),
                created_by=computed_by, changed_by=computed_by,
            )
            log_action("measures.measure.adopted", actor=computed_by, organisation=org, record=measure,
                       after=snapshot(measure, MEASURE_FIELDS),
                       message=f"{measure.code} is now tracked, because case data computed it")
        period = parse_period(r.period).label
        if r.value is None:
            continue  # nothing to record: no denominator in the period
        if is_period_closed(org, period):
            outcome.skipped_closed.append(key)
            continue
        v = _exact(r.value).quantize(Decimal("0.0001"))
        n, d = _exact(r.numerator), _exact(r.denominator)
        breakdown = parts.get((r.code, r.period), [])
        current = MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
        if current is not None and current.source == ValueSource.COMPUTED and _same(current, v, n, d, False) \
                and current.method_version == r.method_version and current.breakdown == breakdown \
                and current.details == _jsonable(r.extra):
            _withdraw_pending(current)
            outcome.unchanged.append(key)
            continue
        if current is not None and current.is_approved and not auto_approve and not _same(current, v, n, d, False):
            if _propose(current, v, n, d, breakdown=breakdown, details=_jsonable(r.extra), submissions=subs,
                        method_version=r.method_version, computed_at=computed_at, computed_by=computed_by):
                outcome.pending.append(key)
            else:
                outcome.unchanged.append(key)
            continue
        if current is not None:
            _withdraw_pending(current)
        before = None
        if current is not None:
            before = snapshot(current, VALUE_FIELDS)
            _revise(current, computed_by, f"Recomputed from case data (method {r.method_version})")
            outcome.revised.append(key)
        else:
            current = MeasureValue(measure=measure, period=period, created_by=computed_by)
            outcome.created.append(key)
        current.value, current.numerator, current.denominator = v, n, d
        current.breakdown = breakdown
        current.details = _jsonable(r.extra)
        current.source, current.status, current.is_provisional = ValueSource.COMPUTED, ValueStatus.APPROVED, False
        current.entered_by = computed_by
        current.submissions, current.method_version, current.computed_at = subs, r.method_version, computed_at
        current.note = ""
        current.changed_at, current.changed_by = timezone.now(), computed_by
        current.save()
        log_action("measures.value.computed", actor=computed_by, organisation=org, record=current, before=before,
                   after={**snapshot(current, VALUE_FIELDS), "submissions": subs,
                          "method_version": r.method_version},
                   message=f"{measure.code} for {period} computed from case data: {_show(v)} "
                           f"(method {r.method_version}, submissions {', '.join(subs) or 'none'})")
    return outcome


def _withdraw_pending(current: MeasureValue) -> None:
    PendingRevision.objects.filter(current=current, status=RevisionStatus.PENDING).update(
        status=RevisionStatus.WITHDRAWN, decided_at=timezone.now(),
        decision_reason="A later computation replaced it")


def _propose(current: MeasureValue, v, n, d, *, breakdown, details, submissions, method_version, computed_at,
             computed_by) -> bool:
    """Hold a recomputed figure for approval. False when it is already waiting, or a manager
    has rejected this very figure from these submissions."""
    same = dict(value=v, numerator=n, denominator=d, submissions=list(submissions), method_version=method_version)
    if PendingRevision.objects.filter(current=current, status__in=[RevisionStatus.PENDING, RevisionStatus.REJECTED],
                                      replaces_version=current.version, **same).exists():
        return False
    _withdraw_pending(current)
    who = computed_by if computed_by is not None and computed_by.pk else None
    revision = PendingRevision.objects.create(
        current=current, breakdown=breakdown, details=details, computed_at=computed_at, computed_by=who,
        replaces_value=current.value, replaces_version=current.version, **same)
    measure = current.measure
    log_action("measures.value.recomputed_pending", actor=computed_by, organisation=measure.organisation,
               record=current, before=snapshot(current, VALUE_FIELDS),
               after={"value": str(v), "numerator": _jsonable_num(n), "denominator": _jsonable_num(d),
                      "submissions": list(submissions), "method_version": method_version, "revision": revision.pk},
               message=f"{measure.code} for {current.period} recomputed from case data: {_show(v)} where the approved "
                       f"figure is {_show(current.value)}; it awaits a manager's approval")
    return True


def _jsonable_num(x) -> str | None:
    return None if x is None else str(x)


def _decidable(access: Access, revision: PendingRevision) -> PendingRevision:
    access.require(Perm.MANAGE)
    revision = (PendingRevision.objects.select_for_update().select_related("current__measure")
                .filter(pk=revision.pk, current__measure__organisation=access.organisation).first())
    if revision is None:
        raise InvalidInput("That recomputed figure is not this organisation's")
    if revision.status != RevisionStatus.PENDING:
        raise Conflict(f"{revision} was already {revision.get_status_display().lower()}")
    _check_open(access.organisation, revision.current.period)
    return revision


@transaction.atomic
def approve_revision(access: Access, revision: PendingRevision) -> MeasureValue:
    """A manager accepts a recomputed figure: it becomes the value and the approved one it
    replaces goes to the value's history."""
    revision = _decidable(access, revision)
    current = MeasureValue.objects.select_for_update().get(pk=revision.current_id)
    if current.version != revision.replaces_version:
        raise Conflict(f"{current} has changed since this figure was computed; recompute it and review again")
    before = snapshot(current, VALUE_FIELDS)
    who = access.user.display_name
    _revise(current, access.user, f"Recomputed from case data (method {revision.method_version}); approved by {who}")
    now = timezone.now()
    current.value, current.numerator, current.denominator = revision.value, revision.numerator, revision.denominator
    current.breakdown, current.details = revision.breakdown, revision.details
    current.source, current.status, current.is_provisional = ValueSource.COMPUTED, ValueStatus.APPROVED, False
    current.entered_by = revision.computed_by
    current.submissions, current.method_version = revision.submissions, revision.method_version
    current.computed_at, current.note = revision.computed_at, ""
    current.approved_by, current.approved_at = access.user, now
    _touch(current, access.user)
    current.save(update_fields=[*CHANGED_ON_APPROVAL])
    PendingRevision.objects.filter(pk=revision.pk).update(status=RevisionStatus.APPROVED, decided_by=access.user,
                                                          decided_at=now)
    log_action("measures.value.revision_approved", actor=access.user, organisation=access.organisation,
               record=current, before=before, after=snapshot(current, VALUE_FIELDS),
               message=f"{who} approved the recomputed {current.measure.code} for {current.period}: "
                       f"{_show(current.value)} (was {_show(revision.replaces_value)})")
    return current


CHANGED_ON_APPROVAL = (
    "value", "numerator", "denominator", "breakdown", "details", "source", "status", "is_provisional",
    "entered_by", "submissions", "method_version", "computed_at", "note", "approved_by", "approved_at",
    "version", "import_file", "import_row", "changed_at", "changed_by",
)


@transaction.atomic
def reject_revision(access: Access, revision: PendingRevision, *, reason: str) -> PendingRevision:
    """A manager keeps the approved figure; the recomputed one is not proposed again."""
    reason = require_reason(reason, "Say why the recomputed figure is wrong (at least 5 characters)")
    revision = _decidable(access, revision)
    revision.status, revision.decided_by, revision.decided_at = RevisionStatus.REJECTED, access.user, timezone.now()
    revision.decision_reason = reason
    revision.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    current = revision.current
    log_action("measures.value.revision_rejected", actor=access.user, organisation=access.organisation,
               record=current,
               message=f"{access.user.display_name} rejected the recomputed {current.measure.code} for "
                       f"{current.period} ({_show(revision.value)}) and kept {_show(current.value)}. Reason: {reason}")
    return revision


# Targets, benchmarks and process changes ------------------------------------------------

@transaction.atomic
def set_target(access: Access, measure: Measure, *, period: str, value, tolerance=None,
               tolerance_kind: str = "") -> Target:
    """Set (or change) the target for a period: the measure's own period kind or a whole year."""
    access.require(Perm.MANAGE)
    period = _check_period(measure, period, any_kind=True)
    _check_open(access.organisation, period)
    v = _decimal(value, "value", required=True)
    tol = _decimal(tolerance, "tolerance")
    if tol is not None and tol < 0:
        raise InvalidInput("The tolerance cannot be negative", field="tolerance")
    if tolerance_kind and tolerance_kind not in ToleranceKind.values:
        raise InvalidInput("Choose how the tolerance is measured", field="tolerance_kind")
    target = Target.objects.select_for_update().filter(measure=measure, period=period).first()
    before = snapshot(target, TARGET_FIELDS) if target else None
    if target is None:
        target = Target(measure=measure, period=period)
        _touch(target, access.user, created=True)
    target.value, target.tolerance, target.tolerance_kind = v, tol, tolerance_kind or ""
    _touch(target, access.user)
    target.save()
    log_action("measures.target.set", actor=access.user, organisation=access.organisation, record=target,
               before=before, after=snapshot(target, TARGET_FIELDS),
               message=f"{access.user.display_name} set the {period} target for {measure.code} to {_show(v)}"
                       + (f" (was {before['value']})" if before else ""))
    return target


@transaction.atomic
def add_benchmark(access: Access, measure: Measure, *, kind: str, value, source: str, year: str,
                  name: str = "") -> MeasureBenchmark:
    access.require(Perm.MANAGE)
    if kind not in BenchmarkKind.values:
        raise InvalidInput("Choose national, regional or comparator group", field="kind")
    v = _decimal(value, "value", required=True)
    source, year = (source or "").strip(), (year or "").strip()
    if not source:
        raise InvalidInput("Say where the benchmark comes from, such as the publication and table", field="source")
    if not year:
        raise InvalidInput("Enter the year the benchmark describes, such as 2024-25", field="year")
    b = MeasureBenchmark(measure=measure, kind=kind, name=(name or "").strip(), value=v, source=source, year=year)
    _touch(b, access.user, created=True)
    b.save()
    log_action("measures.benchmark.added", actor=access.user, organisation=access.organisation, record=b,
               after=snapshot(b, ("kind", "name", "value", "source", "year")),
               message=f"{access.user.display_name} added a {b.get_kind_display().lower()} benchmark for "
                       f"{measure.code}: {_show(v)} ({source}, {year})")
    return b


@transaction.atomic
def record_process_change(access: Access, measure: Measure, *, starts_on: dt.date, reason: str) -> ProcessChange:
    """Record a change in the process: SPC limits are recalculated from the first period on or
    after this date, once 15 points are available after it."""
    access.require(Perm.MANAGE)
    if not isinstance(starts_on, dt.date):
        raise InvalidInput("Enter the date of the change", field="starts_on")
    reason = require_reason(reason, "Describe the change, such as ‘new duty desk rota’")
    if ProcessChange.objects.filter(measure=measure, starts_on=starts_on).exists():
        raise Conflict(f"A process change on {starts_on:%-d %B %Y} is already recorded", field="starts_on")
    change = ProcessChange(measure=measure, starts_on=starts_on, reason=reason)
    _touch(change, access.user, created=True)
    change.save()
    log_action("measures.process_change.recorded", actor=access.user, organisation=access.organisation,
               record=change, after=snapshot(change, ("starts_on", "reason")),
               message=f"{access.user.display_name} recorded a process change to {measure.code} from "
                       f"{starts_on:%-d %B %Y}: {reason}")
    return change


# Measures of success for plan objectives -------------------------------------------------

def objectives_for(org: Organisation):
    """The organisation's objectives a measure may be linked to (not archived)."""
    from carestat.plans.models import Objective

    return (Objective.objects.filter(priority__plan__organisation=org, is_archived=False,
                                     priority__is_archived=False, priority__plan__is_archived=False)
            .select_related("priority__plan").order_by("priority__plan__title", "priority__position",
                                                       "position", "pk"))


@transaction.atomic
def link_objective(access: Access, measure: Measure, objective) -> MeasureObjective:
    """Make the measure a measure of success for a plan objective of the same organisation."""
    access.require(Perm.MANAGE)
    if objective is None or objective.priority.plan.organisation_id != access.organisation.pk \
            or measure.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose an objective of one of this organisation's plans", field="objective")
    if MeasureObjective.objects.filter(measure=measure, objective=objective).exists():
        raise Conflict(f"{measure.code} is already a measure of success for that objective", field="objective")
    link = MeasureObjective(measure=measure, objective=objective)
    _touch(link, access.user, created=True)
    link.save()
    log_action("measures.objective.linked", actor=access.user, organisation=access.organisation, record=measure,
               after={"objective": str(objective), "plan": str(objective.priority.plan)},
               message=f"{access.user.display_name} made {measure.code} a measure of success for "
                       f"‘{objective}’ ({objective.priority.plan})")
    return link


@transaction.atomic
def unlink_objective(access: Access, link: MeasureObjective) -> None:
    access.require(Perm.MANAGE)
    if link.measure.organisation_id != access.organisation.pk:
        raise InvalidInput("That link is not this organisation's")
    measure, objective = link.measure, link.objective
    link.delete()
    log_action("measures.objective.unlinked", actor=access.user, organisation=access.organisation, record=measure,
               before={"objective": str(objective), "plan": str(objective.priority.plan)},
               message=f"{access.user.display_name} removed {measure.code} as a measure of success for "
                       f"‘{objective}’ ({objective.priority.plan})")


@transaction.atomic
def change_measure_settings(access: Access, measure: Measure, *, owner_unit: Unit | None, tolerance,
                            tolerance_kind: str, is_public: bool) -> Measure:
    """Change who owns a measure, its default tolerance and whether it is published.

    The measure is read again and locked here rather than changed as handed in: a copy read
    before someone else's change would put it back if saved whole."""
    access.require(Perm.MANAGE)
    measure = Measure.objects.select_for_update().get(pk=measure.pk, organisation=access.organisation)
    _check_owner(access, owner_unit)
    tol = _check_settings(measure.frequency, tolerance, tolerance_kind)
    before = snapshot(measure, MEASURE_FIELDS)
    measure.owner_unit, measure.tolerance, measure.tolerance_kind = owner_unit, tol, tolerance_kind
    measure.is_public = bool(is_public)
    after = snapshot(measure, MEASURE_FIELDS)
    if before == after:
        return measure
    _touch(measure, access.user)
    measure.save(update_fields=["owner_unit", "tolerance", "tolerance_kind", "is_public", "changed_at", "changed_by"])
    log_action("measures.measure.changed", actor=access.user, organisation=access.organisation, record=measure,
               before=before, after=after, message=f"{access.user.display_name} changed the settings of {measure.code}")
    return measure
