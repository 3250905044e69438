"""Reports in the API: list, read, create a draft, approve, publish, download.

Creating a draft here is synchronous: the response is the draft, built in the request, which
suits a script. The web page runs the same service as a background job with a progress page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core.access import get_period_for_user
from carestat.core.api import ERRORS
from carestat.core.errors import InvalidInput
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


@router.post("/organisations/{slug}/reports", response={201: ReportOut, **ERRORS},
             summary="Draft a report for a scope and period, built from the figures held now",
             description="Synchronous: the draft is built within the request and returned, so a large scope "
                         "(dozens of plans and measures) takes some seconds; allow for it in your client's "
                         "timeout. The web page does the same work as a background job with a progress page.")
def create(request, slug: str, payload: ReportIn):
    access = org_access(request, slug, Perm.MANAGE)
    period = get_period_for_user(access, payload.period)
    needed = {"plan": "plan_id", "unit": "unit_id", "remit": "remit_id"}.get(payload.scope)
    if needed and getattr(payload, needed) is None:
        raise InvalidInput(f"Give the {needed} of the {payload.scope} the report covers", field=needed)
    covers = {"plan": f"plan:{payload.plan_id}", "unit": f"unit:{payload.unit_id}",
              "remit": f"remit:{payload.remit_id}"}.get(payload.scope, "organisation")
    report = services.create_report(access, period=period, title=payload.title, main_messages=payload.main_messages,
                                    **scope_from(access, covers))
    return Status(201, _out(report))


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


@router.get("/organisations/{slug}/reports/{report_id}/download", response={200: None, **ERRORS},
            summary="The report as pdf, docx, xlsx or html; public=true for the suppressed public version",
            description="An approved or published report's file is made the first time it is asked for and "
                        "kept: every later download is the same bytes (the audit trail records their SHA-256). "
                        "A draft's file is made on each request.")
def download(request, slug: str, report_id: int, format: str = "pdf", public: bool = False):  # noqa: A002
    access = org_access(request, slug, Perm.VIEW)
    report = get_report_for_user(access, report_id)
    services.check_format(format)
    data, ctype, name = services.export_report(access, report, format, public=public, channel="api")
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
