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

from carestat.analytics.ingest import SubmissionRejected, load_submission
from carestat.analytics.problems import UnreadableFile, ValidationReport
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.store import Store
from carestat.casedata.models import MAX_PROBLEMS_KEPT, Submission, SubmissionProblem, SubmissionStatus
from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import InvalidInput
from carestat.core.models import Organisation, User
from carestat.core.permissions import Perm

Progress = Callable[[int, int, str], None]


def _quiet(done: int, total: int, message: str) -> None:
    pass


def store_path(org: Organisation) -> Path:
    return Path(settings.ANALYTICS_DIR) / f"{org.slug}.duckdb"


def open_store(org: Organisation, *, read_only: bool = False) -> Store:
    return Store(store_path(org), read_only=read_only)


def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(settings.PSEUDONYMISATION_KEY)


def _record(
    org: Organisation, user: User | None, *, format: str, files: list[str], status: str, result=None,
    report: ValidationReport | None = None, accepted_with_errors: bool = False, rejection_reason: str = "",
) -> Submission:
    period = result.period if result is not None else None
    report = report or (result.report if result is not None else ValidationReport())
    submission = Submission.objects.create(
        organisation=org, format=format or "", files=files, status=status,
        store_id=result.submission_id if result is not None else None,
        period_label=period.label if period else "", period_start=period.start if period else None,
        period_end=period.end if period else None, accepted_with_errors=accepted_with_errors,
        row_counts=dict(result.rows) if result is not None else {},
        quarantined_records=result.quarantined_records if result is not None else 0,
        quarantine_reasons=dict(result.quarantine_reasons) if result is not None else {},
        error_count=len(report.errors), warning_count=len(report.warnings),
        rejection_reason=rejection_reason, loaded_by=user if user and user.pk else None,
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
) -> Submission:
    """Validate and load one submission, then recompute the measures it feeds.

    ``compute=False`` skips recomputing, for loading several returns before one computation.
    Returns the recorded Submission: ``current`` when loaded, ``duplicate`` when the same
    content was already there, ``rejected`` (with its problems) when it was not loaded.
    """
    access.require(Perm.MANAGE)
    org, user = access.organisation, access.user
    paths = [Path(p) for p in paths]
    if not paths:
        raise InvalidInput("Choose at least one file to load", field="files")
    files = list(names) if names else [p.name for p in paths]
    try:
        with open_store(org) as store:
            result = load_submission(
                store, paths, format=format or None, pseudonymiser=pseudonymiser(),
                jurisdiction=org.jurisdiction, accept_with_errors=accept_with_errors,
                progress=progress, year=year,
            )
    except UnreadableFile as exc:
        submission = _record(org, user, format=format or "", files=files, status=SubmissionStatus.REJECTED,
                             rejection_reason=str(exc))
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: rejected, {exc}")
        return submission
    except SubmissionRejected as exc:
        submission = _record(org, user, format=exc.result.format, files=files, status=SubmissionStatus.REJECTED,
                             result=exc.result, rejection_reason=str(exc).splitlines()[0])
        log_action("casedata.submission.rejected", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} tried to load {', '.join(files)}: rejected with "
                           f"{submission.error_count} errors; nothing was stored")
        return submission
    except ValueError as exc:
        raise InvalidInput(str(exc), field="files") from None

    if result.duplicate:
        submission = _record(org, user, format=result.format, files=files, status=SubmissionStatus.DUPLICATE,
                             result=result)
        log_action("casedata.submission.duplicate", actor=user, organisation=org, record=submission,
                   message=f"{user.display_name} loaded {', '.join(files)} again: it was already loaded, "
                           "so nothing changed")
        return submission

    with transaction.atomic():
        submission = _record(org, user, format=result.format, files=files, status=SubmissionStatus.CURRENT,
                             result=result, accepted_with_errors=accept_with_errors and bool(result.report.errors))
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
                           + (f"; it supersedes {len(older)} earlier submission(s)" if older else ""))
    if compute:
        compute_measures_for(org, user, progress=progress)
    return submission


CHILDREN_FORMATS = ("cin", "ssda903")


def _financial_years(start: dt.date, end: dt.date) -> list[str]:
    first = start.year if start.month >= 4 else start.year - 1
    last = end.year if end.month >= 4 else end.year - 1
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1)]


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


def ops_targets(org: Organisation) -> dict:
    from carestat.casedata.models import DEFAULT_OPS_TARGETS, CaseDataSettings

    row = CaseDataSettings.objects.filter(organisation=org).first()
    return row.ops_targets if row is not None and row.ops_targets else DEFAULT_OPS_TARGETS


def compute_measures_for(org: Organisation, user: User | None, *, progress: Progress = _quiet):
    """Recompute every measure the organisation's current case data feeds, and record the
    values with their provenance: the submissions of the formats that feed each measure.
    Returns the measures app's outcomes (created, revised...), one per group of formats."""
    from carestat.analytics.measures.base import REGISTRY, MeasureContext, compute_measures
    from carestat.analytics.measures.children import CHILDREN_CODES, compute_children_measures
    from carestat.analytics.periods import parse_period
    from carestat.analytics.store import FORMAT_TABLES
    from carestat.measures.services import record_computed_values

    wanted = periods_by_format(org)
    if not wanted:
        return None
    table_format = {t: f for f, tables in FORMAT_TABLES.items() for t in tables}
    codes_by_format: dict[str, list[str]] = {}
    for code, definition in REGISTRY.items():
        if code in CHILDREN_CODES or not definition.needs:
            continue
        codes_by_format.setdefault(table_format.get(definition.needs[0], ""), []).append(code)
    jobs = sorted({label for f in CHILDREN_FORMATS for label in wanted.get(f, [])})
    other = [(f, label) for f, labels in wanted.items() if f not in CHILDREN_FORMATS for label in labels
             if codes_by_format.get(f)]
    total = len(jobs) + len(other)
    results: dict[str, list] = {}  # feeding formats -> results, so provenance names only those
    with open_store(org) as store:
        for i, label in enumerate(jobs):
            progress(i, total, f"computing children's measures for {label}")
            results.setdefault("children", []).extend(compute_children_measures(store, label, org.jurisdiction))
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
    current = Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT)
    for formats, group_results in by_formats.items():
        outcomes.append(record_computed_values(
            org, group_results, submissions=[f"S{s.pk}" for s in current if s.format in formats],
            computed_at=timezone.now(), computed_by=user))
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


def current_submissions(org: Organisation):
    return Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT)


