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
from carestat.reports.access import get_remit_for_user, get_report_for_user
from carestat.reports.forms import ArchiveRemitForm, MessagesForm, RemitForm, ReportForm
from carestat.reports.models import Remit
from carestat.reports.render import view
from carestat.reports.selectors import scope_from


@login_required
@require_safe
def reports(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    status = request.GET.get("status", "")
    return page(request, "reports/list.html", "Reports", section="reports",
                reports=selectors.reports(access.organisation, status=status), status_filter=status)


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
    return page(request, "reports/report.html", r.title, section="reports", report=r, public=public,
                r=view(r.snapshot, public=public, sign_off=r.sign_off()),
                form=MessagesForm(initial={"main_messages": r.main_messages}))


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


@login_required
@require_POST
def approve(request, slug, pk):
    return _act(request, slug, pk, services.approve_report, "Approved: the report's content is now frozen.")


@login_required
@require_POST
def publish(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    r = get_report_for_user(access, pk)
    try:
        r = services.publish_report(access, r)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report", slug, r.pk)
    messages.success(request, "Published. Its PDF, Word, Excel and web page files are being made once, so "
                              "every download is the same file.")
    return redirect("core:job", slug, r.files_job.pk)


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
