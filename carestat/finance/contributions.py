"""What finance adds to the committee report ("Money") and to the home page."""

from __future__ import annotations

from carestat.analytics import finance as calc
from carestat.analytics.periods import financial_year_of
from carestat.core.contributions import SectionContext, Tile
from carestat.finance.models import Budget
from carestat.finance.summary import savings_by_year, year_position

K = calc.format_thousands


def money_section(ctx: SectionContext) -> dict | None:
    """The forecast outturn of the year the report's period falls in, the variance by line, and
    savings delivered against target. Money is not about people, so nothing is suppressed; the
    public version is the same."""
    org = ctx.organisation
    year = financial_year_of(ctx.period.start).label
    if not Budget.objects.filter(organisation=org, year=year).exists():
        return None
    pos = year_position(org, year, as_of=ctx.as_of)
    v = pos.variance
    paragraphs = [
        f"For {year} the approved budget is {K(pos.budget)} and the forecast outturn, as at "
        f"{ctx.as_of:%-d %B %Y}, is {K(pos.forecast)}: {v.describe(K)}. Spend to date is {K(pos.actual)}. "
        f"Financial RAG: {v.rag.value}.",
    ]
    if pos.without_forecast:
        n = pos.without_forecast
        paragraphs.append(f"{n} line{'s have' if n != 1 else ' has'} no forecast yet and "
                          f"{'are' if n != 1 else 'is'} counted at budget.")
    rows = []
    for p in pos.flat():
        rows.append([p.line.cost_code, "  " * p.depth + p.line.name, float(p.budget), float(p.forecast),
                     float(p.variance.amount), float(p.variance.percent) if p.variance.percent is not None else "",
                     p.variance.rag.value.title(), p.comment.text if p.comment else ""])
    rows.append(["", "Total", float(pos.budget), float(pos.forecast), float(v.amount),
                 float(v.percent) if v.percent is not None else "", v.rag.value.title(), ""])
    tables = [{"caption": f"Forecast outturn against budget by service line, {year} (£)",
               "headers": ["Cost code", "Service line", "Budget", "Forecast outturn", "Variance", "Variance %",
                           "RAG", "Latest commentary"], "rows": rows}]
    savings = savings_by_year(org)
    if savings:
        tables.append({"caption": "Savings programme: delivered to date against target (£)",
                       "headers": ["Year", "Target", "Delivered to date", "Delivered %", "Shortfall"],
                       "rows": [[s.year, float(s.target), float(s.delivered),
                                 float(s.position.percent) if s.position.percent is not None else "",
                                 float(s.position.shortfall)] for s in savings]})
        this = next((s for s in savings if s.year == year), None)
        if this:
            paragraphs.append(f"Savings of {K(this.target)} are planned for {year}; {K(this.delivered)} "
                              f"({this.position.percent}%) has been delivered so far.")
    explained = _cost_model_table(org, year)
    if explained:
        tables.append(explained)
    named = _scenario_part(org, year)
    if named:
        paragraphs.append(named[0])
        tables.append(named[1])
    return {"paragraphs": paragraphs, "tables": tables}


def _scenario_part(org, year: str) -> tuple[str, dict] | None:
    """The scenario the organisation's finance settings name for the report: its changes in
    words, and its modelled cost of the modelled lines by year beside the base case (the model
    with no changes) and the budget. Modelled cost is activity times a unit cost, so a small
    count could be worked back from it: the table is left out of the public version."""
    from carestat.finance import costmodel
    from carestat.finance.models import settings_for

    scenario = settings_for(org).report_scenario
    if scenario is None or scenario.is_archived:
        return None
    model = costmodel.build(org, year=year, scenarios=[scenario])
    if not model.rows:
        return None
    base, res = model.results
    words = "; ".join(res.words)
    effect = ", ".join(f"{'+' if e > 0 else ''}{K(e)} in {y}" for y, e in zip(model.years, res.effect, strict=True))
    paragraph = (f"The scenario this report names is ‘{scenario.name}’ ({words}). Against the base case it changes "
                 f"the modelled cost of the modelled lines by {effect}.")
    table = {"caption": f"Scenario ‘{scenario.name}’ beside the base case: modelled cost of the modelled lines by "
                        "year (£)",
             "headers": ["", *model.years],
             "rows": [["Budget", *[float(v) for v in model.budget_totals]],
                      ["Base case (no changes)", *[float(v) for v in base.totals]],
                      [scenario.name, *[float(v) for v in res.totals]],
                      ["Effect of the scenario", *[float(v) for v in res.effect]]],
             "restricted": True}
    return paragraph, table


