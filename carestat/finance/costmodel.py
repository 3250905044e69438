"""The cost model ("dynamic model") of an organisation, read from its drivers, budgets and case
data, computed by carestat.analytics.finance.

Activity is the number of children looked after in each placement group at the end of the latest
financial year the current SSDA903 returns cover, counted from the analytics store exactly as the
measure LAC-COUNT counts them; and the number of adults receiving long-term support in each
setting (residential, nursing, community) at the end of the latest financial year the current
client level data covers, counted as the ASCOF measures count them; and the planned hours of home
care a week at that year end, as the measure ASC-HOMECARE-HOURS sums them. The store is opened
read-only (docs/decisions/0013), so a page can ask while the worker is idle; during a load it
says so rather than waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from carestat.analytics import finance as calc
from carestat.analytics.periods import financial_year_of
from carestat.core.errors import Busy
from carestat.finance.models import Budget, CostDriver, Scenario
from carestat.finance.summary import plan_years

ZERO = Decimal("0.00")


CHILDREN = {g.value for g in calc.PlacementGroup}
ADULTS = {s.value for s in calc.AdultSetting}


@dataclass
class Activity:
    # activity source -> children or adults; for hours of home care, hours a week (a Decimal)
    counts: dict[str, int | Decimal] = field(default_factory=dict)
    as_at: dt.date | None = None  # the SSDA903 year end the children's counts are for
    year: str | None = None  # the financial year whose end it counts, as LAC-COUNT's period
    problem: str = ""  # no activity at all
    adults_as_at: dt.date | None = None  # the CLD year end the adults' counts are for
    adults_year: str | None = None  # as the ASCOF measures' period
    notes: list[str] = field(default_factory=list)  # one of the two sources missing
    homecare_people: int = 0  # the people the hours of home care are planned for

    @property
    def homecare_hours(self) -> Decimal | None:
        hours = self.counts.get(calc.HOME_CARE_HOURS)
        return None if hours is None else Decimal(hours)

    @property
    def homecare_words(self) -> str:
        """The hours of home care as the cost model page and the summary command say them."""
        from carestat.analytics.words import count_of

        if not self.homecare_people:
            return ("No planned hours of home care are recorded in the client level data (it needs the fields "
                    "Cost Frequency (Unit Type) and Planned units per week), so hours of home care have no activity.")
        return (f"{self.homecare_hours:,.2f} planned hours of home care a week on {self.adults_as_at:%-d %B %Y} for "
                f"{count_of(self.homecare_people, 'adult')} with long-term support in the community, summed as the "
                f"measure ASC-HOMECARE-HOURS sums them for {self.adults_year}.")

    @property
    def children(self) -> int:
        return sum(int(n) for k, n in self.counts.items() if k in CHILDREN)

    @property
    def adults(self) -> dict[str, int]:
        return {k: int(n) for k, n in self.counts.items() if k in ADULTS}


def cld_year(org) -> str | None:
    """The latest financial year the current CLD submissions cover from 1 April to 31 March:
    the latest year the ASCOF measures are computed for."""
    from carestat.casedata.services import periods_by_format

    years = periods_by_format(org).get("cld", [])
    return years[-1] if years else None


def activity(org) -> Activity:
    """Children looked after by placement group at the latest SSDA903 year end, and adults
    receiving long-term support by setting at the end of the latest year the client level data
    covers, read-only."""
    from carestat.analytics.periods import parse_period
    from carestat.casedata import stores

    adults_year = cld_year(org)
    try:
        with stores.reading(org) as store:
            if store is None:
                return Activity(problem="No case data has been loaded yet, so the model has no activity.")
            out = Activity()
            current = [s for s in store.submissions("ssda903") if s["status"] == "current"]
            if current:
                end = max(s["period_end"] for s in current)
                counts = calc.looked_after_by_placement(store, end)
                out.counts.update({g.value: n for g, n in counts.items()})
                out.as_at, out.year = end, financial_year_of(end).label
            else:
                out.notes.append("No SSDA903 return has been loaded, so children's lines have no activity.")
            if adults_year:
                period = parse_period(adults_year)
                tables = store.current_tables()
                counts = calc.adults_by_setting(tables, store.backend, period)
                out.counts.update({s.value: n for s, n in counts.items()})
                homecare = calc.home_care_hours(tables, store.backend, period)
                out.counts[calc.HOME_CARE_HOURS] = homecare.hours
                out.homecare_people = homecare.people
                out.adults_as_at, out.adults_year = period.end, adults_year
            else:
                out.notes.append("No adults' client level data covering a whole financial year has been loaded, "
                                 "so adults' lines have no activity.")
    except Busy as exc:
        return Activity(problem=exc.message)
    if not current and not adults_year:
        return Activity(problem="No SSDA903 return or adults' client level data has been loaded, so the model "
                                "has no activity.")
    return out


@dataclass
class DriverRow:
    driver: CostDriver
    volume: int | Decimal  # children or adults; hours a week for hours of home care
    baseline: list[calc.YearCost]
    budgets: dict[str, Decimal]
    price_volume: calc.PriceVolume | None  # for the model's chosen year

    def cost_in(self, year: str) -> calc.YearCost | None:
        """The modelled cost for ``year``, or None when the model does not reach it."""
        return next((c for c in self.baseline if c.year == year), None)


@dataclass
class ScenarioResult:
    scenario: Scenario | None  # None: the baseline
    totals: list[Decimal]  # per year
    effect: list[Decimal]  # against the baseline, per year
    words: list[str]


@dataclass
class CostModel:
    years: list[str]
    year: str
    activity: Activity
    rows: list[DriverRow]
    budget_totals: list[Decimal]
    results: list[ScenarioResult]  # baseline first

    @property
    def baseline(self) -> ScenarioResult:
        return self.results[0]


def build(org, *, year: str, scenarios: list[Scenario] | None = None, act: Activity | None = None) -> CostModel:
    """The model over the medium-term plan's years, with ``scenarios`` (default: every saved one)."""
    from carestat.finance.services import describe_changes

    # the model projects today's activity, so it speaks for the chosen year and those after it
    years = [y for y in plan_years(org) if y >= year] or [year]
    act = act if act is not None else activity(org)
    drivers = list(CostDriver.objects.filter(organisation=org).select_related("line").order_by("line__cost_code"))
    budgets: dict[tuple[int, str], Decimal] = {
        (b.line_id, b.year): b.amount
        for b in Budget.objects.filter(organisation=org, line__in=[d.line for d in drivers])}
    rows = []
    for d in drivers:
        volume = act.counts.get(d.activity, 0)
        model = d.driver(volume)
        base = calc.project(model, years)
        mine = {y: budgets[(d.line_id, y)] for y in years if (d.line_id, y) in budgets}
        pv = None
        if year in mine and d.budget_volume:
            pv = calc.price_volume(mine[year], d.budget_volume, volume, calc.unit_cost_in(model, year),
                                   per_year=d.per_year)
        rows.append(DriverRow(d, volume, base, mine, pv))
    budget_totals = [sum((r.budgets.get(y, ZERO) for r in rows), ZERO) for y in years]
    base_totals = [sum((r.baseline[i].cost for r in rows), ZERO) for i in range(len(years))]
    results = [ScenarioResult(None, base_totals, [ZERO] * len(years), [])]
    if scenarios is None:
        scenarios = list(Scenario.objects.filter(organisation=org, is_archived=False))
    activities = {d.line.cost_code: d.activity for d in drivers}
    for s in scenarios:
        changes = s.as_changes()
        totals = [sum((calc.project(r.driver.driver(r.volume), [y], changes)[0].cost for r in rows), ZERO)
                  for y in years]
        results.append(ScenarioResult(s, totals, [t - b for t, b in zip(totals, base_totals, strict=True)],
                                      describe_changes(org, s.changes, activities)))
    return CostModel(years, year, act, rows, budget_totals, results)


