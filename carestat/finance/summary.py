"""The financial position of each line and year, read from the database and judged by
carestat.analytics.finance. Pages, API, command line, report section and tiles all call these,
so they can never disagree.

A line's figures for a year are its own plus those of the lines below it. Its forecast outturn
is the one given for the latest month or quarter of the year (up to ``as_of``); a line with a
budget but no forecast yet is counted at its budget, and the summary says how many are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from carestat.analytics import finance as calc
from carestat.analytics.periods import parse_period
from carestat.finance.models import (
    Budget,
    PeriodFigure,
    SavingsProposal,
    SavingsTarget,
    SavingStatus,
    ServiceLine,
    VarianceComment,
    settings_for,
)

ZERO = Decimal("0.00")


@dataclass
class LinePosition:
    line: ServiceLine
    budget: Decimal
    forecast: Decimal
    actual: Decimal
    variance: calc.Variance
    forecast_as_at: str | None  # the period of the latest forecast; None when counted at budget
    without_forecast: int  # lines (this one or below) counted at budget for want of a forecast
    children: list[LinePosition] = field(default_factory=list)
    comment: VarianceComment | None = None

    @property
    def depth(self) -> int:
        return len(self.line.ancestors())


@dataclass
class YearPosition:
    year: str
    lines: list[LinePosition]  # top-level lines, each with its children
    budget: Decimal
    forecast: Decimal
    actual: Decimal
    variance: calc.Variance
    without_forecast: int

    def flat(self) -> list[LinePosition]:
        out = []

        def walk(nodes):
            for n in nodes:
                out.append(n)
                walk(n.children)

        walk(self.lines)
        return out


def year_position(org, year: str, *, as_of: dt.date | None = None, root: ServiceLine | None = None) -> YearPosition:
    """The position of every live line (or those under ``root``) in financial ``year``."""
    fy = parse_period(year)
    tol = settings_for(org).tolerances()
    lines = list(ServiceLine.objects.filter(organisation=org, is_archived=False).select_related("parent"))
    budgets = {b.line_id: b.amount for b in Budget.objects.filter(organisation=org, year=fy.label)}
    figures = PeriodFigure.objects.filter(organisation=org, period__start__gte=fy.start, period__end__lte=fy.end)
    if as_of is not None:
        figures = figures.filter(period__end__lte=as_of)
    actual: dict[int, Decimal] = {}
    latest: dict[int, tuple] = {}
    for f in figures.select_related("period").order_by("period__end", "period__start"):
        if f.actual is not None:
            actual[f.line_id] = actual.get(f.line_id, ZERO) + f.actual
        if f.forecast is not None:
            latest[f.line_id] = (f.forecast, f.period.identifier)
    comments = {}
    for c in VarianceComment.objects.filter(organisation=org, period__start__gte=fy.start,
                                            period__end__lte=fy.end).select_related("period", "created_by"):
        comments.setdefault(c.line_id, c)  # newest first (model ordering)
    children: dict[int | None, list[ServiceLine]] = {}
    for line in lines:
        children.setdefault(line.parent_id, []).append(line)

    def build(line: ServiceLine) -> LinePosition:
        kids = [build(c) for c in children.get(line.pk, [])]
        own_budget = budgets.get(line.pk)
        own_forecast, as_at = latest.get(line.pk, (None, None))
        missing = 0
        if own_forecast is None and own_budget is not None:
            missing = 1
        b = (own_budget or ZERO) + sum((k.budget for k in kids), ZERO)
        f = (own_forecast if own_forecast is not None else (own_budget or ZERO)) + sum((k.forecast for k in kids),
                                                                                        ZERO)
        a = actual.get(line.pk, ZERO) + sum((k.actual for k in kids), ZERO)
        return LinePosition(line, b, f, a, calc.variance(b, f, tol), as_at,
                            missing + sum(k.without_forecast for k in kids), kids, comments.get(line.pk))

    tops = [build(root)] if root is not None else [build(line) for line in children.get(None, [])]
    b = sum((p.budget for p in tops), ZERO)
    f = sum((p.forecast for p in tops), ZERO)
    a = sum((p.actual for p in tops), ZERO)
    return YearPosition(fy.label, tops, b, f, a, calc.variance(b, f, tol), sum(p.without_forecast for p in tops))


def budget_years(org) -> list[str]:
    return sorted(set(Budget.objects.filter(organisation=org).values_list("year", flat=True)))


@dataclass
class SavingsYear:
    year: str
    target: Decimal
    delivered: Decimal
    position: calc.SavingsPosition
    by_status: dict[str, Decimal]  # target by status label


def savings_by_year(org) -> list[SavingsYear]:
    """Target and delivered to date of the live savings programme, per year (written-off
    savings keep their target, so the shortfall shows)."""
    rows: dict[str, SavingsYear] = {}
    labels = dict(SavingStatus.choices)
    for t in SavingsTarget.objects.filter(organisation=org, proposal__is_archived=False).select_related("proposal"):
        y = rows.setdefault(t.year, SavingsYear(t.year, ZERO, ZERO, calc.savings_position(0, 0), {}))
        y.target += t.target
        y.delivered += t.delivered
        label = labels[t.proposal.status]
        y.by_status[label] = y.by_status.get(label, ZERO) + t.target
    for y in rows.values():
        y.position = calc.savings_position(y.target, y.delivered)
    return [rows[k] for k in sorted(rows)]


def savings_rows(org):
    """Every live saving with its targets, for the tracker."""
    return (SavingsProposal.objects.filter(organisation=org, is_archived=False)
            .select_related("owner", "line", "risk", "action__objective__priority__plan").prefetch_related("targets"))


def savings_for_risk(org, risk):
    """The live savings linked to ``risk``: what the risk page shows."""
    return savings_rows(org).filter(risk=risk)


def current_year(today: dt.date) -> str:
    from carestat.analytics.periods import financial_year_of

    return financial_year_of(today).label


def plan_years(org) -> list[str]:
    """The years of the latest medium-term plan, and any other year with budgets."""
    from carestat.finance.models import MediumTermPlan

    mtp = MediumTermPlan.objects.filter(organisation=org, is_archived=False).order_by("-first_year").first()
    return sorted(set(budget_years(org)) | set(mtp.year_labels if mtp else []))