def _cost_model_table(org, year: str) -> dict | None:
    """The modelled lines' variance split into volume and price, from the case data. It rests on
    counts of children and adults (and their hours of home care), so it is left out of the public
    version."""
    from carestat.finance import costmodel
    from carestat.finance.models import CostDriver

    if not CostDriver.objects.filter(organisation=org).exists():
        return None
    model = costmodel.build(org, year=year)
    if model.activity.problem:
        return None
    rows = [[r.driver.line.cost_code, r.driver.line.name + (" (hours a week; unit cost an hour)" if r.driver.is_hourly
                                                            else ""),
             r.volume if isinstance(r.volume, int) else float(r.volume), float(r.driver.budget_volume),
             float(pv.budget_unit_cost), float(pv.unit_cost), float(pv.volume_variance), float(pv.price_variance)]
            for r in model.rows if (pv := r.price_volume) is not None]
    if not rows:
        return None
    act = model.activity
    sources = []
    if act.as_at:
        sources.append(f"children looked after at {act.as_at:%-d %B %Y} (SSDA903)")
    if act.adults_as_at:
        sources.append(f"adults receiving long-term support at {act.adults_as_at:%-d %B %Y} (client level data)")
        if any(r.driver.is_hourly for r in model.rows):
            sources.append("their planned hours of home care a week (ASC-HOMECARE-HOURS)")
    return {"caption": f"What explains the modelled lines' variance in {year}: {' and '.join(sources)} against "
                       "the number the budget assumed (£)",
            "headers": ["Cost code", "Service line", "Activity now", "Budget assumed", "Budgeted unit cost",
                        "Unit cost now", "Volume variance", "Price variance"],
            "rows": rows, "restricted": True}


def risk_savings_panel(access, risk):
    """The savings whose delivery the risk threatens, on the risk's page."""
    from carestat.core.contributions import Panel, PanelItem
    from carestat.finance.summary import savings_for_risk

    rows = savings_for_risk(access.organisation, risk)
    items = tuple(PanelItem(f"{s.reference} {s.title}", f"/o/{access.organisation.slug}/finance/savings/{s.pk}/",
                            f"{s.get_status_display()}; target "
                            + ", ".join(f"{calc.format_money(t.target)} in {t.year}" for t in s.targets.all()))
                  for s in rows)
    return Panel("savings", "Savings at risk", items, empty="No savings in the programme are linked to this risk.")


def home_tiles(access, period) -> list[Tile]:
    org = access.organisation
    from django.utils import timezone

    year = financial_year_of(period.start if period else timezone.localdate()).label
    if not Budget.objects.filter(organisation=org, year=year).exists():
        return []
    pos = year_position(org, year)
    slug = org.slug
    tiles = [Tile(f"Forecast outturn {year}", K(pos.forecast), f"against a budget of {K(pos.budget)}: "
                  f"{pos.variance.describe(K)}",
                  f"/o/{slug}/finance/?year={year}", rag=pos.variance.rag.value, order=40)]
    this = next((s for s in savings_by_year(org) if s.year == year), None)
    if this:
        tiles.append(Tile(f"Savings delivered {year}", K(this.delivered), f"of a target of {K(this.target)}",
                          f"/o/{slug}/finance/savings/", order=41))
    return tiles
