import datetime as dt
import shutil
import tempfile
from pathlib import Path

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.casedata import selectors, services
from carestat.casedata.access import get_forecast_for_user, get_submission_for_user
from carestat.casedata.models import Format, Submission, SubmissionProblem
from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.changes import name_of
from carestat.core.errors import InvalidInput
from carestat.core.permissions import Perm

router = Router(tags=["case data"])


class ProblemOut(Schema):
    severity: str
    file: str
    location: str
    field: str
    rule: str
    message: str


class SubmissionOut(Schema):
    id: int
    format: str
    files: list[str]
    period: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    accepted_with_errors: bool
    rows: dict[str, int]
    quarantined_records: int
    quarantine_reasons: dict[str, int]
    errors: int
    warnings: int
    rejection_reason: str
    loaded_at: dt.datetime
    loaded_by: str | None
    measures_computed_at: dt.datetime | None
    measures_error: str = Field(description="Why its measures could not be computed, while they are not")


class SubmissionDetail(SubmissionOut):
    problems: list[ProblemOut]


def _out(s: Submission) -> dict:
    return {
        "id": s.pk, "format": s.format, "files": s.files, "period": s.period_label, "period_start": s.period_start,
        "period_end": s.period_end, "status": s.status, "accepted_with_errors": s.accepted_with_errors,
        "rows": s.row_counts, "quarantined_records": s.quarantined_records, "quarantine_reasons": s.quarantine_reasons,
        "errors": s.error_count, "warnings": s.warning_count, "rejection_reason": s.rejection_reason,
        "loaded_at": s.loaded_at, "loaded_by": name_of(s.loaded_by, None),
        "measures_computed_at": s.measures_computed_at, "measures_error": s.measures_error,
    }


def _problems(s: Submission) -> list[dict]:
    return [{"severity": p.severity, "file": p.file, "location": p.location, "field": p.field, "rule": p.rule,
             "message": p.message} for p in SubmissionProblem.objects.filter(submission=s)[:1000]]


@router.get("/organisations/{slug}/submissions", response={200: list[SubmissionOut], **ERRORS})
def submissions(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_out(s) for s in selectors.submissions(access.organisation)]


@router.get("/organisations/{slug}/submissions/{submission_id}", response={200: SubmissionDetail, **ERRORS},
            summary="A submission with its validation report (the first 1,000 problems)")
def submission(request, slug: str, submission_id: int):
    access = org_access(request, slug, Perm.VIEW)
    s = get_submission_for_user(access, submission_id)
    return {**_out(s), "problems": _problems(s)}


@router.post("/organisations/{slug}/submissions", response={201: SubmissionDetail, **ERRORS},
             summary="Load a return (managers); answers when it has been checked and loaded or rejected")
def load(request, slug: str, files: list[UploadedFile] = File(...),  # noqa: B008 (ninja's form parameters)
         format: Format | None = Form(None), year: int | None = Form(None),  # noqa: B008
         accept_with_errors: bool = Form(False),  # noqa: B008
         confirm_fewer_records: bool = Form(False)):  # noqa: B008
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    if not files:
        raise InvalidInput("Send at least one file", field="files")
    folder = Path(tempfile.mkdtemp(prefix="carestat-upload-"))
    try:
        paths = []
        for f in files:
            path = folder / Path(f.name or "upload").name
            with path.open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            paths.append(path)
        s = services.ingest(access, paths, format=format, year=year, accept_with_errors=accept_with_errors,
                            names=[f.name for f in files], confirm_fewer=confirm_fewer_records)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Status(201, {**_out(s), "problems": _problems(s)})


class RecomputeIn(Schema):
    period: str | None = Field(None, description="Only periods within this one, e.g. 2024-25; all when absent")


class RecomputeOut(Schema):
    created: list[str]
    revised: list[str]
    unchanged: list[str]
    pending: list[str] = Field(description="Recomputed figures that differ from approved ones, awaiting approval")
    skipped_closed: list[str]


@router.post("/organisations/{slug}/recompute", response={200: RecomputeOut, **ERRORS},
             summary="Compute the measures the loaded case data feeds (managers); answers when done")
def recompute(request, slug: str, payload: RecomputeIn):
    access = org_access(request, slug, Perm.VIEW)
    outcomes = services.recompute(access, period=payload.period)
    return {k: [x for o in outcomes for x in getattr(o, k)]
            for k in ("created", "revised", "unchanged", "pending", "skipped_closed")}


