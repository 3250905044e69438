import datetime as dt
import shutil
import tempfile
from pathlib import Path

from django.http import Http404
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.casedata import services
from carestat.casedata.models import Format, Submission, SubmissionProblem
from carestat.core.api import ERRORS
from carestat.core.errors import InvalidInput
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access

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
        "loaded_at": s.loaded_at, "loaded_by": s.loaded_by.display_name if s.loaded_by else None,
        "measures_computed_at": s.measures_computed_at, "measures_error": s.measures_error,
    }


def _problems(s: Submission) -> list[dict]:
    return [{"severity": p.severity, "file": p.file, "location": p.location, "field": p.field, "rule": p.rule,
             "message": p.message} for p in SubmissionProblem.objects.filter(submission=s)[:1000]]


@router.get("/organisations/{slug}/submissions", response={200: list[SubmissionOut], **ERRORS})
def submissions(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_out(s) for s in Submission.objects.filter(organisation=access.organisation).select_related("loaded_by")]


@router.get("/organisations/{slug}/submissions/{submission_id}", response={200: SubmissionDetail, **ERRORS},
            summary="A submission with its validation report (the first 1,000 problems)")
def submission(request, slug: str, submission_id: int):
    access = org_access(request, slug, Perm.VIEW)
    s = Submission.objects.filter(organisation=access.organisation, pk=submission_id).first()
    if s is None:
        raise Http404("No such submission")
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
