"""Report pages: list, draft, read, refresh, main messages, approve, publish, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.core.access import _int, get_period_for_user, get_unit_for_user
from carestat.core.errors import ServiceError
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted
from carestat.reports import services
from carestat.reports.forms import MessagesForm, RemitForm, ReportForm
from carestat.reports.models import Remit, Report
from carestat.reports.render import view


def get_report_for_user(access, pk) -> Report:
    report = (Report.objects.select_related("period", "plan", "unit", "remit", "approved_by", "published_by")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if report is None:
        raise Http404("No such report")
    return report


def scope_from(access, covers: str) -> dict:
    """Turn the ‘covers’ choice into the scope arguments, through the scoped getters."""
    from carestat.plans.access import get_plan_for_user

    kind, _, pk = covers.partition(":")
    if kind == "plan":
        return {"scope": "plan", "plan": get_plan_for_user(access, pk)}
    if kind == "unit":
        return {"scope": "unit", "unit": get_unit_for_user(access, pk)}
    if kind == "remit":
        remit = Remit.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
        if remit is None:
            raise Http404("No such remit")
        return {"scope": "remit", "remit": remit}
    return {"scope": "organisation"}


@login_required
@require_safe
def reports(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    rows = Report.objects.filter(organisation=access.organisation).select_related("period", "published_by")
    return page(request, "reports/list.html", "Reports", section="reports", reports=rows)


@login_required
@require_http_methods(["GET", "POST"])
def new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ReportForm(access.organisation, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            period = get_period_for_user(access, form.cleaned_data["period"])
            report = services.create_report(access, period=period, title=form.cleaned_data["title"],
                                            **scope_from(access, form.cleaned_data["covers"]))
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "The draft report is ready. Check it, write the main messages, then approve it.")
            return redirect("reports:report", slug, report.pk)
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
    return _act(request, slug, pk, services.refresh_report, "The draft now shows the latest figures.")


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
    return _act(request, slug, pk, services.publish_report, "Published.")


@login_required
@require_safe
def download(request, slug, pk, fmt):
    access = org_access(request, slug, Perm.VIEW)
    r = get_report_for_user(access, pk)
    if fmt not in services.FORMATS:
        raise Http404("No such format")
    data, ctype, name = services.export_report(access, r, fmt, public=request.GET.get("version") == "public")
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
            from carestat.measures.models import Measure
            from carestat.plans.models import Plan

            org = access.organisation
            try:
                remit = services.create_remit(
                    access, name=form.cleaned_data["name"],
                    plans=Plan.objects.filter(organisation=org, pk__in=form.cleaned_data["plans"]),
                    measures=Measure.objects.filter(organisation=org, pk__in=form.cleaned_data["measures"]))
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Reports can now cover the remit of {remit.name}.")
                return redirect("reports:remits", slug)
    rows = Remit.objects.filter(organisation=access.organisation).prefetch_related("plans", "measures")
    return page(request, "reports/remits.html", "Board remits", section="reports", form=form, remits=rows)
