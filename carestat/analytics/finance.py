"""Money arithmetic: variance of forecast outturn against budget, and its financial RAG.

Plain Python with no Django import, so the pages, the API, the command line and the report all
judge a budget the same way. All amounts are ``Decimal``; floats are converted through ``str``
so 0.1 stays 0.1.

Conventions (what a council finance report says):

- variance = forecast outturn − budget. Positive is an overspend, negative an underspend.
- variance % = variance ÷ budget × 100, rounded half up to one decimal place; there is no
  percentage when the budget is zero (an overspend on a zero budget is red whatever its size).
- RAG, with the organisation's tolerances as percentages of the budget:
  an underspend, or an overspend of no more than ``amber_from`` %, is green;
  an overspend above ``amber_from`` % and no more than ``red_from`` % is amber;
  above ``red_from`` % is red. The edges belong to the kinder colour, so with tolerances 1 and
  3 an overspend of exactly 3% is amber. An underspend is never red: the money is not lost,
  although the commentary should say why it was not spent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import overload

Number = Decimal | int | float | str

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


class FinanceRag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Tolerances:
    """Overspend, as a percentage of budget, from which a line turns amber, and then red."""

    amber_from: Decimal = Decimal("1")
    red_from: Decimal = Decimal("3")

    def __post_init__(self):
        if self.amber_from < 0 or self.red_from < self.amber_from:
            raise ValueError("tolerances must satisfy 0 <= amber_from <= red_from")


DEFAULT_TOLERANCES = Tolerances()


@overload
def money(value: Number) -> Decimal: ...


@overload
def money(value: None) -> None: ...


def money(value: Number | None) -> Decimal | None:
    """``value`` as Decimal pounds and pence (None stays None)."""
    if value is None:
        return None
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Variance:
    budget: Decimal
    forecast: Decimal
    amount: Decimal  # forecast - budget; positive is an overspend
    percent: Decimal | None  # of budget, one decimal place; None when the budget is zero
    rag: FinanceRag

    @property
    def words(self) -> str:
        """"£120,000.00 overspend (2.4%)", "on budget" or "£5,000.00 underspend (0.5%)"."""
        return self.describe(format_money)

    def describe(self, show) -> str:
        """As ``words``, with amounts shown by ``show`` (e.g. ``format_thousands``)."""
        if self.amount == 0:
            return "on budget"
        kind = "overspend" if self.amount > 0 else "underspend"
        pct = f" ({abs(self.percent)}%)" if self.percent is not None else ""
        return f"{show(abs(self.amount))} {kind}{pct}"


def variance(budget: Number, forecast: Number, tolerances: Tolerances = DEFAULT_TOLERANCES) -> Variance:
    """The variance of ``forecast`` outturn against ``budget``, with its RAG."""
    b, f = money(budget), money(forecast)
    amount = f - b
    percent = None if b == 0 else (amount / b * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    return Variance(b, f, amount, percent, rate(b, amount, tolerances))


def rate(budget: Decimal, amount: Decimal, tolerances: Tolerances = DEFAULT_TOLERANCES) -> FinanceRag:
    """The RAG of an overspend ``amount`` on ``budget`` (see the module's rules).

    Compared exactly (amount × 100 against tolerance × budget), not on the rounded percentage,
    so an overspend of 3.04% is red with a red tolerance of 3."""
    if amount <= 0:
        return FinanceRag.GREEN
    if budget <= 0:
        return FinanceRag.RED
    if amount * 100 <= tolerances.amber_from * budget:
        return FinanceRag.GREEN
    if amount * 100 <= tolerances.red_from * budget:
        return FinanceRag.AMBER
    return FinanceRag.RED


def total(values: Iterable[Number | None]) -> Decimal:
    """The sum of the amounts given, blanks counting as nothing."""
    return sum((money(v) for v in values if v is not None), Decimal("0.00"))


def format_money(value: Number | None) -> str:
    """"£1,234.50"; "-£1,234.50" for a negative amount; "" for none."""
    if value is None:
        return ""
    v = money(value)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.2f}"


def format_thousands(value: Number | None) -> str:
    """"£1,235k": how a committee table shows money (rounded half up to the nearest thousand)."""
    if value is None:
        return ""
    v = (money(value) / 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,}k"


@dataclass(frozen=True)
class SavingsPosition:
    target: Decimal
    delivered: Decimal
    percent: Decimal | None  # delivered as a percentage of target, one decimal place
    shortfall: Decimal  # target not yet delivered (never negative)


def savings_position(target: Number, delivered: Number) -> SavingsPosition:
    """How much of a savings target has been delivered."""
    t, d = money(target), money(delivered)
    percent = None if t == 0 else (d / t * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    return SavingsPosition(t, d, percent, max(t - d, Decimal("0.00")))


# The cost model ("dynamic model"): activity x unit cost --------------------------------------------

class PlacementGroup(StrEnum):
    """Groups of SSDA903 placement types (PLACE) that a budget line pays for."""

    RESIDENTIAL = "residential"
    FOSTERING = "fostering"
    SUPPORTED = "supported"
    WITH_PARENTS = "with_parents"
    ADOPTION = "adoption"
    OTHER = "other"


PLACEMENT_CODES: dict[PlacementGroup, tuple[str, ...]] = {
    # children's homes, secure homes, residential care and schools, NHS and young offender institutions
    PlacementGroup.RESIDENTIAL: ("K1", "K2", "R1", "R2", "R3", "R5", "S1"),
    PlacementGroup.FOSTERING: ("U1", "U2", "U3", "U4", "U5", "U6"),
    PlacementGroup.SUPPORTED: ("H5", "P2", "P3"),  # semi-independent and independent living
    PlacementGroup.WITH_PARENTS: ("P1",),
    PlacementGroup.ADOPTION: ("A3", "A4", "A5", "A6"),
}
_GROUP_OF = {code: group for group, codes in PLACEMENT_CODES.items() for code in codes}


def placement_group(code: str | None) -> PlacementGroup:
    return _GROUP_OF.get((code or "").strip().upper(), PlacementGroup.OTHER)


def looked_after_by_placement(store, period_end) -> dict[PlacementGroup, int]:
    """Children looked after on ``period_end``, by the placement group of their open episode.

    The children counted are exactly those LAC-COUNT counts (carestat.analytics.measures.children:
    an episode open at the period's end, short breaks left out), read from the store's current,
    de-duplicated tables; a child with two open episodes is counted once, in the placement of the
    later one. Runs on the store's Ibis backend, so DuckDB and Spark give the same counts."""
    import ibis

    from carestat.analytics.measures.children import SHORT_BREAKS

    tables = store.current_tables()
    out = {g: 0 for g in PlacementGroup}
    if "lac_episodes" not in tables:
        return out
    e = tables["lac_episodes"]
    end = ibis.literal(period_end, type="date")
    open_ = e.filter((e.decom <= end) & (e.dec.isnull() | (e.dec > end)))
    open_ = open_.filter(~open_.ls.isin(SHORT_BREAKS))
    per_child = open_.group_by("child_key").aggregate(place=open_.place.argmax(open_.decom))
    counts = per_child.group_by("place").aggregate(n=per_child.count())
    for row in store.backend.to_pyarrow(counts).to_pylist():
        out[placement_group(row["place"])] += int(row["n"])
    return out


class AdultSetting(StrEnum):
    """Settings of adults' long-term support (CLD service types) that a budget line pays for."""

    RESIDENTIAL = "adults_residential"
    NURSING = "adults_nursing"
    COMMUNITY = "adults_community"


ADULT_SERVICE_TYPES: dict[AdultSetting, str] = {
    AdultSetting.RESIDENTIAL: "Long term support: Residential care",
    AdultSetting.NURSING: "Long term support: Nursing care",
    AdultSetting.COMMUNITY: "Long term support: Community",
}


def adults_by_setting(tables, backend, period) -> dict[AdultSetting, int]:
    """Adults receiving long-term support on the last day of ``period`` (a financial year), by
    setting, from the client level data.

    The people counted are those ASCOF's long-term support measures count
    (carestat.analytics.measures.adults): the DHSC joined-submissions main table over the year,
    the 12 months before and 3 after; service users aged 18 or over at the year end; a service
    of that type active on the year's last day; each person once per setting. So the community
    count is ASCOF-3D's denominator. A person with support in two settings on the same day (a
    move from home to a care home) is counted in each. Runs on the store's Ibis backend."""
    from carestat.analytics.measures import adults

    out = {s: 0 for s in AdultSetting}
    if adults.TABLE not in tables:
        return out
    m = adults.cld_main_table(tables[adults.TABLE], start=adults._add_months(period.start, -12),
                              end=adults._add_months(period.end, 3))
    lts = m.filter(m.service_type.isin(list(ADULT_SERVICE_TYPES.values())) & adults._active(m, period.end, period.end)
                   & adults._service_users(m))
    people = lts.group_by(["service_type", "person_key"]).aggregate(birth_ym=lts.birth_ym.max())
    people = people.filter(adults._age_band(adults._age_at(people.birth_ym, period.end)) != "under 18")
    counts = people.group_by("service_type").aggregate(n=people.count())
    setting_of = {v: k for k, v in ADULT_SERVICE_TYPES.items()}
    for row in backend.to_pyarrow(counts).to_pylist():
        out[setting_of[row["service_type"]]] += int(row["n"])
    return out


HOME_CARE_HOURS = "homecare_hours"  # the cost model's activity: planned hours of home care a week
# A weekly figure over a year: 365 days of 7 (52 1/7 weeks), as councils' home-care budgets
# count a year (52.14 weeks) rather than 52 weeks, which would leave a day out.
WEEKS_A_YEAR = Decimal(365) / Decimal(7)


def volume_unit(activity: str, amount: Decimal) -> str:
    """The unit a change of ``amount`` in a line's volume counts, for saying it in words: hours
    a week for hours of home care; none for children or adults, where "2 fewer on CS110" reads
    right because the line is a count of people."""
    from carestat.analytics.words import plural

    return f"{plural(amount, 'hour')} a week" if activity == HOME_CARE_HOURS else ""


@dataclass(frozen=True)
class HomeCareHours:
    hours: Decimal  # planned hours a week, to two decimal places
    people: int


def home_care_hours(tables, backend, period) -> HomeCareHours:
    """Planned hours a week of home care at the end of ``period`` (a financial year) and the
    people receiving them, exactly as the measure ASC-HOMECARE-HOURS computes them (the same
    main table over the same window and ``adults.home_care_people``). Runs on the store's
    Ibis backend."""
    from carestat.analytics.measures import adults

    if adults.TABLE not in tables or "planned_units_per_week" not in tables[adults.TABLE].columns:
        return HomeCareHours(Decimal("0.00"), 0)
    m = adults.cld_main_table(tables[adults.TABLE], start=adults._add_months(period.start, -12),
                              end=adults._add_months(period.end, 3))
    people = adults.home_care_people(m, period.end)
    totals = people.aggregate(hours=people.hours.sum().round(2), people=people.count())
    row = backend.to_pyarrow(totals).to_pylist()[0]
    hours = Decimal(str(row["hours"] or 0)).quantize(PENNY, rounding=ROUND_HALF_UP)
    return HomeCareHours(hours, int(row["people"] or 0))


def _fy_start(year: str) -> int:
    return int(year[:4])


@dataclass(frozen=True)
class Driver:
    """One budget line's cost driver: ``volume`` units (children placed now) at ``unit_cost`` a
    year each in ``base_year``, rising by ``inflation`` percent a year; the budget assumed
    ``budget_volume`` units. With ``per_year`` the volume is a rate (hours a week) and the unit
    cost is per unit of it (an hour): a year costs volume x per_year x unit cost."""

    key: str
    volume: Decimal
    unit_cost: Decimal
    base_year: str
    inflation: Decimal = Decimal("0")
    budget_volume: Decimal | None = None
    # units of unit cost in a year for each unit of volume: 1 for a placement's cost a year;
    # WEEKS_A_YEAR for hours a week at a cost an hour
    per_year: Decimal = Decimal(1)


class ChangeKind(StrEnum):
    VOLUME = "volume"  # add ``amount`` units (negative: fewer) from ``start``
    UNIT_COST = "unit_cost"  # change the unit cost by ``amount`` percent from ``start``
    INFLATION = "inflation"  # use ``amount`` percent a year instead of the driver's inflation


@dataclass(frozen=True)
class Change:
    key: str
    kind: ChangeKind
    amount: Decimal
    start: str = ""  # a quarter such as 2026-27-Q3 (volume and unit cost changes)


def share_of_year(year: str, start: str) -> Decimal:
    """How much of financial ``year`` a change from quarter ``start`` covers: none before its
    year, the quarters from ``start`` on in its year (Q3: 2 of 4), all of every later year."""
    if not start:
        return Decimal(1)
    start_year, quarter = _fy_start(start), int(start[-1])
    y = _fy_start(year)
    if y < start_year:
        return Decimal(0)
    if y > start_year:
        return Decimal(1)
    return Decimal(5 - quarter) / 4


def unit_cost_in(driver: Driver, year: str, inflation: Decimal | None = None) -> Decimal:
    """The driver's unit cost in ``year``: compounded by inflation from its base year (not
    deflated before it)."""
    rate = driver.inflation if inflation is None else inflation
    n = max(0, _fy_start(year) - _fy_start(driver.base_year))
    return driver.unit_cost * (1 + Decimal(rate) / 100) ** n


@dataclass(frozen=True)
class YearCost:
    year: str
    volume: Decimal  # average units over the year
    unit_cost: Decimal
    cost: Decimal


def project(driver: Driver, years: list[str], changes: Sequence[Change] = ()) -> list[YearCost]:
    """The driver's cost in each of ``years``, with a scenario's ``changes`` applied."""
    mine = [c for c in changes if c.key == driver.key]
    inflation = next((c.amount for c in reversed(mine) if c.kind == ChangeKind.INFLATION), None)
    out = []
    for year in years:
        volume = driver.volume + sum((c.amount * share_of_year(year, c.start) for c in mine
                                      if c.kind == ChangeKind.VOLUME), Decimal(0))
        cost_each = unit_cost_in(driver, year, inflation)
        for c in mine:
            if c.kind == ChangeKind.UNIT_COST:
                cost_each *= 1 + c.amount / 100 * share_of_year(year, c.start)
        volume = max(volume, Decimal(0))
        out.append(YearCost(year, volume, money(cost_each), money(volume * driver.per_year * cost_each)))
    return out


@dataclass(frozen=True)
class PriceVolume:
    """A forecast explained against budget: volume variance at the budgeted unit cost, price
    variance on the actual volume; together they are the whole variance."""

    budget: Decimal
    budget_volume: Decimal
    budget_unit_cost: Decimal
    volume: Decimal
    unit_cost: Decimal
    forecast: Decimal
    volume_variance: Decimal
    price_variance: Decimal

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.budget


def price_volume(budget: Number, budget_volume: Number, volume: Number, unit_cost: Number,
                 per_year: Number = 1) -> PriceVolume | None:
    """None when the budget assumed no volume (there is no budgeted unit cost to compare with).

    ``per_year`` as ``Driver.per_year``: for hours a week at a cost an hour, the budgeted unit
    cost is the budget over the budgeted hours in a year (budget_volume x per_year)."""
    b, bv, v, uc = Decimal(str(budget)), Decimal(str(budget_volume)), Decimal(str(volume)), Decimal(str(unit_cost))
    n = per_year if isinstance(per_year, Decimal) else Decimal(str(per_year))
    if bv <= 0:
        return None
    buc = b / (bv * n)
    forecast = money(v * n * uc)
    volume_var = money((v - bv) * n * buc)
    # the price variance is what is left, so the two add up to the variance to the penny
    return PriceVolume(money(b), bv, money(buc), v, money(uc), forecast, volume_var,
                       forecast - money(b) - volume_var)
