import csv
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from carestat.analytics.work_types import work_type_label
from carestat.casedata import selectors, services
from carestat.casedata.access import get_forecast_for_user, get_submission_for_user
from carestat.casedata.forms import UploadForm
from carestat.casedata.models import SubmissionProblem
from carestat.core.audit import log_action
from carestat.core.jobs import enqueue_job
from carestat.core.permissions import Perm
from carestat.core.spreadsheet_cells import safe_row
from carestat.core.views.base import org_access, page


@login_required
@require_safe
def submissions(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    quality = request.GET.get("quality", "")
    rows = selectors.submissions(access.organisation, quality=quality)
    return page(request, "casedata/submissions.html", "Case data", section="data", quality=quality,
                submissions=Paginator(rows, 50).get_page(request.GET.get("page")),
                waiting=list(selectors.awaiting_measures(access.organisation)))


def _safe_name(name: str) -> str:
    name = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120] or "upload"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        folder = Path(settings.UPLOADS_DIR) / access.organisation.slug / uuid.uuid4().hex
        folder.mkdir(parents=True)
        names, paths = [], []
        for f in form.cleaned_data["return_files"]:
            path = folder / _safe_name(f.name)
            with path.open("wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            names.append(f.name)
            paths.append(path)
        options = {"format": form.cleaned_data["format"] or None, "year": form.cleaned_data["year"],
                   "accept_with_errors": form.cleaned_data["accept_with_errors"],
                   "confirm_fewer": form.cleaned_data["confirm_fewer"]}
        job = enqueue_job(access.organisation, request.user, "casedata.ingest", f"Loading {', '.join(names)}"[:200],
                          params={"user_id": request.user.pk, "org_slug": access.organisation.slug,
                                  "files": [p.name for p in paths], "names": names, "options": options},
                          upload_dir=folder)
        return redirect("core:job", slug, job.pk)
    return page(request, "casedata/upload.html", "Load a return", section="data", form=form)


@login_required
@require_safe
def submission(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    sub = get_submission_for_user(access, pk)
    severity = request.GET.get("severity", "")
    problems = selectors.problems(sub, severity)
    computed = services.values_fed_by(sub)
    return page(request, "casedata/submission.html", str(sub), section="data", sub=sub, severity=severity,
                problems=Paginator(problems, 100).get_page(request.GET.get("page")), computed=computed,
                by_rule=_by_rule(sub))


def _by_rule(sub):
    from django.db.models import Count

    return (SubmissionProblem.objects.filter(submission=sub).values("rule", "severity", "message")
            .annotate(n=Count("id")).order_by("-n")[:50])


@login_required
@require_http_methods(["POST"])
def recompute(request, slug):
    """Compute the measures the loaded data feeds, as a job with progress (managers)."""
    access = org_access(request, slug, Perm.MANAGE)
    org_slug = access.organisation.slug
    back = request.POST.get("next", "")
    if not back.startswith(f"/o/{org_slug}/"):
        back = reverse("casedata:submissions", args=[org_slug])
    job = enqueue_job(access.organisation, request.user, "casedata.recompute", "Computing measures from case data",
                      params={"user_id": request.user.pk, "org_slug": org_slug, "back": back})
    return redirect("core:job", slug, job.pk)


@login_required
@require_safe
def problems_csv(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    sub = get_submission_for_user(access, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="submission-{sub.pk}-problems.csv"'
    writer = csv.writer(response)
    writer.writerow(["severity", "file", "row or element", "field", "rule", "message"])
    n = 0
    for p in SubmissionProblem.objects.filter(submission=sub).iterator():
        writer.writerow(safe_row([p.severity, p.file, p.location, p.field, p.rule, p.message]))
        n += 1
    log_action("casedata.problems.exported", actor=request.user, organisation=access.organisation, record=sub,
               message=f"{request.user.display_name} exported {n} validation problems of {sub} as CSV")
    return response




# Forecasts ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def forecasts(request, slug):
    from carestat.casedata import forecasting
    from carestat.casedata.forecast_forms import ForecastForm
    from carestat.core.errors import ServiceError
    from carestat.core.govuk_forms import apply_service_error

    access = org_access(request, slug, Perm.MANAGE if request.method == "POST" else Perm.VIEW)
    kinds = forecasting.work_types(access.organisation)
    data = request.POST if request.method == "POST" else (request.GET if "work_type" in request.GET else None)
    form = ForecastForm(data, work_types=kinds)
    result = chart = None
    if data is not None and form.is_valid():
        try:
            if request.method == "POST":
                saved = forecasting.save_forecast(access, form.cleaned_data["work_type"],
                                                  title=form.cleaned_data["title"], **form.options())
                return redirect("casedata:forecast", slug, saved.pk)
            result = forecasting.run_forecast(access, form.cleaned_data["work_type"], **form.options())
            chart = forecasting.forecast_chart(result, f"{work_type_label(form.cleaned_data['work_type'])} backlog")
        except ServiceError as exc:
            apply_service_error(form, exc)
    saved = selectors.saved_forecasts(access.organisation)
    return page(request, "casedata/forecasts.html", "Backlog forecasts", section="data", form=form, result=result,
                chart=chart, saved=saved, has_events=bool(kinds),
                data_status=forecasting.data_status(access.organisation) if kinds else None)


@login_required
@require_safe
def forecast(request, slug, pk):
    from carestat.casedata import forecasting

    access = org_access(request, slug, Perm.VIEW)
    saved = get_forecast_for_user(access, pk)
    comparison = forecasting.against_actuals(saved)
    return page(request, "casedata/forecast.html", saved.title, section="data", saved=saved, result=saved.result,
                chart=forecasting.forecast_chart(saved.result, saved.title, comparison), comparison=comparison)


# Operational measures by team and work type -------------------------------------------------

OPS_CODES = ("OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET", "DOLS-NOT-COMPLETED")


def _breakdown_tables(value) -> list[dict]:
    """A computed value's breakdowns grouped by dimension (team, work type, priority...)."""
    tables: dict[str, list] = {}
    for part in value.breakdown or []:
        for dim, label in part["by"].items():
            if dim == "work_type":
                label = work_type_label(label)
            tables.setdefault(dim, []).append({"label": label, **part})
    return [{"dimension": dim.replace("_", " "), "rows": sorted(rows, key=lambda r: r["label"])}
            for dim, rows in tables.items()]


def _operations_export(access, period, rows, fmt):
    """The operational measures of one period, overall and by each breakdown, as CSV or Excel."""
    from carestat.core.audit import log_action
    from carestat.core.exports import Column, count_of, export_response

    columns = [Column("Code"), Column("Measure", width=40), Column("Period"), Column("Unit"), Column("By"),
               Column("Group"), Column("Value", "number"), Column("Numerator", "int"), Column("Denominator", "int")]
    out = []
    for row in rows:
        v = row["value"]
        out.append([v.measure.code, v.measure.title, v.period, v.measure.unit, "Overall", "", v.value, v.numerator,
                    v.denominator])
        for t in row["tables"]:
            for r in t["rows"]:
                out.append([v.measure.code, v.measure.title, v.period, v.measure.unit, t["dimension"].capitalize(),
                            r["label"], r.get("value"), r.get("numerator"), r.get("denominator")])
    log_action("casedata.operations.exported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} exported the operational measures for {period} as "
                       f"{'Excel' if fmt == 'xlsx' else 'CSV'} ({count_of(len(out), 'row')})")
    return export_response(f"{access.organisation.slug}-operations-{period}", "Operational measures", columns, out,
                           fmt=fmt)


@login_required
@require_safe
def operations(request, slug):
    from carestat.measures.models import MeasureValue

    access = org_access(request, slug, Perm.VIEW)
    values = MeasureValue.objects.filter(measure__organisation=access.organisation, measure__code__in=OPS_CODES,
                                         source="computed").select_related("measure")
    periods = sorted({v.period for v in values}, reverse=True)
    period = request.GET.get("period") or (periods[0] if periods else "")
    if period and period not in periods:
        raise Http404("No operational measures for that period")
    chosen = sorted((v for v in values if v.period == period), key=lambda v: OPS_CODES.index(v.measure.code))
    rows = [{"value": v, "tables": _breakdown_tables(v)} for v in chosen]
    fmt = {"csv": "csv", "xlsx": "xlsx"}.get(request.GET.get("format", ""))
    if fmt:
        return _operations_export(access, period, rows, fmt)
    return page(request, "casedata/operations.html", "Operational measures", section="data", periods=periods,
                period=period, rows=rows, targets=services.ops_targets(access.organisation))