def home_care(org, *, year: str) -> tuple[Activity, list[DriverRow]] | None:
    """The lines costed in hours of home care, with the activity they are costed from, for the
    year; None when no line is (most children's services). What the summary command shows of
    the cost model, as its page shows it."""
    if not CostDriver.objects.filter(organisation=org, activity=calc.HOME_CARE_HOURS).exists():
        return None
    model = build(org, year=year, scenarios=[])
    return model.activity, [r for r in model.rows if r.driver.is_hourly]


def as_json(model: CostModel) -> dict:
    return {
        "years": model.years, "year": model.year,
        "activity": {"counts": {k: str(v) if isinstance(v, Decimal) else v
                                for k, v in model.activity.counts.items()},
                     "homecare_people": model.activity.homecare_people, "as_at": model.activity.as_at.isoformat()
                     if model.activity.as_at else None, "measure_period": model.activity.year,
                     "adults_as_at": model.activity.adults_as_at.isoformat() if model.activity.adults_as_at
                     else None, "adults_measure_period": model.activity.adults_year,
                     "problem": model.activity.problem or None, "notes": model.activity.notes},
        "budget": [str(v) for v in model.budget_totals],
        "lines": [{"cost_code": r.driver.line.cost_code, "name": r.driver.line.name, "activity": r.driver.activity,
                   "volume": str(r.volume) if isinstance(r.volume, Decimal) else r.volume,
                   "unit_cost": str(r.driver.unit_cost), "unit_cost_per": "hour" if r.driver.is_hourly else "year",
                   "base_year": r.driver.base_year,
                   "inflation_percent": str(r.driver.inflation_percent),
                   "forecast": {c.year: str(c.cost) for c in r.baseline},
                   "budget": {y: str(v) for y, v in r.budgets.items()},
                   "price_volume": None if r.price_volume is None else {
                       "year": model.year, "budget_volume": str(r.price_volume.budget_volume),
                       "budget_unit_cost": str(r.price_volume.budget_unit_cost),
                       "volume_variance": str(r.price_volume.volume_variance),
                       "price_variance": str(r.price_volume.price_variance),
                       "variance": str(r.price_volume.variance)}}
                  for r in model.rows],
        "report_scenario": _report_scenario(model),
        "scenarios": [{"name": res.scenario.name if res.scenario else "Baseline",
                       "id": res.scenario.pk if res.scenario else None, "changes": res.words,
                       "totals": [str(v) for v in res.totals], "effect": [str(v) for v in res.effect]}
                      for res in model.results],
    }


def _report_scenario(model: CostModel) -> str | None:
    from carestat.finance.models import settings_for

    org = next((r.driver.organisation for r in model.rows), None)
    if org is None:
        return None
    scenario = settings_for(org).report_scenario
    return scenario.name if scenario else None
