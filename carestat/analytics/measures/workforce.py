"""Children's social work workforce census measures (CSWW-*), as the DfE computes them.

The census used is the latest one whose census date (30 September) falls in the period.
Interpretations of the census fields (docs/analytics/adults.md, "Workforce"):

* in post: non-agency worker records whose role started on or before the census date (or
  has no start date) and has not ended by it; FTE from ``FTE``;
* agency FTE and vacancies: the local authority totals (``NoAgencyFTE``,
  ``NumberOfVacancies``), as the DfE collects agency workers at that level;
* leavers: non-agency records whose role ended in the 12 months to the census date; FTE from
  ``FTE30`` where given (the census reports a leaver's ``FTE`` as 0), else ``FTE``;
* case holders: workers in post holding at least one case (``Cases30`` > 0).

FTE sums are exact decimals, converted to float only at the end, so DuckDB and Spark agree.
"""

from __future__ import annotations

import datetime as dt

import ibis

from carestat.analytics.measures.base import MeasureContext, measure

VERSION = "1.0"
WORKERS, LA = "csww_workers", "csww_la"


def _latest_census(ctx: MeasureContext, table):
    in_period = table.filter(table.census_date.between(ctx.period.start, ctx.period.end))
    return in_period.filter(in_period.census_date == in_period.census_date.max())


def _in_post(ctx: MeasureContext):
    w = _latest_census(ctx, ctx.tables[WORKERS])
    return w.filter(
        ~w.agency
        & (w.role_start_date.isnull() | (w.role_start_date <= w.census_date))
        & (w.role_end_date.isnull() | (w.role_end_date > w.census_date))
    )


def _fte_sum(expr):
    return ibis.coalesce(expr.sum(), ibis.literal(0).cast("decimal(18, 6)"))


def _la_totals(ctx: MeasureContext):
    la = _latest_census(ctx, ctx.tables[LA])
    return la.aggregate(vacancies=_fte_sum(la.vacancies_fte), agency=_fte_sum(la.agency_fte))


def _in_post_fte(ctx: MeasureContext):
    p = _in_post(ctx)
    return p.aggregate(in_post=_fte_sum(p.fte))


@measure("CSWW-AGENCY-RATE", unit="percent", version=VERSION, needs=(WORKERS, LA))
def agency_rate(ctx: MeasureContext, by: list[str]):
    """Agency FTE / (agency FTE + FTE in post) at the census date."""
    t = _la_totals(ctx).cross_join(_in_post_fte(ctx))
    return t.select(
        numerator=t.agency.cast("float64"),
        denominator=(t.agency + t.in_post).cast("float64"),
    )


@measure("CSWW-VACANCY-RATE", unit="percent", version=VERSION, needs=(WORKERS, LA))
def vacancy_rate(ctx: MeasureContext, by: list[str]):
    """Vacancy FTE / (vacancy FTE + FTE in post) at the census date."""
    t = _la_totals(ctx).cross_join(_in_post_fte(ctx))
    return t.select(
        numerator=t.vacancies.cast("float64"),
        denominator=(t.vacancies + t.in_post).cast("float64"),
    )


@measure("CSWW-TURNOVER-RATE", unit="percent", version=VERSION, needs=(WORKERS,))
def turnover_rate(ctx: MeasureContext, by: list[str]):
    """Leaver FTE in the 12 months to the census date / FTE in post at the census date."""
    w = _latest_census(ctx, ctx.tables[WORKERS])
    year_before = w.census_date - ibis.interval(years=1)
    leavers = w.filter(
        ~w.agency & (w.role_end_date > year_before) & (w.role_end_date <= w.census_date)
    )
    left = leavers.aggregate(leavers_fte=_fte_sum(ibis.coalesce(leavers.fte30, leavers.fte)))
    t = left.cross_join(_in_post_fte(ctx))
    return t.select(
        numerator=t.leavers_fte.cast("float64"), denominator=t.in_post.cast("float64")
    )


@measure("CSWW-CASELOAD", unit="cases_per_fte", version=VERSION, needs=(WORKERS,))
def caseload(ctx: MeasureContext, by: list[str]):
    """Cases held at the census date / FTE of the case-holding workers in post."""
    p = _in_post(ctx)
    holders = p.filter(p.cases30 > 0)
    return holders.aggregate(
        numerator=ibis.coalesce(holders.cases30.sum(), 0).cast("float64"),
        denominator=_fte_sum(holders.fte).cast("float64"),
    )


def census_period(census_date: dt.date):
    """The CareStat period a census belongs to: the financial year containing it."""
    from carestat.analytics.measures.base import Period
    from carestat.analytics.periods import financial_year_bounds, financial_year_label, financial_year_start

    start_year = financial_year_start(census_date)
    return Period(financial_year_label(start_year), *financial_year_bounds(start_year))
