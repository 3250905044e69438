"""Loading statutory returns and case extracts, and computing measures from them.

``ingest`` validates and loads one submission into the organisation's analytics store
(carestat.analytics: pseudonymised, all or nothing, duplicates change nothing, newer
submissions supersede older), records it here with its validation report, and recomputes the
measures its data feeds, storing them as measure values with their provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carestat.analytics.ingest import LoadResult, NeedsConfirmation, SubmissionRejected, load_submission
from carestat.analytics.problems import UnreadableFile, ValidationReport
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.words import count_of
from carestat.casedata.models import (
    MAX_PROBLEMS_KEPT,
    CaseDataSettings,
    Submission,
    SubmissionProblem,
    SubmissionStatus,
)
from carestat.casedata.selectors import awaiting_measures, current_submissions
from carestat.casedata.stores import open_store, store_path, summarise  # noqa: F401 (store_path for callers)
from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.changes import stamp
from carestat.core.errors import InvalidInput
from carestat.core.models import Organisation, User
from carestat.core.permissions import Perm

Progress = Callable[[int, int, str], None]


def _quiet(done: int, total: int, message: str) -> None:
    pass


def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(settings.PSEUDONYMISATION_KEY)


# Django is untyped here, so mypy reads a SubmissionStatus member as its (value, label) tuple; at run
# time it is a str, which is why the calls below ignore arg-type for ``status``.
def _record(
    org: Organisation, user: User | None, *, format: str, files: list[str], status: str,
    result: LoadResult | None = None,
    report: ValidationReport | None = None, accepted_with_errors: bool = False, rejection_reason: str = "",
    key_fingerprint: str = "",
) -> Submission:
    period = result.period if result is not None else None
    report = report or (result.report if result is not None else ValidationReport())
    submission = Submission.objects.create(
        organisation=org, format=format or "", files=files, status=status,
        store_id=result.submission_id if result is not None else None,
        period_label=period.label if period else "", period_start=period.start if period else None,
        period_end=period.end if period else None, accepted_with_errors=accepted_with_errors,
        # A rejected load stored nothing, whatever it counted before it was refused.
        row_counts=dict(result.rows) if result is not None and status != SubmissionStatus.REJECTED else {},
        quarantined_records=result.quarantined_records if result is not None else 0,
        quarantine_reasons=dict(result.quarantine_reasons) if result is not None else {},
        error_count=len(report.errors), warning_count=len(report.warnings),
        rejection_reason=rejection_reason, loaded_by=user if user and user.pk else None,
        key_fingerprint=key_fingerprint,
    )
    SubmissionProblem.objects.bulk_create(
        SubmissionProblem(submission=submission, severity=p.severity.value, file=p.file[:200],
                          location=p.location[:300], field=(p.field or "")[:100], rule=p.rule[:60], message=p.message)
        for p in report.problems[:MAX_PROBLEMS_KEPT]
    )
    return submission


def ingest(
    access: Access,
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    accept_with_errors: bool = False,
    names: Sequence[str] | None = None,
    year: int | None = None,
    progress: Progress = _quiet,
    compute: bool = True,
    confirm_fewer: bool = False,
) -> Submission:
    """Validate and load one submission, then recompute the measures it feeds.

    ``compute=False`` skips recomputing, for loading several returns before one computation.
    Returns the recorded Submission: ``current`` when loaded, ``duplicate`` when the same
    content was already there, ``rejected`` (with its problems) when it was not loaded: for
    another council's LA code, no accepted records, rule errors, or, unless
    ``confirm_fewer``, materially fewer records than the submission it would replace.
    A return that loaded but whose measures could not be computed says so
    (``measures_error``); loading it again, or ``recompute``, computes what is missing.
    """
    access.require(Perm.MANAGE)
    org, user = access.organisation, access.user
    file_paths = [Path(p) for p in paths]
    if not file_paths:
        raise InvalidInput("Choose at least one file to load", field="files")
    files = list(names) if names else [p.name for p in file_paths]
    keyed = pseudonymiser()
    other_key = _other_key_in_use(org, keyed.fingerprint)
    if other_key:
        reason = (f"it would be pseudonymised with a different key (fingerprint {keyed.fingerprint}) from the one "
                  f"the returns already loaded used (fingerprint {other_key}), so the same people would get "
                  "different keys. Run CareStat with the deployment's CARESTAT_DATA_DIR or "
                  "CARESTAT_PSEUDONYMISATION_KEY")
        submission = _record(org, user, format=format or "", files=files, status=SubmissionStatus.REJECTED,  # type: ignore[arg-type]  # see _record
                             rejection_reason=reason)
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: not loaded, because {reason}")
        return submission
    try:
        def waiting() -> None:
            progress(0, 1, "waiting for another load or computation to finish")

        with open_store(org, on_wait=waiting) as store:
            result = load_submission(
                store, file_paths, format=format or None, pseudonymiser=keyed,
                jurisdiction=org.jurisdiction, accept_with_errors=accept_with_errors,
                progress=progress, year=year, la_code=org.la_code, confirm_fewer=confirm_fewer,
            )
            if not result.duplicate:
                summarise(org, store)
    except UnreadableFile as exc:
        submission = _record(org, user, format=format or "", files=files, status=SubmissionStatus.REJECTED,  # type: ignore[arg-type]  # see _record
                             rejection_reason=str(exc))
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: rejected, {exc}")
        return submission
    except NeedsConfirmation as exc:
        submission = _record(org, user, format=exc.result.format, files=files, status=SubmissionStatus.REJECTED,  # type: ignore[arg-type]  # see _record
                             result=exc.result, rejection_reason=exc.reason)
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: not loaded, because {exc.reason}")
        return submission
    except SubmissionRejected as exc:
        submission = _record(org, user, format=exc.result.format, files=files, status=SubmissionStatus.REJECTED,  # type: ignore[arg-type]  # see _record
                             result=exc.result, rejection_reason=str(exc).splitlines()[0].rstrip(":"))
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: rejected with "
                           f"{submission.error_count} errors; nothing was stored")
        return submission
    except ValueError as exc:
        raise InvalidInput(str(exc), field="files") from None

    if result.duplicate:
        submission = _record(org, user, format=result.format, files=files, status=SubmissionStatus.DUPLICATE,  # type: ignore[arg-type]  # see _record
                             result=result)
        log_action("casedata.submission.duplicate", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} loaded {', '.join(files)} again: it was already loaded, "
                           "so nothing changed")
        if compute and awaiting_measures(org).exists():
            _compute_safely(org, user, progress)
        return submission

    with transaction.atomic():
        submission = _record(org, user, format=result.format, files=files, status=SubmissionStatus.CURRENT,  # type: ignore[arg-type]  # see _record
                             result=result, accepted_with_errors=accept_with_errors and bool(result.report.errors),
                             key_fingerprint=keyed.fingerprint)
        older = Submission.objects.filter(organisation=org, store_id__in=result.superseded,
                                          status=SubmissionStatus.CURRENT)
        for old in older:
            old.status, old.superseded_by = SubmissionStatus.SUPERSEDED, submission
            old.save(update_fields=["status", "superseded_by"])
        quarantine = (f", {result.quarantined_records} records quarantined for errors"
                      if result.quarantined_records else "")
        log_action("casedata.submission.loaded", actor=user, organisation=org, record=submission,
                   after={"rows": result.rows, "quarantined": result.quarantined_records,
                          "superseded": [o.pk for o in older]},
                   message=f"{user.display_name} loaded {submission}: {submission.total_rows:,} rows{quarantine}"
                           + (f"; it supersedes {count_of(len(older), 'earlier submission')}" if older else ""))
    if compute:
        _compute_safely(org, user, progress)
        submission.refresh_from_db(fields=["measures_computed_at", "measures_error"])
    return submission


def _other_key_in_use(org: Organisation, fingerprint: str) -> str:
    """The fingerprint of a different key that hashed a return still in the store, if any."""
    used = (Submission.objects.filter(organisation=org, status__in=[SubmissionStatus.CURRENT,
                                                                    SubmissionStatus.SUPERSEDED])
            .exclude(key_fingerprint="").exclude(key_fingerprint=fingerprint)
            .values_list("key_fingerprint", flat=True).first())
    return used or ""


def _compute_safely(org: Organisation, user: User | None, progress: Progress) -> None:
    """Compute measures after a load; a failure leaves the loaded data in place and says why
    on each submission still waiting, rather than losing the load or hiding the gap."""
    try:
        compute_measures_for(org, user, progress=progress)
    except Exception as exc:  # noqa: BLE001 (any failure is recorded; the data is already stored)
        reason = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        waiting = awaiting_measures(org)
        waiting.update(measures_error=reason[:2000])
        log_action("casedata.measures.failed", actor=user, organisation=org,
                   message=f"Measures could not be computed after a load: {reason}. The data stays loaded; "
                           "run ‘carestat recompute’ or use ‘Compute measures now’ once the cause is fixed")


CHILDREN_FORMATS = ("cin", "ssda903")


def _financial_years(start: dt.date, end: dt.date) -> list[str]:
    from carestat.analytics.periods import financial_year_label, financial_year_start

    return [financial_year_label(y) for y in range(financial_year_start(start), financial_year_start(end) + 1)]


def _quarters(start: dt.date, end: dt.date) -> list[str]:
    from carestat.analytics.periods import quarter_of

    labels, day = [], start
    while day <= end:
        q = quarter_of(day)
        labels.append(q.label)
        day = q.end + dt.timedelta(days=1)
    return labels


def periods_by_format(org: Organisation) -> dict[str, list[str]]:
    """The periods each current submission's data can answer for.

    Children's returns and the workforce census: the financial year they end in. Adult client
    level data: the financial years its current submissions cover from 1 April to 31 March
    (each submission is a rolling twelve months; ASCOF measures are annual, and a year the
    data only partly covers would read as a fall in admissions). Case events: the quarters
    they cover, up to today (the current quarter so far).
    """
    today = timezone.localdate()
    out: dict[str, set[str]] = {}
    cld: list[tuple[dt.date, dt.date]] = []
    for s in Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT).exclude(period_end=None):
        end = min(s.period_end, today)
        if s.format in (*CHILDREN_FORMATS, "csww"):
            labels = _financial_years(end, end)
        elif s.format == "cld":
            cld.append((s.period_start, end))
            continue
        elif s.format == "case_events":
            labels = _quarters(s.period_start, end)
        else:
            continue
        out.setdefault(s.format, set()).update(labels)
    if cld:
        first, last = min(a for a, _ in cld), max(b for _, b in cld)
        out["cld"] = {y for y in _financial_years(first, last)
                      if first <= dt.date(int(y[:4]), 4, 1) and dt.date(int(y[:4]) + 1, 3, 31) <= last}
    return {f: sorted(labels) for f, labels in out.items() if labels}


def _within_dates(start: dt.date, end: dt.date, period) -> bool:
    return period.start <= start and end <= period.end


def _within(label: str, period) -> bool:
    from carestat.analytics.periods import parse_period

    p = parse_period(label)
    return _within_dates(p.start, p.end, period)


def ops_targets(org: Organisation) -> dict:
    from carestat.casedata.models import DEFAULT_OPS_TARGETS

    row = CaseDataSettings.objects.filter(organisation=org).first()
    return row.ops_targets if row is not None and row.ops_targets else DEFAULT_OPS_TARGETS


def compute_measures_for(org: Organisation, user: User | None, *, progress: Progress = _quiet, only=None):
    """Recompute every measure the organisation's current case data feeds, and record the
    values with their provenance: the submissions of the formats that feed each measure.
    ``only`` (a Period) limits it to the periods within that one. Returns the measures app's
    outcomes (created, revised...), one per group of formats."""
    from carestat.analytics.measures.base import REGISTRY, MeasureContext, compute_measures
    from carestat.analytics.measures.children import BASES, compute_children_measures
    from carestat.analytics.periods import parse_period
    from carestat.analytics.store import FORMAT_TABLES
    from carestat.measures.catalogue import codes_for
    from carestat.measures.services import record_computed_values

    wanted = periods_by_format(org)
    if only is not None:
        wanted = {f: [label for label in labels if _within(label, only)] for f, labels in wanted.items()}
        wanted = {f: labels for f, labels in wanted.items() if labels}
    if not wanted:
        _mark_computed(list(current_submissions(org)), only, timezone.now())
        return None
    table_format = {t: f for f, tables in FORMAT_TABLES.items() for t in tables}
    # Only the measures the catalogue says apply in the organisation's jurisdiction: a Welsh
    # council's returns compute Wales's measures, not England's, and the other way round.
    applies = codes_for(org.jurisdiction)
    children_codes = [code for code in BASES if code in applies]
    codes_by_format: dict[str, list[str]] = {}
    for code, definition in REGISTRY.items():
        if code in BASES or not definition.needs or code not in applies:
            continue
        codes_by_format.setdefault(table_format.get(definition.needs[0], ""), []).append(code)
    jobs = sorted({label for f in CHILDREN_FORMATS for label in wanted.get(f, [])}) if children_codes else []
    other = [(f, label) for f, labels in wanted.items() if f not in CHILDREN_FORMATS for label in labels
             if codes_by_format.get(f)]
    total = len(jobs) + len(other)
    results: dict[str, list] = {}  # feeding formats -> results, so provenance names only those
    with open_store(org) as store:
        for i, label in enumerate(jobs):
            progress(i, total, f"computing children's measures for {label}")
            results.setdefault("children", []).extend(
                compute_children_measures(store, label, org.jurisdiction, children_codes))
        if other:
            tables = store.current_tables()
            working_days = store.working_days_table(org.jurisdiction)
            settings_ = {"ops_targets": ops_targets(org)}
            for j, (fmt, label) in enumerate(other, start=len(jobs)):
                codes = [c for c in codes_by_format[fmt] if all(t in tables for t in REGISTRY[c].needs)]
                progress(j, total, f"computing {fmt.replace('_', ' ')} measures for {label}")
                ctx = MeasureContext(period=parse_period(label), tables=tables, working_days=working_days,
                                     settings=settings_, backend=store.backend)
                results.setdefault(fmt, []).extend(compute_measures(store.backend, ctx, codes))
    progress(total, total, "recording measure values")
    # Provenance names only the returns whose tables the measure reads (its ``needs``): a CIN
    # measure never cites an SSDA903 return, nor a rate without a population cite one.
    by_formats: dict[tuple[str, ...], list] = {}
    for r in (r for group_results in results.values() for r in group_results):
        by_formats.setdefault(feeding_formats(r.code), []).append(r)
    outcomes = []
    current = list(current_submissions(org))
    auto_approve = auto_approves(org)
    now = timezone.now()
    loaded = {s.format for s in current}
    for formats, group_results in by_formats.items():
        if not set(formats) <= loaded:
            # A figure needs every return it reads: LAC-COUNT from a CIN census alone would be
            # recorded as 0 looked after, approved, and then held against the real figure.
            continue
        outcomes.append(record_computed_values(
            org, group_results, submissions=[f"S{s.pk}" for s in current if s.format in formats],
            computed_at=now, computed_by=user, auto_approve=auto_approve))
    _mark_computed(current, only, now)
    return outcomes


def _mark_computed(current: list[Submission], only, now) -> None:
    """Record that the current submissions' measures are computed: all of them, or with
    ``only`` those whose data lies within that period."""
    done = [s.pk for s in current if only is None or (s.period_start and s.period_end and _within_dates(
        s.period_start, s.period_end, only))]
    Submission.objects.filter(pk__in=done).update(measures_computed_at=now, measures_error="")


def recompute(access: Access, *, period: str | None = None, progress: Progress = _quiet):
    """Compute the measures the organisation's current case data feeds, for every period it
    covers or only those within ``period`` (e.g. ``2024-25``), as after a load. For a return
    whose measures were not computed when it loaded, and after a change of method or targets."""
    access.require(Perm.MANAGE)
    from carestat.analytics.periods import PeriodError, parse_period

    only = None
    if period:
        try:
            only = parse_period(period)
        except PeriodError as exc:
            raise InvalidInput(str(exc), field="period") from None
    org, user = access.organisation, access.user
    outcomes = compute_measures_for(org, user, progress=progress, only=only) or []
    created = sum(len(o.created) for o in outcomes)
    revised = sum(len(o.revised) for o in outcomes)
    pending = sum(len(o.pending) for o in outcomes)
    log_action("casedata.measures.recomputed", actor=user, organisation=org,
               after={"period": period or "", "created": created, "revised": revised, "pending": pending},
               message=f"{user.display_name} recomputed measures from case data"
                       + (f" for {only.label}" if only else "")
                       + f": {created} new, {revised} revised, {pending} awaiting a manager's approval")
    return outcomes


def feeding_formats(code: str) -> tuple[str, ...]:
    """The return formats whose tables a computed measure reads, from its declared ``needs``."""
    from carestat.analytics.measures.base import REGISTRY
    from carestat.analytics.store import FORMAT_TABLES

    definition = REGISTRY.get(code)
    if definition is None:
        return ()
    return tuple(sorted({f for f, tables in FORMAT_TABLES.items() for t in definition.needs if t in tables}))


def values_fed_by(submission: Submission) -> list:
    """The measure values a return fed: those citing it whose measure reads its format's tables.

    Checking the format as well as the citation keeps the list right for values recorded before
    provenance was narrowed to the formats a measure reads, which cited every current return.
    """
    from carestat.measures.models import MeasureValue

    ref = f"S{submission.pk}"
    values = (MeasureValue.objects.filter(measure__organisation=submission.organisation, source="computed")
              .select_related("measure").order_by("measure__code", "period_start"))
    return [v for v in values if ref in (v.submissions or []) and submission.format in feeding_formats(v.measure.code)]


def all_problems(submission: Submission):
    return SubmissionProblem.objects.filter(submission=submission)


def auto_approves(org: Organisation) -> bool:
    """Whether recomputed figures replace approved ones without a manager (off unless chosen)."""
    return CaseDataSettings.objects.filter(organisation=org, auto_approve_recomputed=True).exists()


@transaction.atomic
def set_auto_approve(access: Access, enabled: bool) -> None:
    """An admin chooses whether recomputed figures that replace approved ones need a manager."""
    access.require(Perm.ADMINISTER)
    org = access.organisation
    row, _ = CaseDataSettings.objects.select_for_update().get_or_create(organisation=org)
    if row.auto_approve_recomputed == bool(enabled):
        return
    row.auto_approve_recomputed = bool(enabled)
    stamp(row, access.user)
    row.save(update_fields=["auto_approve_recomputed", "changed_at", "changed_by"])
    log_action("casedata.settings.changed", actor=access.user, organisation=org, record=row,
               before={"auto_approve_recomputed": not enabled}, after={"auto_approve_recomputed": bool(enabled)},
               message=f"{access.user.display_name} " + (
                   "chose to approve recomputed figures automatically" if enabled else
                   "chose that recomputed figures replacing approved ones wait for a manager's approval"))


