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
    return {"paragraphs": paragraphs, "tables": tables}


def _cost_model_table(org, year: str) -> dict | None:
    """The modelled lines' variance split into volume and price, from the case data. It rests on
    counts of children, so it is left out of the public version."""
    from carestat.finance import costmodel
    from carestat.finance.models import CostDriver

    if not CostDriver.objects.filter(organisation=org).exists():
        return None
    model = costmodel.build(org, year=year)
    if model.activity.problem:
        return None
    rows = [[r.driver.line.cost_code, r.driver.line.name, r.volume, float(r.driver.budget_volume),
             float(pv.budget_unit_cost), float(pv.unit_cost), float(pv.volume_variance), float(pv.price_variance)]
            for r in model.rows if (pv := r.price_volume) is not None]
    if not rows:
        return None
    return {"caption": f"What explains the modelled lines' variance in {year}: children looked after at "
                       f"{model.activity.as_at:%-d %B %Y} (SSDA903) against the number the budget assumed (£)",
            "headers": ["Cost code", "Service line", "Children now", "Budget assumed", "Budgeted unit cost",
                        "Unit cost now", "Volume variance", "Price variance"],
            "rows": rows, "restricted": True}


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
