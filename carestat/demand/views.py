"""Future-need pages: thin views over carestat.demand.services and .selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from carestat.analytics import demand as calc
from carestat.analytics.finance import format_money
from carestat.core.access import _int
from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.demand import selectors, services
from carestat.demand.charts import by_year_chart
from carestat.demand.forms import (
    BacktestForm,
    ChildrenRunForm,
    NeedForm,
    PopulationForm,
    RateForm,
    RatesForm,
    ScenarioForm,
)
from carestat.demand.models import PrevalenceRate, Projection, ProjectionKind, Scenario

SECTION = "demand"


def _page(request, template, title, **context):
    return page(request, template, title, section=SECTION, money=format_money, **context)


def _crumbs(access, *items):
    return [{"text": "Future need", "href": f"/o/{access.organisation.slug}/demand/"}, *items]


def _call(form, fn):
    """Run a service call for a valid form; a service error lands on the field it names."""
    try:
        return fn()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


def children_chart(p: Projection):
    r = p.result
    series = [(n, r["projection"][k]) for k, n in zip(r["placements"], r["placement_names"], strict=True)
              if any(r["projection"][k]) or r["start"][k]]
    return by_year_chart(r["year_ends"], series, f"Children in care by placement at each year end: {p.title}")


def adults_chart(p: Projection):
    r = p.result
    years = r["years"]
    step = max(1, len(years) // 10)
    idx = list(range(0, len(years), step))
    if idx[-1] != len(years) - 1:
        idx.append(len(years) - 1)
    return by_year_chart([years[i] for i in idx], [(n["name"], [n["people"][i] for i in idx]) for n in r["needs"]],
                         f"People projected to have each need: {p.title}")


@login_required
@require_safe
def overview(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    org = access.organisation
    children = selectors.latest(org, ProjectionKind.CHILDREN, baseline=True)
    adults = selectors.latest(org, ProjectionKind.ADULTS)
    backtest = selectors.latest(org, ProjectionKind.BACKTEST)
    return _page(request, "demand/overview.html", "Future need", children=children, adults=adults,
                 backtest=backtest, children_chart=children_chart(children) if children else None,
                 adults_chart=adults_chart(adults) if adults else None,
                 recent=list(selectors.projections(org)[:10]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def run(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    org = access.organisation
    op = request.POST.get("op") if request.method == "POST" else None
    children_form = ChildrenRunForm(request.POST if op == "children" else None, prefix="c",
                                    scenarios=selectors.scenarios(org))
    backtest_form = BacktestForm(request.POST if op == "backtest" else None, prefix="b")
    made = None
    if op == "children" and children_form.is_valid():
        d = children_form.cleaned_data
        scenario = Scenario.objects.filter(organisation=org, pk=_int(d["scenario"])).first() if d["scenario"] else None
        made = _call(children_form, lambda: services.project_children(
            access, years=d["years"], reference_years=d["reference_years"], resamples=d["resamples"],
            scenario=scenario))
    elif op == "backtest" and backtest_form.is_valid():
        d = backtest_form.cleaned_data
        made = _call(backtest_form, lambda: services.backtest(access, years=d["years"],
                                                               reference_years=d["reference_years"]))
    elif op == "adults":
        try:
            made = services.project_adults(access)
        except NotAllowed:
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
    if made is not None:
        messages.success(request, f"Made projection ‘{made.title}’.")
        return redirect("demand:projection", slug=slug, pk=made.pk)
    return _page(request, "demand/run.html", "Make a projection", children_form=children_form,
                 backtest_form=backtest_form, breadcrumbs=_crumbs(access))


@login_required
@require_safe
def projection(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    p = selectors.projections(access.organisation).filter(pk=_int(pk)).first()
    if p is None:
        raise Http404("No such projection")
    chart = None
    if p.kind == ProjectionKind.CHILDREN:
        chart = children_chart(p)
    elif p.kind == ProjectionKind.ADULTS:
        chart = adults_chart(p)
    return _page(request, "demand/projection.html", p.title, p=p, chart=chart, breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenarios(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    form = ScenarioForm(posted(request), prefix="s")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = _call(form, lambda: services.save_scenario(access, name=d["name"], description=d["description"],
                                                             changes=form.changes(), in_report=d["in_report"]))
        if saved:
            messages.success(request, f"Saved scenario ‘{saved.name}’. Make a projection with it to compare.")
            return redirect("demand:scenarios", slug=slug)
    years, rows = selectors.compare(org)
    chart = None
    if rows:
        chart = by_year_chart(years, [(r.name, r.totals) for r in rows],
                              "Children in care at each year end: baseline and scenarios")
    return _page(request, "demand/scenarios.html", "Scenarios", form=form, years=years, rows=rows, chart=chart,
                 scenarios=list(selectors.scenarios(org)), describe=calc.describe_change,
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assumptions(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    form = NeedForm(posted(request), prefix="n")
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.set_need(access, **form.cleaned_data)):
            messages.success(request, "Saved the need.")
            return redirect("demand:assumptions", slug=slug)
    return _page(request, "demand/assumptions.html", "Assumptions and sources", form=form,
                 needs=list(selectors.needs(org)), rates=list(selectors.rates(org)),
                 populations=list(selectors.population_files(org)[:10]),
                 placements=calc.PLACEMENT_NAMES, breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    row = PrevalenceRate.objects.select_related("need").filter(organisation=access.organisation, pk=_int(pk)).first()
    if row is None:
        raise Http404("No such rate")
    form = RateForm(posted(request), initial={"rate": row.rate, "source": row.source, "source_year": row.source_year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _call(form, lambda: services.set_rate(access, row, value=d["rate"], source=d["source"],
                                                 source_year=d["source_year"])):
            messages.success(request, "Saved the rate.")
            return redirect("demand:assumptions", slug=slug)
    return _page(request, "demand/rate.html", f"Rate: {row.need.name}, {row.sex} aged {row.age_band}", form=form,
                 row=row, breadcrumbs=_crumbs(access, {"text": "Assumptions and sources",
                                                       "href": f"/o/{slug}/demand/assumptions/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    op = request.POST.get("op") if request.method == "POST" else None
    pop_form = PopulationForm(posted(request) if op == "population" else None,
                              posted_files(request) if op == "population" else None, prefix="p")
    rates_form = RatesForm(posted(request) if op == "rates" else None,
                           posted_files(request) if op == "rates" else None, prefix="r")
    problems = []
    if op == "population" and pop_form.is_valid():
        f = pop_form.cleaned_data["file"]
        try:
            result = services.load_population(access, f.read(), filename=f.name, name=pop_form.cleaned_data["name"])
            messages.success(request, result.summary)
            return redirect("demand:assumptions", slug=slug)
        except services.DemandFileInvalid as exc:
            problems = exc.problems
            pop_form.add_error("file", f"{f.name} has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                               "nothing was loaded")
    if op == "rates" and rates_form.is_valid():
        f = rates_form.cleaned_data["file"]
        try:
            n = services.load_rates(access, f.read(), filename=f.name)
            messages.success(request, f"Loaded the rates in {f.name}: {n} set or changed.")
            return redirect("demand:assumptions", slug=slug)
        except services.DemandFileInvalid as exc:
            problems = exc.problems
            rates_form.add_error("file", f"{f.name} has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                                 "nothing was loaded")
    return _page(request, "demand/upload.html", "Load population projections and rates", pop_form=pop_form,
                 rates_form=rates_form, problems=problems, breadcrumbs=_crumbs(access))
