"""What future need adds to the committee report ("Future need") and to the home page."""

from __future__ import annotations

from decimal import Decimal

from carestat.analytics import finance as money_calc
from carestat.analytics.judgements.suppression import publish_count
from carestat.core.contributions import SectionContext, Tile
from carestat.demand import selectors
from carestat.demand.models import ProjectionKind

K = money_calc.format_thousands


def _people(v) -> str:
    return f"{float(v):,.0f}"


def _public(v):
    """A projected number of children as the public version shows it: 1 to 4 as "fewer than 5"."""
    n = int(round(float(v)))
    shown = publish_count(n)
    return n if shown.value is not None else shown.display


def _adults_years(years: list[int]) -> list[int]:
    """The first year, every fifth after it, and the last: a committee table, not a data dump."""
    picked = [y for i, y in enumerate(years) if i % 5 == 0]
    return picked if picked[-1] == years[-1] else [*picked, years[-1]]


def future_need_section(ctx: SectionContext) -> dict | None:
    """The latest adults' and children's projections, the scenario named for the report, and the
    children's model's backtest error. Projected numbers of children are shown to the public
    with 1 to 4 as "fewer than 5"; the projected need of adults is of thousands, shown as it is."""
    org = ctx.organisation
    adults = selectors.latest(org, ProjectionKind.ADULTS)
    children = selectors.latest(org, ProjectionKind.CHILDREN, baseline=True)
    if adults is None and children is None:
        return None
    paragraphs, tables, charts = [], [], []
    if adults is not None:
        r = adults.result
        years = r["years"]
        show = _adults_years(years)
        idx = [years.index(y) for y in show]
        rows = []
        for n in r["needs"]:
            first, last = n["people"][0], n["people"][-1]
            change = f"{(last - first) / first * 100:+.0f}%" if first else "n/a"
            words = f"{n['name']}: {_people(first)} people in {years[0]}, {_people(last)} by {years[-1]} ({change})"
            if n.get("users"):
                words += f"; long-term support for it rises from {_people(n['users'][0])} to {_people(n['users'][-1])}"
            if n.get("cost"):
                words += f", costing {K(n['cost'][-1])} a year by {years[-1]}"
            paragraphs.append(words + ".")
            rows.append([n["name"], *[round(n["people"][i]) for i in idx]])
        paragraphs.insert(0, f"Adults' needs are projected from {adults.assumptions.get('population', 'population')} "
                          "and published prevalence rates (see the sources on the model's assumptions page).")
        tables.append({"caption": "People projected to have each need (population × prevalence)",
                       "headers": ["Need", *[str(y) for y in show]], "rows": rows})
        # Whole pounds, as the money section shows them: pence in a thirty-year projection are noise.
        cost_rows = [[n["name"], *[int(Decimal(n["cost"][i]).quantize(Decimal(1))) for i in idx]]
                     for n in r["needs"] if n.get("cost")]
        if cost_rows:
            tables.append({"caption": "Projected cost of long-term support for each need (£)",
                           "headers": ["Need", *[str(y) for y in show]], "rows": cost_rows})
    if children is not None:
        r = children.result
        ends = r["year_ends"]
        paragraphs.append(
            f"Children in care are projected from {r['start_total']:,.0f} on {r['as_at']} to "
            f"{r['total'][-1]:,.0f} by {ends[-1]}"
            + (f" (95% interval {r['lower']['total'][-1]:,.0f} to {r['upper']['total'][-1]:,.0f})" if r.get("lower")
               else "")
            + (f"; placements cost {K(r['cost'][-1])} in {r['cost_years'][-1]}" if r.get("cost") else "") + ".")
        headers = ["Placement", "Now", *[f"Year to {e}" for e in ends]]
        rows, public = [], []
        for key, name in zip(r["placements"], r["placement_names"], strict=True):
            values = [r["start"][key], *r["projection"][key]]
            rows.append([name, *[round(v, 1) for v in values]])
            public.append([name, *[_public(v) for v in values]])
        totals = [r["start_total"], *r["total"]]
        rows.append(["Total", *[round(v, 1) for v in totals]])
        public.append(["Total", *[_public(v) for v in totals]])
        tables.append({"caption": "Children in care by placement, now and projected at each year end",
                       "headers": headers, "rows": rows, "public_rows": public})
        from carestat.demand.charts import by_year_chart

        chart = by_year_chart(ends, [(n, r["projection"][k]) for k, n in zip(r["placements"], r["placement_names"],
                                                                            strict=True)],
                              "Children in care by placement, projected at each year end")
        charts.append({"svg": chart.svg, "caption": chart.table.caption, "summary": chart.table.summary})
    named = selectors.reported_scenario(org)
    if named is not None and children is not None:
        years, compared = selectors.compare(org)
        row = next((c for c in compared if c.name == named.name), None)
        if row is not None:
            paragraphs.append(f"Scenario ‘{named.name}’ ({'; '.join(row.changes)}) changes the number in care by "
                              f"{row.effect[-1]:+,.0f} by {years[-1]}"
                              + (f", costing {K(row.cost[-1])} against {K(compared[0].cost[-1])}"
                                 if row.cost and compared[0].cost else "") + ".")
            tables.append({"caption": f"Scenario ‘{named.name}’ against the baseline: children in care at "
                                      "each year end",
                           "headers": ["", *[f"Year to {e}" for e in years]],
                           "rows": [["Baseline", *[round(v, 1) for v in compared[0].totals]],
                                    [named.name, *[round(v, 1) for v in row.totals]],
                                    ["Difference", *[round(v, 1) for v in row.effect]]],
                           "public_rows": [["Baseline", *[_public(v) for v in compared[0].totals]],
                                           [named.name, *[_public(v) for v in row.totals]]]})
    bt = selectors.latest(org, ProjectionKind.BACKTEST)
    if bt is not None:
        mape = bt.result["mape"]
        total = mape.get("total")
        paragraphs.append(f"How good the children's model has been: run on the returns known on {bt.result['as_at']}, "
                          f"its projection of the number in care was out by {total}% on average (mean absolute "
                          "percentage error) against what the later returns showed." if total is not None else
                          "The children's model's backtest had no children in care to compare with.")
        tables.append({"caption": "Backtest error of the children's model by placement (mean absolute % error)",
                       "headers": ["Placement", "Error %"],
                       "rows": [[k.replace("_", " ").capitalize(), v if v is not None else "no children"]
                                for k, v in mape.items()]})
    return {"paragraphs": paragraphs, "tables": tables, "charts": charts}


def home_tiles(access, period) -> list[Tile]:
    org = access.organisation
    slug = org.slug
    tiles = []
    children = selectors.latest(org, ProjectionKind.CHILDREN, baseline=True)
    if children is not None:
        r = children.result
        tiles.append(Tile(f"Children in care by {r['year_ends'][-1]}", _people(r["total"][-1]),
                          f"projected from {_people(r['start_total'])} now", f"/o/{slug}/demand/", order=60))
    adults = selectors.latest(org, ProjectionKind.ADULTS)
    if adults is not None and adults.result["needs"]:
        n = adults.result["needs"][0]
        y = adults.result["years"]
        tiles.append(Tile(f"{n['name']} by {y[-1]}", _people(n["people"][-1]),
                          f"projected from {_people(n['people'][0])} in {y[0]}", f"/o/{slug}/demand/", order=61))
    return tiles
