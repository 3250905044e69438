"""Reports in the API: list, read, create a draft, approve, publish, download.

Creating a draft queues the same named task as the web page (``reports.draft``) and answers
with the job: poll ``GET /organisations/{slug}/jobs/{id}`` until it is done."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.core.access import get_period_for_user, org_access
from carestat.core.api import ERRORS, ErrorOut, JobOut, job_out
from carestat.core.changes import name_of
from carestat.core.errors import InvalidInput
from carestat.core.jobs import enqueue_job
from carestat.core.permissions import Perm
from carestat.reports import selectors, services
from carestat.reports.access import get_report_for_user
from carestat.reports.models import Report, ScopeKind, report_rules

router = Router(tags=["reports"])


class ReportOut(Schema):
    id: int
    title: str
    scope: str
    scope_label: str
    plan_id: int | None
    unit_id: int | None
    remit_id: int | None
    period: str
    status: str
    snapshot_hash: str
    built_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    published_by: str | None
    published_at: dt.datetime | None
    counts: dict
    version_number: int = Field(..., description="1 for a report never reopened; each reopening drafts the next")
    previous_id: int | None = Field(None, description="The version this one continues from")
    reopened_by: str | None = None
    reopened_at: dt.datetime | None = None
    reopen_reason: str = ""
    superseded: bool = Field(False, description="A later version replaced this one: read its history only")


class ReportIn(Schema):
    period: str = Field(..., max_length=20, description="A reporting period identifier such as 2026-27-Q2")
    scope: ScopeKind = ScopeKind.PLAN
    plan_id: int | None = None
    unit_id: int | None = None
    remit_id: int | None = None
    title: str = Field("", max_length=300)
    main_messages: str = Field("", max_length=20000)


def _out(r: Report) -> dict:
    return {"id": r.pk, "title": r.title, "scope": r.scope, "scope_label": r.snapshot.get("scope", {}).get("label", ""),
            "plan_id": r.plan_id, "unit_id": r.unit_id, "remit_id": r.remit_id, "period": r.period.identifier,
            "status": r.status, "snapshot_hash": r.snapshot_hash, "built_at": r.built_at,
            "approved_by": name_of(r.approved_by, None), "approved_at": r.approved_at,
            "published_by": name_of(r.published_by, None), "published_at": r.published_at,
            "counts": r.snapshot.get("summary", {}).get("counts", {}),
            "version_number": r.version_number, "previous_id": r.previous_id,
            "reopened_by": name_of(r.reopened_by, None) if r.reopened_at else None, "reopened_at": r.reopened_at,
            "reopen_reason": r.reopen_reason, "superseded": r.is_superseded}


@router.get("/organisations/{slug}/reports", response={200: list[ReportOut], **ERRORS})
def list_reports(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_out(r) for r in selectors.visible_reports(access)]


@router.get("/organisations/{slug}/reports/{report_id}", response={200: ReportOut, **ERRORS})
def get_report(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _out(get_report_for_user(access, report_id))


@router.post("/organisations/{slug}/reports", response={202: JobOut, **ERRORS},
             summary="Draft a report for a scope and period, built from the figures held now, as a job",
             description="Asynchronous: the request is checked at once (422 or 409 when it cannot be drafted), "
                         "then the draft is built by the worker. The answer is the job; poll "
                         "GET /organisations/{slug}/jobs/{id} until its status is done, when result_url is "
                         "the report's page.")
def create(request, slug: str, payload: ReportIn):
    access = org_access(request, slug, Perm.MANAGE)
    period = get_period_for_user(access, payload.period)
    needed = {"plan": "plan_id", "unit": "unit_id", "remit": "remit_id"}.get(payload.scope)
    if needed and getattr(payload, needed) is None:
        raise InvalidInput(f"Give the {needed} of the {payload.scope} the report covers", field=needed)
    covers = selectors.covers(payload.scope, getattr(payload, needed) if needed else None)
    scope = selectors.scope_from(access, covers)
    services.check_new_report(access, period=period, **scope)
    label = payload.title.strip() or services.default_title(
        access.organisation, scope["scope"], period,
        **{k: v for k, v in scope.items() if k in ("plan", "unit", "remit")})
    job = enqueue_job(access.organisation, request.user, "reports.draft", f"Drafting ‘{label}’"[:200],
                      params={"user_id": request.user.pk, "org_slug": slug, "period": period.identifier,
                              "covers": covers, "title": payload.title, "main_messages": payload.main_messages})
    return Status(202, job_out(job))


@router.post("/organisations/{slug}/reports/{report_id}/approve", response={200: ReportOut, **ERRORS},
             summary="Approve a draft report: its content is frozen from then on",
             description="403 with the reason when the organisation's report rules refuse approval by the "
                         "person who drafted the report (created it or its version, or last refreshed it).")
def approve(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.MANAGE)
    return _out(services.approve_report(access, get_report_for_user(access, report_id)))


class ReportReopenIn(Schema):
    reason: str = Field(..., max_length=2000, description="Why the report is reopened; kept with the version reopened")


class ReportRulesOut(Schema):
    drafter_cannot_approve: bool
    viewers_see_drafts: bool


class ReportRulesIn(Schema):
    drafter_cannot_approve: bool | None = None
    viewers_see_drafts: bool | None = None


@router.post("/organisations/{slug}/reports/{report_id}/reopen", response={201: ReportOut, **ERRORS},
             summary="Reopen an approved report, or start the correction of a published one, with a reason "
                     "(managers)",
             description="The version reopened keeps its frozen content and kept files; the answer is the new "
                         "draft (the next version_number), which must be approved again. A published version "
                         "stays published until its correction is published. 409 when the report is a draft or "
                         "was already reopened; 422 when the reason is empty.")
def reopen(request, slug: str, report_id: int, payload: ReportReopenIn):
    access = org_access(request, slug, Perm.MANAGE)
    new = services.reopen_report(access, get_report_for_user(access, report_id), reason=payload.reason)
    return Status(201, _out(new))


@router.get("/organisations/{slug}/report-rules", response={200: ReportRulesOut, **ERRORS},
            summary="Whether a report's drafter may approve it, and whether viewers read drafts")
def get_report_rules(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    rules = report_rules(access.organisation)
    return {n: getattr(rules, n) for n in services.RULE_NAMES}


@router.patch("/organisations/{slug}/report-rules", response={200: ReportRulesOut, **ERRORS},
              summary="Change the report rules (admins)")
def set_report_rules(request, slug: str, payload: ReportRulesIn):
    access = org_access(request, slug, Perm.ADMINISTER)
    row = services.set_report_rules(access, **payload.model_dump(exclude_none=True))
    return {n: getattr(row, n) for n in services.RULE_NAMES}


@router.post("/organisations/{slug}/reports/{report_id}/publish", response={200: ReportOut, **ERRORS},
             summary="Publish an approved report",
             description="Publishing queues the job that makes and keeps every file of the report (full and "
                         "public versions), as publishing on the web page does; a file asked for before the "
                         "job reaches it is made then and kept.")
def publish(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.MANAGE)
    return _out(services.publish_report(access, get_report_for_user(access, report_id)))


class ReportSectionAuthoringOut(Schema):
    key: str
    title: str
    measures: list[dict]
    shown: list[int] | None
    charts: list[int] | None
    narrative: str


class ReportExceptionAuthoringOut(Schema):
    key: str
    title: str
    rag: str
    from_update: str
    written: str


class ReportAuthoringOut(Schema):
    sections: list[ReportSectionAuthoringOut]
    exceptions: list[ReportExceptionAuthoringOut]


class ReportSectionIn(Schema):
    narrative: str = Field("", max_length=10000)
    measures: list[int] | None = Field(None, description="Measure ids the section shows; null for all")
    charts: list[int] | None = Field(None, description="Measure ids shown with their chart; null for all")


class ReportExceptionIn(Schema):
    commentary: str = Field("", max_length=10000, description="Blank: the latest approved update's commentary")


class ReportWordTemplateOut(Schema):
    name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str | None


def _authoring_out(report: Report) -> dict:
    found = services.authoring_choices(report)
    return {"sections": [{**s, "measures": [{"id": mid, "title": title, "has_chart": has}
                                            for mid, title, has in s["measures"]]} for s in found["sections"]],
            "exceptions": found["exceptions"]}


@router.get("/organisations/{slug}/reports/{report_id}/authoring", response={200: ReportAuthoringOut, **ERRORS},
            summary="What each section shows and says, and the exceptions' commentary as written")
def authoring(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _authoring_out(get_report_for_user(access, report_id))


@router.put("/organisations/{slug}/reports/{report_id}/sections/{key}", response={200: ReportAuthoringOut, **ERRORS},
            summary="Choose a draft section's measures and charts and write its narrative (frozen on approval)")
def write_section(request, slug: str, report_id: int, key: str, payload: ReportSectionIn):
    access = org_access(request, slug, Perm.MANAGE)
    report = services.write_section(access, get_report_for_user(access, report_id), key,
                                    narrative=payload.narrative, measures=payload.measures, charts=payload.charts)
    return _authoring_out(report)


@router.put("/organisations/{slug}/reports/{report_id}/exceptions/{key}",
            response={200: ReportAuthoringOut, **ERRORS},
            summary="Edit a draft exception's commentary (frozen on approval)")
def write_exception(request, slug: str, report_id: int, key: str, payload: ReportExceptionIn):
    access = org_access(request, slug, Perm.MANAGE)
    report = services.write_exception_commentary(access, get_report_for_user(access, report_id), key,
                                                 payload.commentary)
    return _authoring_out(report)


def _template_out(t) -> dict:
    return {"name": t.name, "size": t.size, "sha256": t.sha256, "uploaded_at": t.uploaded_at,
            "uploaded_by": name_of(t.uploaded_by, None)}


@router.get("/organisations/{slug}/report-word-template", response={200: ReportWordTemplateOut | None, **ERRORS},
            summary="The organisation's Word template for reports, if it has one")
def get_word_template(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    found = services.word_template(access.organisation)
    return _template_out(found) if found else None


@router.post("/organisations/{slug}/report-word-template", response={200: ReportWordTemplateOut, **ERRORS},
             summary="Upload the council's Word template (.docx): reports' Word files take its styles")
def upload_word_template(request, slug: str, template: UploadedFile = File(...)):  # noqa: B008
    access = org_access(request, slug, Perm.MANAGE)
    return _template_out(services.set_word_template(access, name=template.name or "template.docx",
                                                    data=template.read()))


@router.delete("/organisations/{slug}/report-word-template", response={204: None, **ERRORS},
               summary="Remove the Word template: reports' Word files use CareStat's own styles again")
def delete_word_template(request, slug: str):
    access = org_access(request, slug, Perm.MANAGE)
    services.remove_word_template(access)
    return Status(204, None)


@router.get("/organisations/{slug}/reports/{report_id}/download", response={200: None, **ERRORS, 429: ErrorOut},
            summary="The report as pdf, docx, xlsx, pptx or html; public=true for the suppressed public version",
            description="An approved or published report's file is made the first time it is asked for and "
                        "kept: every later download is the same bytes (the audit trail records their SHA-256). "
                        "A draft's file is made on each request, so each person may download at most "
                        "CARESTAT_DRAFT_RENDERS_PER_HOUR draft PDF or Word files an hour (429 with Retry-After).")
def download(request, slug: str, report_id: int, format: str = "pdf", public: bool = False):  # noqa: A002
    access = org_access(request, slug, Perm.VIEW)
    report = get_report_for_user(access, report_id)
    services.check_format(format)
    data, ctype, name = services.export_report(access, report, format, public=public, channel="api")
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