class CaseDataSettingsOut(Schema):
    auto_approve_recomputed: bool


@router.get("/organisations/{slug}/case-data-settings", response={200: CaseDataSettingsOut, **ERRORS})
def case_data_settings(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return {"auto_approve_recomputed": services.auto_approves(access.organisation)}


@router.put("/organisations/{slug}/case-data-settings", response={200: CaseDataSettingsOut, **ERRORS},
            summary="Whether recomputed figures replace approved ones without a manager's approval (admins)")
def change_case_data_settings(request, slug: str, payload: CaseDataSettingsOut):
    access = org_access(request, slug, Perm.VIEW)
    services.set_auto_approve(access, payload.auto_approve_recomputed)
    return {"auto_approve_recomputed": services.auto_approves(access.organisation)}


# Backlog forecasts ----------------------------------------------------------------------------

class ForecastScenarioOut(Schema):
    # defaults keep forecasts saved by earlier versions readable
    name: str
    description: str = ""
    clears: bool
    already_clear: bool = Field(False, description="Nothing was waiting when the projection starts")
    clearance_date: dt.date | None = None
    clearance_early: dt.date | None = None
    clearance_late: dt.date | None = None
    summary: str = ""
    projection: list[dict]


class ForecastOut(Schema):
    work_type: str
    requested_as_of: dt.date | None = Field(None, description="The date the forecast was asked for")
    as_of: dt.date = Field(..., description="The date it is made from: the one asked for, or the Monday after "
                           "the last week the case events cover when they end earlier")
    data_ends: dt.date | None = Field(None, description="The last date the loaded case events cover")
    stale: bool = False
    warnings: list[str] = []
    first_projected_week: dt.date | None = None
    starting_backlog: int | None = None
    already_clear: bool = False
    mean_weekly_arrivals: float | None = None
    mean_weekly_completions: float | None = None
    scenarios: list[ForecastScenarioOut]
    assumptions: list[str] = []


class SavedForecastOut(Schema):
    id: int
    title: str
    work_type: str
    as_of: dt.date
    created_at: dt.datetime
    created_by: str | None
    submissions: list[str]
    forecast: ForecastOut
    comparison: dict | None = Field(None, description="The adopted scenario against the actual backlog since, "
                                    "over the weeks the loaded data covers")


def _forecast_out(result: dict) -> dict:
    return {**result, "scenarios": list(result["scenarios"])}


@router.get("/organisations/{slug}/forecasts/run", response={200: ForecastOut, **ERRORS},
            summary="Forecast a work type's backlog (from the date asked for, or where the data ends if earlier)")
def run_forecast(request, slug: str, work_type: str, as_of: dt.date | None = None, extra_per_week: float = 0,
                 extra_from: dt.date | None = None, extra_weeks: int | None = None):
    from carestat.casedata import forecasting

    access = org_access(request, slug, Perm.VIEW)
    return _forecast_out(forecasting.run_forecast(access, work_type, as_of=as_of, extra_per_week=extra_per_week,
                                                  extra_from=extra_from, extra_weeks=extra_weeks))


def _saved_out(f, comparison=None) -> dict:
    return {"id": f.pk, "title": f.title, "work_type": f.work_type, "as_of": f.as_of, "created_at": f.created_at,
            "created_by": name_of(f.created_by, None), "submissions": f.submissions,
            "forecast": _forecast_out({"work_type": f.work_type, "as_of": f.as_of, **f.result}),
            "comparison": comparison}


@router.get("/organisations/{slug}/forecasts", response={200: list[SavedForecastOut], **ERRORS},
            summary="Saved backlog forecasts, newest first")
def saved_forecasts(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_saved_out(f) for f in selectors.saved_forecasts(access.organisation)]


@router.get("/organisations/{slug}/forecasts/{forecast_id}", response={200: SavedForecastOut, **ERRORS},
            summary="A saved forecast with what actually happened since")
def saved_forecast(request, slug: str, forecast_id: int):
    from carestat.casedata import forecasting
    access = org_access(request, slug, Perm.VIEW)
    f = get_forecast_for_user(access, forecast_id)
    return _saved_out(f, forecasting.against_actuals(f))
