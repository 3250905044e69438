"""What case data pages, the API and the command line read: the submissions list, the
submissions whose measures wait to be computed, and the saved forecasts, each written once.

Each reads one organisation's rows only; none changes anything."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from carestat.casedata.models import SavedForecast, Submission, SubmissionProblem, SubmissionStatus
from carestat.core.models import Organisation

SAVED_FORECASTS_SHOWN = 50


def submissions(org: Organisation, *, quality: str = "") -> QuerySet[Submission]:
    """Every submission loaded or refused for the organisation, newest first; with ``quality``
    "problems", only those refused or loaded with errors, warnings or quarantined records."""
    rows = Submission.objects.filter(organisation=org).select_related("loaded_by")
    if quality == "problems":
        rows = rows.filter(Q(status=SubmissionStatus.REJECTED) | Q(error_count__gt=0) | Q(warning_count__gt=0)
                           | Q(quarantined_records__gt=0))
    return rows


def current_submissions(org: Organisation) -> QuerySet[Submission]:
    """The submissions whose data is in use (not replaced, not rejected)."""
    return Submission.objects.filter(organisation=org, status=SubmissionStatus.CURRENT)


def awaiting_measures(org: Organisation) -> QuerySet[Submission]:
    """Current submissions whose measures have not been computed yet."""
    return current_submissions(org).filter(measures_computed_at=None)


def problems(submission: Submission, severity: str = "") -> QuerySet[SubmissionProblem]:
    """A submission's validation problems; only errors or only warnings if ``severity`` says so."""
    rows = SubmissionProblem.objects.filter(submission=submission)
    return rows.filter(severity=severity) if severity in ("error", "warning") else rows


def saved_forecasts(org: Organisation) -> list[SavedForecast]:
    """The latest saved forecasts, newest first."""
    return list(SavedForecast.objects.filter(organisation=org).select_related("created_by")[:SAVED_FORECASTS_SHOWN])
