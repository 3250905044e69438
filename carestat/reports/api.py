"""Reports in the API: list, read, create a draft, approve, publish, download.

Creating a draft queues the same named task as the web page (``reports.draft``) and answers
with the job: poll ``GET /organisations/{slug}/jobs/{id}`` until it is done."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core.access import get_period_for_user
from carestat.core.api import ERRORS, ErrorOut, JobOut, job_out
from carestat.core.errors import InvalidInput
from carestat.core.jobs import enqueue_job
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access
from carestat.reports import services
from carestat.reports.models import Report, ScopeKind
from carestat.reports.views import get_report_for_user, scope_from

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
            "approved_by": r.approved_by.display_name if r.approved_by else None, "approved_at": r.approved_at,
            "published_by": r.published_by.display_name if r.published_by else None, "published_at": r.published_at,
            "counts": r.snapshot.get("summary", {}).get("counts", {})}


@router.get("/organisations/{slug}/reports", response={200: list[ReportOut], **ERRORS})
def list_reports(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    qs = Report.objects.filter(organisation=access.organisation).select_related("period", "approved_by",
                                                                                "published_by")
    return [_out(r) for r in qs]


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
    covers = {"plan": f"plan:{payload.plan_id}", "unit": f"unit:{payload.unit_id}",
              "remit": f"remit:{payload.remit_id}"}.get(payload.scope, "organisation")
    scope = scope_from(access, covers)
    services.check_new_report(access, period=period, **scope)
    label = payload.title.strip() or services.default_title(
        access.organisation, scope["scope"], period,
        **{k: v for k, v in scope.items() if k in ("plan", "unit", "remit")})
    job = enqueue_job(access.organisation, request.user, "reports.draft", f"Drafting ‘{label}’"[:200],
                      params={"user_id": request.user.pk, "org_slug": slug, "period": period.identifier,
                              "covers": covers, "title": payload.title, "main_messages": payload.main_messages})
    return Status(202, job_out(job))


@router.post("/organisations/{slug}/reports/{report_id}/approve", response={200: ReportOut, **ERRORS},
             summary="Approve a draft report: its content is frozen from then on")
def approve(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.MANAGE)
    return _out(services.approve_report(access, get_report_for_user(access, report_id)))


@router.post("/organisations/{slug}/reports/{report_id}/publish", response={200: ReportOut, **ERRORS},
             summary="Publish an approved report",
             description="Its files are made when first downloaded and kept from then on. Publishing on the "
                         "web page also makes them straight away, as a background job.")
def publish(request, slug: str, report_id: int):
    access = org_access(request, slug, Perm.MANAGE)
    return _out(services.publish_report(access, get_report_for_user(access, report_id)))


@router.get("/organisations/{slug}/reports/{report_id}/download", response={200: None, **ERRORS, 429: ErrorOut},
            summary="The report as pdf, docx, xlsx or html; public=true for the suppressed public version",
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
