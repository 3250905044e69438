"""Loading statutory returns and case extracts, and computing measures from them.

``ingest`` validates and loads one submission into the organisation's analytics store
(carestat.analytics: pseudonymised, all or nothing, duplicates change nothing, newer
submissions supersede older), records it here with its validation report, and recomputes the
measures its data feeds, storing them as measure values with their provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
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


def _periods_to_compute(org: Organisation) -> list[str]:
    """Financial years covered by current children's submissions."""
    labels = set()
    for s in Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT, format__in=("cin", "ssda903")):
        if s.period_end:
            fy_start = s.period_end.year - 1 if s.period_end.month <= 3 else s.period_end.year
            labels.add(f"{fy_start}-{(fy_start + 1) % 100:02d}")
    return sorted(labels)


def compute_measures_for(org: Organisation, user: User | None, *, periods: Iterable[str] | None = None,
                         progress: Progress = _quiet):
    """Recompute every measure the organisation's current case data feeds, and record the
    values with their provenance. Returns the measures app's outcome (created, revised...)."""
    from carestat.analytics.measures.children import compute_children_measures
    from carestat.measures.services import record_computed_values

    periods = list(periods) if periods is not None else _periods_to_compute(org)
    if not periods:
        return None
    current = list(Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT,
                                             format__in=("cin", "ssda903", "population")))
    results = []
    with open_store(org, read_only=False) as store:
        for i, label in enumerate(periods):
            progress(i, len(periods), f"computing children's measures for {label}")
            results += compute_children_measures(store, label, org.jurisdiction)
    progress(len(periods), len(periods), "recording measure values")
    return record_computed_values(org, results, submissions=[f"S{s.pk}" for s in current],
                                  computed_at=timezone.now(), computed_by=user)


def all_problems(submission: Submission):
    return SubmissionProblem.objects.filter(submission=submission)


def current_submissions(org: Organisation):
    return Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT)


