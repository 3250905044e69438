"""Report pages: list, draft, read, refresh, main messages, approve, publish, download; and
boards' remits.

Drafting and refreshing a report (reading every plan and judging every measure) and making a
published report's files (a large PDF takes seconds) run as background jobs: the page sends
the person to the job's progress page, which links to the report when the work is done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.core.access import get_period_for_user
from carestat.core.errors import RateLimited, ServiceError, StoredFileDamaged
from carestat.core.govuk_forms import apply_service_error
from carestat.core.jobs import enqueue_job
from carestat.core.models import AuditEntry
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted
from carestat.reports import selectors, services
from carestat.reports.access import can_see_drafts, get_remit_for_user, get_report_for_user
from carestat.reports.forms import (
    ArchiveRemitForm,
    ExceptionForm,
    MessagesForm,
    RemitForm,
    ReopenForm,
    ReportForm,
    ReportRulesForm,
    SectionForm,
    WordTemplateForm,
)
from carestat.reports.models import Remit, ReportStatus, report_rules
from carestat.reports.render import view
from carestat.reports.selectors import scope_from


@login_required
@require_safe
def reports(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    status = request.GET.get("status", "")
    return page(request, "reports/list.html", "Reports", section="reports",
                reports=selectors.visible_reports(access, status=status), status_filter=status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ReportForm(access.organisation, posted(request))
    if request.method == "POST" and form.is_valid():
        covers, title = form.cleaned_data["covers"], form.cleaned_data["title"]
        try:
            period = get_period_for_user(access, form.cleaned_data["period"])
            scope = scope_from(access, covers)
            services.check_new_report(access, period=period, **scope)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            label = title.strip() or services.default_title(
                access.organisation, scope["scope"], period,
                **{k: v for k, v in scope.items() if k in ("plan", "unit", "remit")})
            job = enqueue_job(access.organisation, request.user, "reports.draft", f"Drafting ‘{label}’"[:200],
                              params={"user_id": request.user.pk, "org_slug": slug, "period": period.identifier,
                                      "covers": covers, "title": title})
            return redirect("core:job", slug, job.pk)
    return page(request, "reports/new.html", "Draft a report", section="reports", form=form)


@login_required
@require_safe
def report(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    r = get_report_for_user(access, pk)
    public = request.GET.get("version") == "public"
    authoring = services.authoring_choices(r) if r.status == "draft" and access.can("manage") else None
    drafts = can_see_drafts(access)
    shown = [v for v in services.versions(r) if drafts or v.status != ReportStatus.DRAFT]
    return page(request, "reports/report.html", r.title, section="reports", report=r, public=public,
                r=view(r.snapshot, public=public, sign_off=r.sign_off()),
                form=MessagesForm(initial={"main_messages": r.main_messages}), authoring=authoring,
                versions=shown, later_version=next((v for v in shown if v.version_number > r.version_number), None),
                approval_refusal=services.approval_refusal(access, r), reopen_refusal=services.reopen_refusal(r))


@login_required
@require_http_methods(["GET", "POST"])
def write_section(request, slug, pk, key):
    """Choose what a draft's section shows and write its narrative."""
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    section = next((s for s in services.authoring_choices(r)["sections"] if s["key"] == key), None)
    if section is None:
        raise Http404("No such section")
    form = SectionForm(section, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.write_section(access, r, key, **form.chosen())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved the section ‘{section['title']}’.")
            return redirect("reports:report", slug, r.pk)
    return page(request, "reports/write_section.html", f"Write the section {section['title']}", section="reports",
                report=r, part=section, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def write_exception(request, slug, pk, key):
    """Edit the commentary on one of a draft's exceptions."""
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    found = next((e for e in services.authoring_choices(r)["exceptions"] if e["key"] == key), None)
    if found is None:
        raise Http404("No such exception")
    form = ExceptionForm(posted(request), initial={"commentary": found["written"]})
    if request.method == "POST" and form.is_valid():
        try:
            services.write_exception_commentary(access, r, key, form.cleaned_data["commentary"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved the commentary on ‘{found['title']}’.")
            return redirect("reports:report", slug, r.pk)
    return page(request, "reports/write_exception.html", f"Commentary on {found['title']}", section="reports",
                report=r, exception=found, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def word_template(request, slug):
    """The organisation's own Word template, whose styles reports' Word files use."""
    access = org_access(request, slug, Perm.VIEW)
    form = WordTemplateForm(posted(request), request.FILES or None)
    if request.method == "POST":
        access.require(Perm.MANAGE)
        if form.is_valid():
            upload = form.cleaned_data["template"]
            try:
                services.set_word_template(access, name=upload.name, data=upload.read())
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Reports' Word files are now written on ‘{upload.name}’.")
                return redirect("reports:word_template", slug)
    return page(request, "reports/word_template.html", "Word template for reports", section="reports", form=form,
                current=services.word_template(access.organisation))


@login_required
@require_POST
def word_template_remove(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    try:
        services.remove_word_template(access)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Removed the Word template: reports' Word files use CareStat's own styles.")
    return redirect("reports:word_template", slug)


def _act(request, slug, pk, fn, done: str, **kwargs):
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    try:
        fn(access, r, **kwargs)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("reports:report", slug, r.pk)


@login_required
@require_POST
def refresh(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    try:
        services.check_refresh(access, r)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report", slug, r.pk)
    job = enqueue_job(access.organisation, request.user, "reports.refresh", f"Refreshing ‘{r.title}’"[:200],
                      params={"user_id": request.user.pk, "org_slug": slug, "report_id": r.pk})
    return redirect("core:job", slug, job.pk)


@login_required
@require_POST
def main_messages(request, slug, pk):
    org_access(request, slug, Perm.MANAGE)
    form = MessagesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("reports:report", slug, pk)
    return _act(request, slug, pk, services.set_main_messages, "Main messages saved.",
                text=form.cleaned_data["main_messages"])


def _confirm(request, slug, pk, verb: str):
    """The step before approving or publishing: what it does, and a button to do it (no script
    needed); or, where the person may not approve this report, why not."""
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    refusal = services.approval_refusal(access, r) if verb == "approve" else ""
    return page(request, "reports/confirm.html", f"{verb.capitalize()} ‘{r.title}’?", section="reports", report=r,
                verb=verb, slug=slug, refusal=refusal)


@login_required
@require_http_methods(["GET", "POST"])
def approve(request, slug, pk):
    if request.method == "GET":
        return _confirm(request, slug, pk, "approve")
    return _act(request, slug, pk, services.approve_report, "Approved: the report's content is now frozen.")


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, slug, pk):
    if request.method == "GET":
        return _confirm(request, slug, pk, "publish")
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    try:
        r = services.publish_report(access, r)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report", slug, r.pk)
    messages.success(request, "Published. Its PDF, Word, Excel, slides and web page files are being made once, so "
                              "every download is the same file.")
    return redirect("core:job", slug, r.files_job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, slug, pk):
    """Reopen an approved report, or start the correction of a published one, with a reason."""
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    form = ReopenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.reopen_report(access, r, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Reopened: this is version {new.version_number}, a draft continuing from "
                                      f"version {r.version_number}. It must be approved again.")
            return redirect("reports:report", slug, new.pk)
    verb = "Correct" if r.status == "published" else "Reopen"
    return page(request, "reports/reopen.html", f"{verb} ‘{r.title}’", section="reports", report=r, form=form,
                refusal=services.reopen_refusal(r))


@login_required
@require_http_methods(["GET", "POST"])
def rules(request, slug):
    """Who may approve reports and who may read drafts (admins)."""
    access = org_access(request, slug, Perm.ADMINISTER)
    current = report_rules(access.organisation)
    initial = {n: getattr(current, n) for n in services.RULE_NAMES}
    form = ReportRulesForm(request.POST) if request.method == "POST" else ReportRulesForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_report_rules(access, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Saved the report rules.")
            return redirect("reports:rules", slug)
    return page(request, "reports/rules.html", "Report approval and drafts", section="reports", form=form,
                current=current)


@login_required
@require_safe
def download(request, slug, pk, fmt):
    access = org_access(request, slug, Perm.VIEW)
    r = get_report_for_user(access, pk)
    if fmt not in services.FORMATS:
        raise Http404("No such format")
    try:
        data, ctype, name = services.export_report(access, r, fmt, public=request.GET.get("version") == "public")
    except StoredFileDamaged as exc:
        return page(request, "core/error.html", "This file cannot be downloaded", status=409,
                    heading="This file cannot be downloaded", body=exc.message)
    except RateLimited as exc:
        response = page(request, "core/error.html", "Too many draft downloads", status=429,
                        heading="Too many draft downloads for now", body=exc.message)
        response["Retry-After"] = str(exc.retry_after_seconds)
        return response
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def remits(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    form = RemitForm(access.organisation, posted(request))
    if request.method == "POST":
        access.require(Perm.MANAGE)
        if form.is_valid():
            try:
                remit = services.create_remit(access, **form.chosen())
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Reports can now cover the remit of {remit.name}.")
                return redirect("reports:remits", slug)
    rows = Remit.objects.filter(organisation=access.organisation).prefetch_related("plans", "measures")
    return page(request, "reports/remits.html", "Board remits", section="reports", form=form,
                remits=[r for r in rows if not r.is_archived], archived=[r for r in rows if r.is_archived])


@login_required
@require_http_methods(["GET", "POST"])
def remit_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    remit = get_remit_for_user(access, pk)
    form = RemitForm(access.organisation, posted(request), remit=remit)
    if request.method == "POST" and form.is_valid():
        try:
            remit = services.update_remit(access, remit, **form.chosen())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved the remit of {remit.name}. The next draft, or a draft refreshed, "
                                      "covers it as it is now; approved and published reports do not change.")
            return redirect("reports:remits", slug)
    has_history = AuditEntry.objects.filter(organisation=access.organisation, record_type="remit",
                                            record_id=str(remit.pk)).exists()
    return page(request, "reports/remit_edit.html", f"Change the remit of {remit.name}", section="reports",
                remit=remit, form=form, has_history=has_history)


@login_required
@require_http_methods(["GET", "POST"])
def remit_archive(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    remit = get_remit_for_user(access, pk)
    form = ArchiveRemitForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            remit = services.archive_remit(access, remit, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Archived the remit of {remit.name}. Its reports keep it; new reports "
                                      "cannot cover it.")
            return redirect("reports:remits", slug)
    return page(request, "reports/remit_archive.html", f"Archive the remit of {remit.name}", section="reports",
                remit=remit, form=form)
