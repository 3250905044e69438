"""Finance pages: thin views over carestat.finance.services, .ledger and .summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from carestat.analytics.periods import PeriodError, parse_period
from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import ReportingPeriod
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.finance import ledger, services
from carestat.finance.access import get_line_for_user, get_mtp_for_user, get_saving_for_user, get_scenario_for_user
from carestat.finance.forms import (
    ArchiveForm,
    BudgetForm,
    CommentForm,
    DeliveryForm,
    LedgerForm,
    LineEditForm,
    LineForm,
    MediumTermPlanEditForm,
    MediumTermPlanForm,
    SavingForm,
    SavingLinksForm,
    SavingStatusForm,
    ScenarioEditForm,
    SettingsForm,
)
from carestat.finance.models import LedgerImport, MediumTermPlan, PeriodFigure, ServiceLine, settings_for
from carestat.finance.summary import current_year, plan_years, savings_by_year, savings_rows, year_position

SECTION = "finance"


def _page(request, access, template, title, **context):
    from carestat.analytics.finance import format_money

    return page(request, template, title, section=SECTION, money=format_money, **context)


def _crumbs(access, *items):
    return [{"text": "Money", "href": f"/o/{access.organisation.slug}/finance/"}, *items]


def _year(request, org) -> str:
    label = request.GET.get("year") or current_year(timezone.localdate())
    try:
        return services.financial_year(label)
    except ServiceError:
        raise Http404("No such financial year") from None


def _call(form, fn):
    """Run a service call for a valid form; a service error lands on the field it names."""
    try:
        return fn()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


def _mtp_years(org) -> list[str]:
    return plan_years(org)


@login_required
@require_safe
def summary(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    org = access.organisation
    year = _year(request, org)
    years = [year_position(org, y) for y in _mtp_years(org)]
    mtps = MediumTermPlan.objects.filter(organisation=org, is_archived=False).select_related("plan")
    return _page(request, access, "finance/summary.html", f"Money: {year}", year=year,
                 position=year_position(org, year), years=years, mtps=mtps,
                 tolerances=settings_for(org).tolerances())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def line_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    line = get_line_for_user(access, pk)
    org = access.organisation
    year = _year(request, org)
    fy = parse_period(year)
    op = request.POST.get("op") if request.method == "POST" else None
    if request.method == "POST":
        access.require(Perm.MANAGE)
    comment_form = CommentForm(request.POST if op == "comment" else None, org=org, fy=fy, prefix="c")
    budget_form = BudgetForm(request.POST if op == "budget" else None, prefix="b", initial={"year": year})
    if op == "comment" and comment_form.is_valid():
        period = ReportingPeriod.objects.get(organisation=org, identifier=comment_form.cleaned_data["period"])
        if _call(comment_form, lambda: services.add_comment(access, line, period,
                                                            text=comment_form.cleaned_data["text"])):
            messages.success(request, f"Added commentary for {period.identifier}.")
            return redirect(f"{request.path}?year={year}")
    if op == "budget" and budget_form.is_valid():
        d = budget_form.cleaned_data
        if _call(budget_form, lambda: services.set_budget(access, line, year=d["year"], amount_=d["amount"])) \
                is not None:
            messages.success(request, f"Saved the {d['year']} budget of {line.name}.")
            return redirect(f"{request.path}?year={year}")
    position = year_position(org, year, root=line)
    figures = (PeriodFigure.objects.filter(line=line, period__start__gte=fy.start, period__end__lte=fy.end)
               .select_related("period", "changed_by").order_by("period__start"))
    comments = line.comments.filter(period__start__gte=fy.start, period__end__lte=fy.end).select_related(
        "period", "created_by")
    return _page(request, access, "finance/line.html", f"{line.name}: {year}", line=line, year=year,
                 position=position, node=position.lines[0], figures=figures, comments=comments,
                 comment_form=comment_form, budget_form=budget_form,
                 breadcrumbs=_crumbs(access, {"text": year, "href": f"/o/{slug}/finance/?year={year}"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lines(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    form = LineForm(posted(request), org=access.organisation)
    if request.method == "POST" and form.is_valid():
        line = _call(form, lambda: services.add_line(access, **form.cleaned_data))
        if line:
            messages.success(request, f"Added service line ‘{line.name}’ ({line.cost_code}).")
            return redirect("finance:lines", slug)
    rows = ServiceLine.objects.filter(organisation=access.organisation).select_related("parent", "unit")
    mtps = MediumTermPlan.objects.filter(organisation=access.organisation).select_related("plan")
    return _page(request, access, "finance/lines.html", "Service lines and cost codes", form=form, rows=rows,
                 mtps=mtps,
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def line_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    line = get_line_for_user(access, pk)
    initial = {"name": line.name, "cost_code": line.cost_code, "parent": str(line.parent_id or ""),
               "unit": str(line.unit_id or ""), "is_archived": line.is_archived}
    form = LineEditForm(posted(request), org=access.organisation, line=line, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.update_line(access, line, **form.cleaned_data)):
            messages.success(request, f"Saved service line {form.cleaned_data['cost_code']}.")
            return redirect("finance:lines", slug)
    return _page(request, access, "finance/form.html", f"Change service line {line.cost_code}", form=form,
                 button="Save service line", back=f"/o/{slug}/finance/lines/",
                 intro="Its name can always change. Its cost code, where it sits and whether it is archived cannot "
                       "while a closed period or year holds its figures or budgets.",
                 breadcrumbs=_crumbs(access, {"text": "Service lines", "href": f"/o/{slug}/finance/lines/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mtp_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    mtp = get_mtp_for_user(access, pk)
    initial = {"title": mtp.title, "first_year": mtp.first_year, "years": mtp.years,
               "plan": str(mtp.plan_id or ""), "is_archived": mtp.is_archived}
    form = MediumTermPlanEditForm(posted(request), org=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.update_medium_term_plan(access, mtp, **form.cleaned_data)):
            messages.success(request, f"Saved medium-term plan ‘{form.cleaned_data['title']}’.")
            return redirect("finance:summary", slug)
    return _page(request, access, "finance/form.html", f"Change ‘{mtp.title}’", form=form,
                 button="Save plan", back=f"/o/{slug}/finance/", breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mtp_new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = MediumTermPlanForm(posted(request), org=access.organisation)
    if request.method == "POST" and form.is_valid():
        mtp = _call(form, lambda: services.create_medium_term_plan(access, **form.cleaned_data))
        if mtp:
            messages.success(request, f"Created medium-term plan ‘{mtp.title}’.")
            return redirect("finance:summary", slug)
    return _page(request, access, "finance/form.html", "New medium-term financial plan", form=form,
                 button="Create plan", back=f"/o/{slug}/finance/",
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def finance_settings(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    current = settings_for(access.organisation)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    initial["report_scenario"] = str(current.report_scenario_id or "")
    form = SettingsForm(posted(request), org=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.save_settings(access, **form.cleaned_data)):
            messages.success(request, "Saved the financial RAG tolerances, the ledger's column names and the "
                                      "scenario the report names.")
            return redirect("finance:import", slug)
    return _page(request, access, "finance/form.html", "Finance settings", form=form, button="Save settings",
                 back=f"/o/{slug}/finance/",
                 intro="Name the columns once as your finance system's extract calls them; every import uses "
                       "them. The tolerances set when a line's forecast overspend turns amber and red.",
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_ledger(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = LedgerForm(posted(request), posted_files(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledger.import_ledger(access, upload.read(), filename=upload.name)
        except ledger.LedgerInvalid as exc:
            problems = exc.problems
            form.add_error("file", f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                                   "nothing was imported. Fix them and upload it again.")
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, result.summary)
            return redirect("finance:import", slug)
    return _page(request, access, "finance/import.html", "Import a ledger extract", form=form, problems=problems,
                 columns=settings_for(access.organisation).columns(),
                 imports=LedgerImport.objects.filter(organisation=access.organisation).select_related(
                     "imported_by")[:10],
                 breadcrumbs=_crumbs(access))


@login_required
@require_safe
def export(request, slug, year):
    access = org_access(request, slug, Perm.VIEW)
    try:
        parse_period(year)
        content = ledger.export_year(access, year)
    except (PeriodError, ServiceError):
        raise Http404("No such financial year") from None
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="money-{year}.xlsx"'
    return response


# Savings programme ------------------------------------------------------------------------------

def _saving_years(org):
    return _mtp_years(org) or [current_year(timezone.localdate())]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def savings(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    form = SavingForm(posted(request), org=org, years=_saving_years(org))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saving = _call(form, lambda: services.add_saving(
            access, reference=d["reference"], title=d["title"], description=d["description"],
            deliverability=d["deliverability"], status=d["status"], targets=form.targets(), **form.links()))
        if saving:
            messages.success(request, f"Added saving {saving.reference}.")
            return redirect("finance:saving", slug, saving.pk)
    return _page(request, access, "finance/savings.html", "Savings programme", rows=savings_rows(org),
                 years=savings_by_year(org), form=form,
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def saving_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    saving = get_saving_for_user(access, pk)
    years = [t.year for t in saving.targets.all()]
    op = request.POST.get("op") if request.method == "POST" else None
    if request.method == "POST":
        access.require(Perm.MANAGE)
    status_form = SavingStatusForm(request.POST if op == "status" else None, prefix="s",
                                   initial={"status": saving.status, "deliverability": saving.deliverability})
    delivery_form = DeliveryForm(request.POST if op == "delivery" else None, prefix="d", years=years)
    links_form = SavingLinksForm(request.POST if op == "links" else None, prefix="l", org=access.organisation,
                                 initial={"owner": str(saving.owner_id or ""), "line": str(saving.line_id or ""),
                                          "action": str(saving.action_id or ""), "risk": str(saving.risk_id or "")})
    if op == "links" and links_form.is_valid():
        if _call(links_form, lambda: services.set_saving_links(access, saving, **links_form.links())):
            messages.success(request, f"Saved what {saving.reference} is linked to.")
            return redirect("finance:saving", slug, saving.pk)
    if op == "status" and status_form.is_valid():
        if _call(status_form, lambda: services.update_saving(access, saving, **status_form.cleaned_data)):
            messages.success(request, f"Saved the status of {saving.reference}.")
            return redirect("finance:saving", slug, saving.pk)
    if op == "delivery" and delivery_form.is_valid():
        d = delivery_form.cleaned_data
        if _call(delivery_form, lambda: services.record_delivery(access, saving, year=d["year"],
                                                                 delivered=d["delivered"])):
            messages.success(request, f"Recorded the savings delivered in {d['year']}.")
            return redirect("finance:saving", slug, saving.pk)
    from carestat.analytics import finance as calc

    targets = [(t, calc.savings_position(t.target, t.delivered)) for t in saving.targets.all()]
    return _page(request, access, "finance/saving.html", f"{saving.reference} {saving.title}", saving=saving,
                 targets=targets, status_form=status_form, delivery_form=delivery_form, links_form=links_form,
                 breadcrumbs=_crumbs(access, {"text": "Savings programme", "href": f"/o/{slug}/finance/savings/"}))


# The cost model -------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cost_model(request, slug):
    from carestat.charts.money import Series, money_by_year_chart
    from carestat.finance import costmodel
    from carestat.finance.forms import DriverForm, ScenarioForm

    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    year = _year(request, org)
    op = request.POST.get("op") if request.method == "POST" else None
    driver_form = DriverForm(request.POST if op == "driver" else None, org=org, prefix="m")
    scenario_form = ScenarioForm(request.POST if op == "scenario" else None, org=org, prefix="s")
    if op == "driver" and driver_form.is_valid():
        if _call(driver_form, lambda: services.set_driver(access, **driver_form.cleaned_data)):
            messages.success(request, "Saved the line's cost model.")
            return redirect(f"{request.path}?year={year}")
    if op == "scenario" and scenario_form.is_valid():
        d = scenario_form.cleaned_data
        change = {k: d[k] for k in ("cost_code", "kind", "amount", "start")}
        if _call(scenario_form, lambda: services.save_scenario(access, name=d["name"], description=d["description"],
                                                               changes=[change])):
            messages.success(request, f"Saved scenario ‘{d['name']}’.")
            return redirect(f"{request.path}?year={year}")
    model = costmodel.build(org, year=year)
    chart = None
    if model.rows:
        series = [Series("Budget", model.budget_totals)] + [
            Series(r.scenario.name if r.scenario else "Model forecast", r.totals) for r in model.results[:5]]
        chart = money_by_year_chart(model.years, series, "Budget and modelled cost of the modelled lines by year")
    return _page(request, access, "finance/model.html", "Cost model", model=model, chart=chart, year=year,
                 driver_form=driver_form, scenario_form=scenario_form, breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    scenario = get_scenario_for_user(access, pk)
    if scenario.is_archived:
        raise Http404("The scenario is archived")
    form = ScenarioEditForm(posted(request), org=access.organisation, scenario=scenario)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _call(form, lambda: services.update_scenario(access, scenario, name=d["name"], description=d["description"],
                                                        changes=form.changes())):
            messages.success(request, f"Saved scenario ‘{d['name']}’.")
            return redirect("finance:model", slug)
    return _page(request, access, "finance/form.html", f"Change scenario ‘{scenario.name}’", form=form,
                 button="Save scenario", back=f"/o/{slug}/finance/model/",
                 intro="Change its name, description or changes; tick a change's remove box to drop it, and fill in "
                       "the last, new change to add one. Reports already made keep the figures they froze.",
                 breadcrumbs=_crumbs(access, {"text": "Cost model", "href": f"/o/{slug}/finance/model/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_archive(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    scenario = get_scenario_for_user(access, pk)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.archive_scenario(access, scenario, reason=form.cleaned_data["reason"])):
            messages.success(request, f"Archived scenario ‘{scenario.name}’.")
            return redirect("finance:model", slug)
    return _page(request, access, "finance/form.html", f"Archive scenario ‘{scenario.name}’", form=form,
                 button="Archive scenario", back=f"/o/{slug}/finance/model/",
                 intro="An archived scenario leaves the comparison; reports already made keep it.",
                 breadcrumbs=_crumbs(access, {"text": "Cost model", "href": f"/o/{slug}/finance/model/"}))
