"""Report lifecycle: create a draft, refresh it, edit its main messages, approve (freezes the
snapshot), publish; and record each download. Views, the API and the command call these."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.models import ReportingPeriod
from carestat.core.permissions import Perm
from carestat.reports import snapshot as snap
from carestat.reports.models import Remit, Report, ReportStatus, ScopeKind

FORMATS = ("pdf", "docx", "xlsx", "html")


def previous_published(report: Report) -> Report | None:
    """The latest published report for the same scope before (or in) this report's period."""
    qs = Report.objects.filter(organisation=report.organisation, status=ReportStatus.PUBLISHED,
                               scope=report.scope, plan=report.plan, unit=report.unit, remit=report.remit,
                               period__start__lte=report.period.start)
    if report.pk:
        qs = qs.exclude(pk=report.pk)
    return qs.select_related("period").order_by("-period__start", "-published_at", "-pk").first()


def _previous_meta(prev: Report | None) -> dict | None:
    if prev is None:
        return None
    return {"id": prev.pk, "title": prev.title, "period": prev.period.identifier,
            "published_at": prev.published_at.isoformat() if prev.published_at else "",
            "built_at": prev.snapshot.get("built_at", "")}


def build_snapshot(report: Report, today: dt.date | None = None) -> dict:
    """A fresh snapshot for the report's scope and period, compared with the last published one."""
    prev = previous_published(report)
    return snap.build(report.organisation, report.period, scope=report.scope, title=report.title,
                      plan=report.plan, unit=report.unit, remit=report.remit, main_messages=report.main_messages,
                      previous=prev.snapshot if prev else None, previous_meta=_previous_meta(prev), today=today)


def default_title(org, scope: str, period: ReportingPeriod, *, plan=None, unit=None, remit=None) -> str:
    label = snap.scope_label(scope, org=org, plan=plan, unit=unit, remit=remit)
    return f"{label}: performance report, {period.title}"


def _check_scope(access: Access, scope: str, plan, unit, remit) -> None:
    org = access.organisation
    if scope not in ScopeKind.values:
        raise InvalidInput(f"Choose what the report covers: one of {', '.join(ScopeKind.values)}", field="scope")
    needed = {"plan": plan, "unit": unit, "remit": remit}.get(scope, True)
    if needed is None:
        raise InvalidInput(f"Choose the {scope} the report covers", field=scope)
    for obj in (plan, unit, remit):
        if obj is not None and obj.organisation_id != org.pk:
            raise InvalidInput("That is not one of this organisation's records", field="scope")


@transaction.atomic
def create_report(access: Access, *, period: ReportingPeriod, scope: str = ScopeKind.PLAN, plan=None, unit=None,
                  remit: Remit | None = None, title: str = "", main_messages: str = "") -> Report:
    """Create a draft report and build its snapshot."""
    access.require(Perm.MANAGE)
    _check_scope(access, scope, plan, unit, remit)
    if period.organisation_id != access.organisation.pk:
        raise InvalidInput("That reporting period is not this organisation's", field="period")
    org = access.organisation
    report = Report(organisation=org, scope=scope, plan=plan if scope == "plan" else None,
                    unit=unit if scope == "unit" else None, remit=remit if scope == "remit" else None,
                    period=period, main_messages=main_messages.strip(),
                    title=(title.strip() or default_title(org, scope, period, plan=plan, unit=unit, remit=remit))[:300],
                    created_by=access.user if access.user.pk else None,
                    changed_by=access.user if access.user.pk else None)
    report.snapshot = build_snapshot(report)
    report.built_at = timezone.now()
    report.snapshot_hash = snap.content_hash(report.snapshot)
    report.save()
    log_action("reports.report.created", actor=access.user, organisation=org, record=report,
               after={"title": report.title, "period": period.identifier, "scope": report.scope_key},
               message=f"{access.user.display_name} drafted the report ‘{report.title}’")
    return report


def _require_draft(report: Report, doing: str) -> None:
    if report.status != ReportStatus.DRAFT:
        raise Conflict(f"The report is {report.get_status_display().lower()}, so its content is frozen: "
                       f"you cannot {doing}. Draft a new report instead.")


@transaction.atomic
def refresh_report(access: Access, report: Report) -> Report:
    """Rebuild a draft's snapshot from the plans and measures as they are now."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_draft(report, "refresh it")
    before = report.snapshot_hash
    report.snapshot = build_snapshot(report)
    report.snapshot_hash = snap.content_hash(report.snapshot)
    report.built_at = report.changed_at = timezone.now()
    report.changed_by = access.user if access.user.pk else None
    report.save()
    log_action("reports.report.refreshed", actor=access.user, organisation=report.organisation, record=report,
               before={"hash": before}, after={"hash": report.snapshot_hash},
               message=f"{access.user.display_name} refreshed the draft report ‘{report.title}’")
    return report


@transaction.atomic
def set_main_messages(access: Access, report: Report, text: str) -> Report:
    """The officer's main messages for the summary; only while the report is a draft."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_draft(report, "change its main messages")
    if len(text) > 20000:
        raise InvalidInput("Main messages must be 20,000 characters or fewer", field="main_messages")
    before = report.main_messages
    report.main_messages = text.strip()
    report.snapshot = {**report.snapshot, "main_messages": report.main_messages}
    report.snapshot_hash = snap.content_hash(report.snapshot)
    report.changed_at, report.changed_by = timezone.now(), access.user if access.user.pk else None
    report.save()
    log_action("reports.report.messages_changed", actor=access.user, organisation=report.organisation,
               record=report, before={"main_messages": before}, after={"main_messages": report.main_messages},
               message=f"{access.user.display_name} changed the main messages of ‘{report.title}’")
    return report


@transaction.atomic
def approve_report(access: Access, report: Report) -> Report:
    """A manager approves the draft as last built: its snapshot is frozen from now on."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_draft(report, "approve it again")
    report.snapshot_hash = snap.content_hash(report.snapshot)
    report.status = ReportStatus.APPROVED
    report.approved_by, report.approved_at = access.user if access.user.pk else None, timezone.now()
    report.changed_at, report.changed_by = report.approved_at, report.approved_by
    report.save()
    log_action("reports.report.approved", actor=access.user, organisation=report.organisation, record=report,
               before={"status": "Draft"}, after={"status": "Approved", "hash": report.snapshot_hash},
               message=f"{access.user.display_name} approved the report ‘{report.title}’ (content frozen, "
                       f"fingerprint {report.snapshot_hash[:12]})")
    return report


@transaction.atomic
def publish_report(access: Access, report: Report) -> Report:
    """Publish an approved report. Its snapshot stays frozen."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.DRAFT:
        raise Conflict("A manager must approve the report before it can be published")
    if report.status == ReportStatus.PUBLISHED:
        raise Conflict("The report is already published")
    report.status = ReportStatus.PUBLISHED
    report.published_by, report.published_at = access.user if access.user.pk else None, timezone.now()
    report.changed_at, report.changed_by = report.published_at, report.published_by
    report.save()
    log_action("reports.report.published", actor=access.user, organisation=report.organisation, record=report,
               before={"status": "Approved"}, after={"status": "Published"},
               message=f"{access.user.display_name} published the report ‘{report.title}’")
    return report


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"Choose a format: {', '.join(FORMATS)}", field="format")
    return fmt


def render(report_or_snapshot, fmt: str, *, public: bool = False, sign_off: dict | None = None) -> bytes:
    from carestat.reports.render import render as render_any

    if isinstance(report_or_snapshot, Report):
        return render_any(report_or_snapshot.snapshot, check_format(fmt), public=public,
                          sign_off=report_or_snapshot.sign_off())
    return render_any(report_or_snapshot, check_format(fmt), public=public, sign_off=sign_off or {})


def export_report(access: Access, report: Report, fmt: str, *, public: bool = False,
                  channel: str = "web") -> tuple[bytes, str, str]:
    """The report rendered in ``fmt``; each download is an audited export."""
    access.require(Perm.VIEW)
    data = render(report, fmt, public=public)
    version = "public version" if public else "full version"
    log_action("reports.report.exported", actor=access.user, organisation=report.organisation, record=report,
               after={"format": fmt, "public": public, "channel": channel, "hash": report.snapshot_hash},
               message=f"{access.user.display_name} downloaded ‘{report.title}’ as {fmt.upper()} ({version}, "
                       f"{report.get_status_display().lower()})")
    return data, content_type(fmt), filename(report, fmt, public)


def content_type(fmt: str) -> str:
    return {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]


def filename(report: Report, fmt: str, public: bool = False) -> str:
    scope = report.scope_key.replace(":", "-")
    suffix = "-public" if public else ""
    draft = "-draft" if report.status == ReportStatus.DRAFT else ""
    return f"{report.organisation.slug}-{report.period.identifier}-{scope}{draft}{suffix}.{fmt}"


@transaction.atomic
def create_remit(access: Access, *, name: str, plans=(), measures=()) -> Remit:
    """A board's or committee's remit: the plans and measures its reports cover."""
    access.require(Perm.MANAGE)
    org = access.organisation
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the board's or committee's name", field="name")
    if Remit.objects.filter(organisation=org, name=name).exists():
        raise Conflict(f"There is already a remit called ‘{name}’", field="name")
    plans, measures = list(plans), list(measures)
    if not plans and not measures:
        raise InvalidInput("Choose at least one plan or measure the board oversees", field="plans")
    for obj in plans + measures:
        if obj.organisation_id != org.pk:
            raise InvalidInput("That is not one of this organisation's plans or measures", field="plans")
    user = access.user if access.user.pk else None
    remit = Remit.objects.create(organisation=org, name=name, created_by=user, changed_by=user)
    remit.plans.set(plans)
    remit.measures.set(measures)
    log_action("reports.remit.created", actor=access.user, organisation=org, record=remit,
               after={"name": name, "plans": [str(p) for p in plans], "measures": [m.code for m in measures]},
               message=f"{access.user.display_name} set up the remit ‘{name}’ ({len(plans)} plans, "
                       f"{len(measures)} measures)")
    return remit
