"""Future need: adults' needs projected from population and prevalence, and a children's care
demand model (placements as weekly transitions between states), with costs and a backtest.

Plain Python and numpy with no Django import, so the pages, the API, the command line and the
report all project the same way.

Adults (as POPPI and PANSI do): people with a need in a year = sum over age bands and sexes of
the projected population in the band × the prevalence rate for the band. Calibrated to the
council's own client level data: the people receiving long-term support now for the need, as a
share of the need projected for now, are assumed to stay that share; projected service users ×
the unit cost a year (compounded by inflation, as the money model does) is the projected cost.

Children (as the open children's services demand model does): each child's state each week is
"not in care" or a placement type within an age band. Transition rates between states are the
weekly moves seen over a reference window; entries into care are a weekly rate per child of the
population in the age band. Numbers in each state are projected week by week:

    n[t+1][s'] = sum_s n[t][s] × P[s, s'] + entries[s']

so ageing (moving band) and leaving care (to "not in care", including at 18) are transitions like
any other. Confidence intervals come from resampling children with replacement (seeded, so the
same inputs give the same interval) and re-estimating the rates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from carestat.analytics import finance as money_calc

# -- age bands --------------------------------------------------------------------------------

OPEN_END = 200  # the upper age of an open-ended band ("90 and over")


@dataclass(frozen=True, order=True)
class Band:
    """Ages lo to hi inclusive."""

    lo: int
    hi: int

    @property
    def label(self) -> str:
        if self.hi >= OPEN_END:
            return f"{self.lo}+"
        return str(self.lo) if self.lo == self.hi else f"{self.lo}-{self.hi}"

    def within(self, other: Band) -> bool:
        return other.lo <= self.lo and self.hi <= other.hi


_BAND = re.compile(r"^\s*(?:aged\s+)?(\d{1,3})\s*"
                   r"(?:(?:-|–|to)\s*(\d{1,3})|(\+|\s*and\s+over|\s*plus|\s*or\s+over))?\s*$", re.IGNORECASE)


def parse_band(text: str) -> Band:
    """"65-69", "65 to 69", "90+", "90 and over", "67" (one age). Raises ValueError otherwise."""
    m = _BAND.match(str(text or ""))
    if not m:
        raise ValueError(f"'{text}' is not an age or an age band (write 65-69, 90+ or 67)")
    lo = int(m.group(1))
    if m.group(2) is not None:
        hi = int(m.group(2))
        if hi < lo:
            raise ValueError(f"'{text}' ends before it starts")
        return Band(lo, hi)
    if m.group(3):
        return Band(lo, OPEN_END)
    return Band(lo, lo)


SEXES = {"male": "male", "males": "male", "m": "male", "1": "male",
         "female": "female", "females": "female", "f": "female", "2": "female",
         "persons": "persons", "person": "persons", "all": "persons", "p": "persons", "both": "persons"}


def parse_sex(text: str) -> str:
    key = str(text or "").strip().lower()
    if key not in SEXES:
        raise ValueError(f"'{text}' is not a sex this model knows (male, female or persons)")
    return SEXES[key]


# -- problems (file, row, column, rule) --------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{self.file} {where}: {self.message}"


class DemandInputError(ValueError):
    """Input the model cannot use; ``problems`` names each file, row, column and rule."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]))
        self.problems = problems


# -- population projections ------------------------------------------------------------------

@dataclass(frozen=True)
class PopulationRow:
    area: str
    sex: str  # male, female or persons
    band: Band
    year: int
    population: float
    row: int = 0


_AREA = ("area_code", "area code", "code", "geography_code", "area")
_SEX = ("sex", "gender")
_AGE = ("age_group", "age group", "age", "age_band", "age band")
_YEAR = ("year", "projection_year", "date")
_VALUE = ("population", "value", "count", "obs_value")


def _find(header: list[str], names: Sequence[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _rows_of(content: str | bytes) -> list[list[str]]:
    text = content
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
    assert isinstance(text, str)
    return [r for r in csv.reader(io.StringIO(text))]


def read_population(content: str | bytes, filename: str = "population.csv") -> list[PopulationRow]:
    """A population projection CSV in the national statistics office's sub-national layout.

    Wide: AREA_CODE, (AREA_NAME, COMPONENT,) SEX, AGE_GROUP, then one column per year (2024,
    2025, ...). Long: area_code, sex, age (or age_group / age_band), year, population. Headers are
    matched without regard to case. Rows for "All ages" are totals and are left out. Every problem
    is collected; any problem raises DemandInputError and nothing is returned.

    Rules: sex is male, female or persons; age is an age or a band; population is a number of
    people; every area, sex and age has a figure for every year the file covers (a missing year
    is named), and the years run without a gap."""
    problems: list[Problem] = []
    table = _rows_of(content)
    if not table or not any(c.strip() for c in table[0]):
        raise DemandInputError([Problem(filename, 1, "", "empty", "the file is empty; it needs a header row")])
    header = [c.strip().lower() for c in table[0]]
    area_i, sex_i, age_i = _find(header, _AREA), _find(header, _SEX), _find(header, _AGE)
    year_cols = [(i, int(h)) for i, h in enumerate(header) if re.fullmatch(r"(19|20)\d\d", h)]
    year_i, value_i = _find(header, _YEAR), _find(header, _VALUE)
    wide = bool(year_cols)
    for what, idx in (("sex", sex_i), ("age_group", age_i)):
        if idx is None:
            problems.append(Problem(filename, 1, what, "missing-column",
                                    f"there is no '{what}' column; the header row has {', '.join(table[0])}"))
    if not wide and (year_i is None or value_i is None):
        problems.append(Problem(filename, 1, "year", "missing-column",
                                "give either one column per year (2025, 2026, ...) or 'year' and 'population' "
                                "columns"))
    if problems:
        raise DemandInputError(problems)
    rows: list[PopulationRow] = []

    def heading(i: int | None) -> str:
        return table[0][i].strip() if i is not None else ""

    for number, raw in enumerate(table[1:], start=2):
        if not any(v.strip() for v in raw):
            continue

        def cell(i, raw=raw):
            return raw[i].strip() if i is not None and i < len(raw) else ""

        age_text = cell(age_i)
        if age_text.lower() in ("all ages", "all", "total"):
            continue
        area = cell(area_i) or "-"
        try:
            sex = parse_sex(cell(sex_i))
        except ValueError as exc:
            problems.append(Problem(filename, number, heading(sex_i), "unknown-sex", str(exc)))
            sex = None
        try:
            band = parse_band(age_text)
        except ValueError as exc:
            problems.append(Problem(filename, number, heading(age_i), "unknown-age-band", str(exc)))
            band = None
        pairs = year_cols if wide else [(value_i, None)]
        for i, year in pairs:
            if year is None:
                text = cell(year_i)
                if not re.fullmatch(r"\d{4}", text):
                    problems.append(Problem(filename, number, heading(year_i), "year",
                                            f"'{text}' is not a year such as 2026"))
                    continue
                year = int(text)
            value = cell(i).replace(",", "")
            column = heading(i)
            if value == "":
                problems.append(Problem(filename, number, column, "missing-year",
                                        f"there is no population for {year}; every row needs every year"))
                continue
            try:
                pop = float(value)
            except ValueError:
                problems.append(Problem(filename, number, column, "number-format",
                                        f"'{value}' is not a number of people"))
                continue
            if pop < 0 or pop != pop:
                problems.append(Problem(filename, number, column, "negative",
                                        f"{value} is below zero; a population cannot be"))
                continue
            if sex is not None and band is not None:
                rows.append(PopulationRow(area, sex, band, year, pop, number))
    if not rows and not problems:
        problems.append(Problem(filename, 2, "", "empty", "the file has no rows after the header"))
    if not problems:
        problems += _check_years(rows, filename)
        problems += _check_bands(rows, filename)
    if problems:
        raise DemandInputError(problems)
    return rows


def _check_years(rows: list[PopulationRow], filename: str) -> list[Problem]:
    years = sorted({r.year for r in rows})
    problems = []
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in years]
    if gaps:
        problems.append(Problem(filename, 1, "year", "missing-year",
                                f"the projection has no figures for {', '.join(map(str, gaps))}; "
                                f"it must cover every year from {years[0]} to {years[-1]}"))
    seen: dict[tuple, dict[int, int]] = {}
    for r in rows:
        key = (r.area, r.sex, r.band)
        got = seen.setdefault(key, {})
        if r.year in got:
            problems.append(Problem(filename, r.row, "year", "duplicate",
                                    f"{r.area} {r.sex} aged {r.band.label} in {r.year} is also on row {got[r.year]}"))
        got[r.year] = r.row
    for (area, sex, band), got in seen.items():
        missing = [y for y in years if y not in got]
        if missing:
            first_row = min(got.values())
            problems.append(Problem(filename, first_row, "year", "missing-year",
                                    f"{area} {sex} aged {band.label} has no figure for "
                                    f"{', '.join(map(str, missing))}"))
    return problems


def _check_bands(rows: list[PopulationRow], filename: str) -> list[Problem]:
    problems = []
    first_year = min(r.year for r in rows)
    by_key: dict[tuple, list[PopulationRow]] = {}
    for r in rows:
        if r.year == first_year:
            by_key.setdefault((r.area, r.sex), []).append(r)
    for rs in by_key.values():
        rs.sort(key=lambda r: r.band)
        for a, b in zip(rs, rs[1:], strict=False):
            if b.band.lo <= a.band.hi:
                problems.append(Problem(filename, b.row, "age", "overlapping-bands",
                                        f"ages {b.band.label} overlap ages {a.band.label} on row {a.row}"))
    return problems


# -- prevalence rates -------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    need: str
    band: Band
    sex: str  # male, female or persons
    rate: Decimal  # share of the band with the need, 0 to 1
    source: str = ""
    year: int | None = None
    row: int = 0


def read_rates(content: str | bytes, filename: str = "rates.csv") -> list[Rate]:
    """Prevalence rates: need, age_band, sex, rate (a share 0 to 1, or a percentage written
    with %), source, year. Every problem is collected; any raises DemandInputError."""
    table = _rows_of(content)
    if not table:
        raise DemandInputError([Problem(filename, 1, "", "empty", "the file is empty")])
    header = [c.strip().lower() for c in table[0]]
    need_cols = ("need", "age_band", "sex", "rate", "source", "year")
    missing = [c for c in need_cols if c not in header]
    if missing:
        raise DemandInputError([Problem(filename, 1, c, "missing-column", f"there is no '{c}' column")
                                for c in missing])
    at = {c: header.index(c) for c in need_cols}
    problems: list[Problem] = []
    out: list[Rate] = []
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(table[1:], start=2):
        if not any(v.strip() for v in raw):
            continue
        cell = {c: (raw[i].strip() if i < len(raw) else "") for c, i in at.items()}
        ok = True
        if not cell["need"]:
            problems.append(Problem(filename, number, "need", "blank", "name the need"))
            ok = False
        try:
            band = parse_band(cell["age_band"])
        except ValueError as exc:
            problems.append(Problem(filename, number, "age_band", "unknown-age-band", str(exc)))
            ok = False
        try:
            sex = parse_sex(cell["sex"])
        except ValueError as exc:
            problems.append(Problem(filename, number, "sex", "unknown-sex", str(exc)))
            ok = False
        try:
            rate = check_rate(cell["rate"])
        except ValueError as exc:
            problems.append(Problem(filename, number, "rate", "rate", str(exc)))
            ok = False
        if not cell["source"]:
            problems.append(Problem(filename, number, "source", "blank",
                                    "say where the rate comes from (survey or study and its publisher)"))
            ok = False
        year = None
        if cell["year"]:
            if not re.fullmatch(r"\d{4}", cell["year"]):
                problems.append(Problem(filename, number, "year", "year", f"'{cell['year']}' is not a year"))
                ok = False
            else:
                year = int(cell["year"])
        if ok:
            key = (cell["need"].lower(), band, sex)
            if key in seen:
                problems.append(Problem(filename, number, "need", "duplicate",
                                        f"{cell['need']} aged {band.label} {sex} is also on row {seen[key]}"))
                continue
            seen[key] = number
            out.append(Rate(cell["need"], band, sex, rate, cell["source"], year, number))
    if not out and not problems:
        problems.append(Problem(filename, 2, "", "empty", "the file has no rates after the header"))
    if problems:
        raise DemandInputError(problems)
    return out


def check_rate(value) -> Decimal:
    """A prevalence rate as a share between 0 and 1 ("12.5%" is 0.125). Raises ValueError."""
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        rate = Decimal(text.rstrip("%").strip())
    except Exception:
        raise ValueError(f"'{text}' is not a rate; write a share such as 0.125 or a percentage such as 12.5%") \
            from None
    if not rate.is_finite():
        raise ValueError(f"'{text}' is not a rate")
    if percent:
        rate = rate / 100
    if rate < 0 or rate > 1:
        raise ValueError(f"{text} is {'above 1' if rate > 1 else 'below 0'}; a rate is a share of the "
                         "population between 0 and 1 (write 12.5% or 0.125)")
    return rate


# -- adults' projection ------------------------------------------------------------------------

@dataclass(frozen=True)
class NeedSpec:
    """What the council knows about a need: people with long-term support for it now (from client
    level data), and the unit cost a year of that support."""

    code: str
    name: str
    users_now: int | None = None
    unit_cost: Decimal | None = None
    base_year: str = ""  # financial year of the unit cost, e.g. 2026-27
    inflation: Decimal = Decimal("0")


@dataclass
class NeedProjection:
    code: str
    name: str
    people: list[float]  # with the need, per year
    users: list[float] | None  # projected long-term support users, per year
    share: float | None  # users now ÷ need now
    cost: list[Decimal] | None


@dataclass
class AdultProjection:
    years: list[int]
    base_year: int
    needs: list[NeedProjection]
    unmatched: list[str] = field(default_factory=list)  # population bands outside every rate band

    def as_json(self) -> dict:
        return {"kind": "adults", "years": self.years, "base_year": self.base_year, "unmatched": self.unmatched,
                "needs": [{"code": n.code, "name": n.name, "people": [round(p, 1) for p in n.people],
                           "users": None if n.users is None else [round(u, 1) for u in n.users],
                           "share": None if n.share is None else round(n.share, 6),
                           "cost": None if n.cost is None else [str(c) for c in n.cost]} for n in self.needs]}


def _population_by(rows: Iterable[PopulationRow]) -> dict[tuple[str, Band, int], float]:
    out: dict[tuple[str, Band, int], float] = {}
    for r in rows:
        key = (r.sex, r.band, r.year)
        out[key] = out.get(key, 0.0) + r.population
    return out


def people_with_need(population: Iterable[PopulationRow], rates: Iterable[Rate], year: int) -> tuple[float, list[str]]:
    """People with the need in ``year``: population in each rate's band and sex × the rate.

    A population band is counted in the rate band containing it; a rate for "persons" applies
    to males and females together. Population bands inside no rate band are not counted and
    are returned (as "female 18-64") so the page can say so."""
    pop = _population_by(r for r in population if r.year == year)
    rates = list(rates)
    total = 0.0
    unmatched = []
    for (sex, band, _y), n in pop.items():
        matching = [r for r in rates if band.within(r.band) and (r.sex == sex or r.sex == "persons"
                                                                  or sex == "persons")]
        if sex == "persons":
            matching = [r for r in matching if r.sex == "persons"]
        if not matching:
            unmatched.append(f"{sex} {band.label}")
            continue
        total += n * float(matching[0].rate)
    return total, sorted(set(unmatched))


def project_adults(population: Sequence[PopulationRow], rates: Sequence[Rate], needs: Sequence[NeedSpec],
                   *, base_year: int, years: Sequence[int] | None = None) -> AdultProjection:
    """People with each need by year; with users now, the long-term support users and their cost.

    ``base_year`` is the year the client level data counts users in; their share of the need
    that year is held for the later years. Costs: the unit cost compounded by inflation from its
    base financial year (carestat.analytics.finance.unit_cost_in), year Y costed at the
    financial year starting in April Y."""
    all_years = sorted({r.year for r in population})
    years = list(years) if years is not None else [y for y in all_years if y >= base_year]
    if base_year not in all_years:
        raise DemandInputError([Problem("population", 1, "year", "missing-year",
                                        f"the population projection does not cover {base_year}, the year the "
                                        "service users were counted")])
    out = []
    unmatched: set[str] = set()
    for need in needs:
        mine = [r for r in rates if r.need.lower() == need.code.lower()]
        people = []
        for y in years:
            n, um = people_with_need(population, mine, y)
            people.append(n)
            unmatched.update(um)
        now, _ = people_with_need(population, mine, base_year)
        share = users = cost = None
        if need.users_now is not None and now > 0:
            share = need.users_now / now
            users = [p * share for p in people]
            if need.unit_cost is not None and need.base_year:
                driver = money_calc.Driver(need.code, Decimal(0), Decimal(need.unit_cost), need.base_year,
                                           Decimal(need.inflation))
                cost = [money_calc.money(Decimal(str(u)) * money_calc.unit_cost_in(driver, f"{y}-{(y + 1) % 100:02d}"))
                        for u, y in zip(users, years, strict=True)]
        out.append(NeedProjection(need.code, need.name, people, users, share, cost))
    return AdultProjection(years, base_year, out, sorted(unmatched))


# -- children's model ----------------------------------------------------------------------------

PLACEMENTS = ("fostering_in_house", "fostering_agency", "residential", "supported", "with_parents", "other")
PLACEMENT_NAMES = {
    "fostering_in_house": "Fostering, in-house",
    "fostering_agency": "Fostering, agency",
    "residential": "Residential",
    "supported": "Supported or independent living",
    "with_parents": "Placed with parents",
    "other": "Other placements",
}
NOT_IN_CARE = "not_in_care"
AGE_BANDS = ("0", "1-4", "5-9", "10-15", "16-17")  # CareStat's children's population bands
_BAND_OF_AGE = np.array([0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4], dtype=np.int16)
SHORT_BREAKS = ("V3", "V4")  # left out, as LAC-COUNT does
AGENCY_PROVIDERS = ("PR4", "PR5")  # private and voluntary providers
NP = len(PLACEMENTS)
NB = len(AGE_BANDS)
S = NP * NB  # in-care states: band × placement
OUT = S  # the state index for "not in care" (also: aged 18 or over)


def state_name(s: int) -> str:
    if s == OUT:
        return NOT_IN_CARE
    return f"{AGE_BANDS[s // NP]}:{PLACEMENTS[s % NP]}"


def placement_of(place: str | None, provider: str | None = None) -> int:
    """The placement index of an SSDA903 PLACE code (and PLACE_PROVIDER where known). Foster
    placements with a private or voluntary provider are agency fostering; the rest in-house."""
    group = money_calc.placement_group(place)
    if group == money_calc.PlacementGroup.FOSTERING:
        return 1 if (provider or "").strip().upper() in AGENCY_PROVIDERS else 0
    return {money_calc.PlacementGroup.RESIDENTIAL: 2, money_calc.PlacementGroup.SUPPORTED: 3,
            money_calc.PlacementGroup.WITH_PARENTS: 4}.get(group, 5)


@dataclass
class History:
    """SSDA903 episodes as arrays: one entry per child (birth year-month number), one per episode.

    Dates are day numbers (``date.toordinal()``); an open episode ends at ``MAX_DAY``."""

    birth_ym: np.ndarray  # per child, year*12+month-1; -1 when unknown
    child: np.ndarray  # per episode, index into birth_ym
    start: np.ndarray  # DECOM day number
    end: np.ndarray  # DEC day number, MAX_DAY when open
    placement: np.ndarray  # placement index

    @classmethod
    def from_records(cls, children: Iterable[tuple[str, int | None]],
                     episodes: Iterable[tuple[str, dt.date, dt.date | None, str | None, str | None, str | None]]
                     ) -> History:
        """``children``: (child key, birth_ym); ``episodes``: (child key, DECOM, DEC, LS, PLACE,
        PLACE_PROVIDER). Short breaks and episodes of unknown children are left out."""
        index: dict[str, int] = {}
        births: list = []
        for key, birth in children:
            if key not in index:
                index[key] = len(births)
                births.append(-1 if birth is None else int(birth))
        cs, ss, es, ps = [], [], [], []
        for key, decom, dec, ls, place, provider in episodes:
            if key not in index or decom is None or (ls or "").strip().upper() in SHORT_BREAKS:
                continue
            cs.append(index[key])
            ss.append(decom.toordinal())
            es.append(dec.toordinal() if dec is not None else MAX_DAY)
            ps.append(placement_of(place, provider))
        return cls(np.array(births, dtype=np.int32), np.array(cs, dtype=np.int32),
                   np.array(ss, dtype=np.int32), np.array(es, dtype=np.int32), np.array(ps, dtype=np.int8))

    def as_at(self, day: dt.date) -> History:
        """The history as known on ``day``: episodes started by then, any ending later still open."""
        d = day.toordinal()
        keep = self.start <= d
        end = np.where(self.end[keep] > d, MAX_DAY, self.end[keep])
        return History(self.birth_ym, self.child[keep], self.start[keep], end, self.placement[keep])


MAX_DAY = dt.date(9999, 12, 31).toordinal()


def weeks_from(first: dt.date, weeks: int) -> list[dt.date]:
    return [first + dt.timedelta(days=7 * w) for w in range(weeks)]


def weekly_states(history: History, days: Sequence[dt.date]) -> np.ndarray:
    """Each child's state on each day (children × days, int16): band × placement, or OUT.

    A child's state on a day is the placement of the episode open that day (DECOM on or before
    it, DEC after it); with two open, the later-starting one. Age is whole years from the birth
    month to the day's month; from 18 a child is out of the model."""
    n_days = len(days)
    ordinals = np.array([d.toordinal() for d in days], dtype=np.int64)
    place = np.full((len(history.birth_ym), n_days), -1, dtype=np.int16)
    if len(history.child):
        order = np.argsort(history.start, kind="stable")  # later episodes overwrite earlier ones
        first = np.searchsorted(ordinals, history.start[order], side="left")
        last = np.searchsorted(ordinals, history.end[order], side="left")  # days before DEC
        lengths = np.maximum(last - first, 0)
        total = int(lengths.sum())
        if total:
            rows = np.repeat(history.child[order], lengths)
            starts = np.repeat(first - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            cols = starts + np.arange(total)
            place[rows, cols] = np.repeat(history.placement[order].astype(np.int16), lengths)
    yms = np.array([d.year * 12 + d.month - 1 for d in days], dtype=np.int32)
    age = (yms[None, :] - history.birth_ym[:, None]) // 12
    known = (history.birth_ym[:, None] >= 0) & (age >= 0) & (age < 18)
    band = _BAND_OF_AGE[np.clip(age, 0, 17)]
    state = np.where((place >= 0) & known, band * NP + place, OUT).astype(np.int16)
    return state


@dataclass
class Rates:
    """Estimated weekly rates: P[s, s'] for in-care states s (rows sum to 1, column OUT = leaving)
    and entries into each state per week per child of the band's population (or per week, when
    there is no population)."""

    transitions: np.ndarray  # (S, S+1)
    entry: np.ndarray  # (S,)
    counts: np.ndarray  # (S+1, S+1) transitions seen
    weeks: int  # of the reference window
    per_population: bool

    def as_json(self) -> dict:
        seen = [(state_name(a), state_name(b), int(self.counts[a, b]))
                for a, b in zip(*np.nonzero(self.counts), strict=True)]
        return {"weeks": self.weeks, "per_population": self.per_population,
                "transitions_seen": [{"from": a, "to": b, "count": n} for a, b, n in seen],
                "entry": {state_name(s): float(self.entry[s]) for s in range(S) if self.entry[s]}}


def transition_counts(states: np.ndarray, first: int, last: int) -> np.ndarray:
    """Moves between states from week w to w+1, for first <= w < last: (S+1, S+1) counts."""
    a = states[:, first:last].astype(np.int64).ravel()
    b = states[:, first + 1:last + 1].astype(np.int64).ravel()
    keep = ~((a == OUT) & (b == OUT))
    return np.bincount(a[keep] * (S + 1) + b[keep], minlength=(S + 1) ** 2).reshape(S + 1, S + 1)


def rates_from_counts(counts: np.ndarray, weeks: int, population: np.ndarray | None) -> Rates:
    """Transition probabilities from counts; a state never seen in the window keeps its children."""
    counts = np.asarray(counts, dtype=np.float64)
    rows = counts[:S].sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(rows > 0, counts[:S] / rows, 0.0)
    unseen = rows[:, 0] == 0
    p[unseen, :] = 0.0
    p[np.nonzero(unseen)[0], np.nonzero(unseen)[0]] = 1.0
    entries = counts[OUT, :S] / max(weeks, 1)
    per_pop = population is not None
    if per_pop:
        pop = np.repeat(np.asarray(population, dtype=np.float64), NP)
        entries = np.where(pop > 0, entries / np.where(pop > 0, pop, 1), 0.0)
    return Rates(p, entries, counts, weeks, per_pop)


def estimate(states: np.ndarray, first: int, last: int,
             population: Sequence[float] | np.ndarray | None = None) -> Rates:
    """Rates over the reference window of weeks first..last (``population``: children by age band)."""
    return rates_from_counts(transition_counts(states, first, last), last - first,
                             None if population is None else np.asarray(population, dtype=np.float64))


# scenarios ------------------------------------------------------------------------------------

class ScenarioError(ValueError):
    """A scenario the model cannot apply (it would make negative numbers, or names no state)."""


def _bands_of(change: dict) -> list[int]:
    band = change.get("band") or ""
    if not band:
        return list(range(NB))
    if band not in AGE_BANDS:
        raise ScenarioError(f"'{band}' is not an age band; use one of {', '.join(AGE_BANDS)}")
    return [AGE_BANDS.index(band)]


def _placement(change: dict, key: str) -> int:
    name = change.get(key) or ""
    if name not in PLACEMENTS:
        raise ScenarioError(f"'{name}' is not a placement; use one of {', '.join(PLACEMENTS)}")
    return PLACEMENTS.index(name)


def describe_change(change: dict) -> str:
    band = f" aged {change['band']}" if change.get("band") else ""

    def named(key: str) -> str:
        code = str(change.get(key) or "")
        return PLACEMENT_NAMES.get(code, code)

    if change.get("kind") == "entry_rate":
        where = f" into {named('placement')}" if change.get("placement") else ""
        return f"Entries to care{where}{band} {float(change['percent']):+g}%"
    if change.get("kind") == "step_down":
        return f"{float(change['percent']):g}% a year of children{band} in {named('from')} step down to {named('to')}"
    return str(change)


def apply_scenario(transitions: np.ndarray, entry: np.ndarray,
                   changes: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Rates adjusted by a scenario's changes (arrays may carry a leading resample axis).

    ``entry_rate``: entries (optionally into one placement, one band) change by ``percent``.
    ``step_down``: ``percent`` of the children in placement ``from`` move each year to ``to``
    (same band), taken weekly from those who would have stayed. Raises ScenarioError when a change
    would make a rate, and so a number of children, negative."""
    p, e = np.array(transitions, dtype=np.float64), np.array(entry, dtype=np.float64)
    for c in changes:
        kind = c.get("kind")
        try:
            pct = float(c["percent"])
        except (KeyError, TypeError, ValueError):
            raise ScenarioError(f"'{c.get('percent')}' is not a percentage") from None
        if kind == "entry_rate":
            if pct < -100:
                raise ScenarioError(f"{describe_change(c)} would make entries to care negative, and so negative "
                                    "numbers of children; a fall in entries cannot be more than 100%")
            places = [_placement(c, "placement")] if c.get("placement") else list(range(NP))
            for b in _bands_of(c):
                for pl in places:
                    e[..., b * NP + pl] *= 1 + pct / 100
        elif kind == "step_down":
            src, dst = _placement(c, "from"), _placement(c, "to")
            if src == dst:
                raise ScenarioError("a step-down moves children from one placement to another; choose two")
            if not 0 <= pct <= 100:
                raise ScenarioError(f"{describe_change(c)}: the share stepping down must be between 0% and "
                                    "100%; a negative share would make negative numbers of children")
            weekly = 1 - (1 - pct / 100) ** (1 / 52)
            for b in _bands_of(c):
                s, d = b * NP + src, b * NP + dst
                stay = p[..., s, s]
                p[..., s, s] = stay - weekly
                p[..., s, d] = p[..., s, d] + weekly
                if (p[..., s, s] < -1e-12).any():
                    raise ScenarioError(
                        f"{describe_change(c)} would make negative numbers of children: in age band "
                        f"{AGE_BANDS[b]} fewer than {pct:g}% of children in "
                        f"{PLACEMENT_NAMES[PLACEMENTS[src]]} stay there from week to week")
        else:
            raise ScenarioError(f"'{kind}' is not a kind of change; use entry_rate or step_down")
    return p, e


# projection -----------------------------------------------------------------------------------

def step(counts: np.ndarray, transitions: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """One week: n'[s'] = sum_s n[s] P[s, s'] + entries[s'] (in-care states only)."""
    return counts @ transitions[:, :S] + entries


def run(start: np.ndarray, transitions: np.ndarray, entry: np.ndarray, *, years: int,
        population: Sequence[Sequence[float] | np.ndarray] | None = None,
        per_population: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Project ``years`` years of 52 weeks from ``start`` (S,) or (B, S).

    Returns (year-end counts (..., years, S), average counts over each year (..., years, S)).
    ``population[k]``: children by age band in projection year k (held at the last given)."""
    x = np.array(start, dtype=np.float64)
    p = np.asarray(transitions, dtype=np.float64)
    e = np.asarray(entry, dtype=np.float64)
    ends, means = [], []
    for k in range(years):
        if per_population and population is not None:
            pop = np.repeat(np.asarray(population[min(k, len(population) - 1)], dtype=np.float64), NP)
            weekly = e * pop
        else:
            weekly = e
        total = np.zeros_like(x)
        into = np.ascontiguousarray(p[..., :S])
        for _w in range(52):
            if p.ndim == 3:  # one chain per resample: (B, 1, S) @ (B, S, S)
                x = np.matmul(x[:, None, :], into)[:, 0, :] + weekly
            else:
                x = step(x, p, weekly)
            total += x
        if (x < -1e-9).any():
            raise ScenarioError("the projection went below zero children; check the scenario's changes")
        ends.append(x.copy())
        means.append(total / 52)
    return np.stack(ends, axis=-2), np.stack(means, axis=-2)


def by_placement(counts: np.ndarray) -> np.ndarray:
    """Sum the age bands: (..., S) -> (..., NP)."""
    return counts.reshape(*counts.shape[:-1], NB, NP).sum(axis=-2)


def bootstrap_counts(states: np.ndarray, first: int, last: int, resamples: int, seed: int) -> np.ndarray:
    """Transition counts (B, S+1, S+1) with children resampled with replacement, seeded."""
    a = states[:, first:last].astype(np.int64)
    b = states[:, first + 1:last + 1].astype(np.int64)
    code = a * (S + 1) + b
    child = np.broadcast_to(np.arange(states.shape[0])[:, None], code.shape)
    keep = ~((a == OUT) & (b == OUT))
    pairs = child[keep] * (S + 1) ** 2 + code[keep]
    uniq, n = np.unique(pairs, return_counts=True)
    kids, kinds = uniq // (S + 1) ** 2, uniq % (S + 1) ** 2
    kind_ids, kind_index = np.unique(kinds, return_inverse=True)
    moving, kid_index = np.unique(kids, return_inverse=True)
    rng = np.random.default_rng(seed)
    n_children = states.shape[0]
    weights = n.astype(np.float64)
    out = np.zeros((resamples, (S + 1) ** 2), dtype=np.float64)
    # a resample draws n_children children with replacement; each (child, move) count is weighted
    # by the times its child was drawn (only children who moved at all carry counts)
    for i in range(resamples):
        w = np.bincount(rng.integers(0, n_children, n_children), minlength=n_children)[moving]
        out[i, kind_ids] = np.bincount(kind_index, weights=w[kid_index] * weights, minlength=len(kind_ids))
    return out.reshape(resamples, S + 1, S + 1)


@dataclass
class ChildrenProjection:
    as_at: dt.date
    reference: tuple[dt.date, dt.date]
    year_ends: list[dt.date]
    cost_years: list[str]
    start: np.ndarray  # (S,)
    rates: Rates
    central: np.ndarray  # (years, S) year-end
    mean: np.ndarray  # (years, S) average over the year
    lower: np.ndarray | None  # (years, NP+1) by placement and total, 2.5th percentile
    upper: np.ndarray | None
    cost: list[Decimal] | None  # per year
    resamples: int
    seed: int
    changes: list[dict]

    def as_json(self) -> dict:
        central = by_placement(self.central)
        start = by_placement(self.start)
        out = {
            "kind": "children", "as_at": self.as_at.isoformat(),
            "reference": [self.reference[0].isoformat(), self.reference[1].isoformat()],
            "year_ends": [d.isoformat() for d in self.year_ends], "cost_years": self.cost_years,
            "placements": list(PLACEMENTS), "placement_names": [PLACEMENT_NAMES[p] for p in PLACEMENTS],
            "start": {p: round(float(start[i]), 2) for i, p in enumerate(PLACEMENTS)},
            "start_total": round(float(self.start.sum()), 2),
            "projection": {p: [round(float(v), 2) for v in central[:, i]] for i, p in enumerate(PLACEMENTS)},
            "total": [round(float(v), 2) for v in central.sum(axis=1)],
            "by_band": {b: [round(float(v), 2) for v in self.central[:, i * NP:(i + 1) * NP].sum(axis=1)]
                        for i, b in enumerate(AGE_BANDS)},
            "resamples": self.resamples, "seed": self.seed, "changes": self.changes,
            "rates": self.rates.as_json(),
            "cost": None if self.cost is None else [str(c) for c in self.cost],
        }
        if self.lower is not None and self.upper is not None:
            names = [*PLACEMENTS, "total"]
            out["lower"] = {n: [round(float(v), 2) for v in self.lower[:, i]] for i, n in enumerate(names)}
            out["upper"] = {n: [round(float(v), 2) for v in self.upper[:, i]] for i, n in enumerate(names)}
        return out


def _week_index(days: Sequence[dt.date], day: dt.date) -> int:
    return int(np.searchsorted(np.array([d.toordinal() for d in days]), day.toordinal(), side="right")) - 1


def project_children(history: History, *, as_at: dt.date, reference_start: dt.date, years: int = 3,
                     population: Sequence[float] | None = None,
                     population_future: Sequence[Sequence[float]] | None = None,
                     changes: Sequence[dict] = (), resamples: int = 0, seed: int = 17,
                     unit_costs: dict[str, Sequence[Decimal]] | None = None) -> ChildrenProjection:
    """The children's model: states weekly from ``reference_start`` to ``as_at``, rates over that
    window, and ``years`` (1 to 5) years projected from the children in care at ``as_at``.

    ``population``: children by age band (AGE_BANDS) now; entries are then a rate per child.
    ``unit_costs[placement]``: the annual cost of a placement in each projection year (the
    average number in the placement over the year × that cost is the year's cost).
    With ``resamples`` > 0, the 2.5th and 97.5th percentiles of year-end numbers by placement
    over rates re-estimated from children drawn with replacement (``seed`` fixes the draw)."""
    if not 1 <= years <= 5:
        raise ValueError("project 1 to 5 years")
    if reference_start >= as_at:
        raise ValueError("the reference window must start before the projection's start")
    n_weeks = (as_at - reference_start).days // 7 + 1
    days = [as_at - dt.timedelta(days=7 * (n_weeks - 1 - w)) for w in range(n_weeks)]
    states = weekly_states(history, days)
    last = len(days) - 1
    pop = None if population is None else np.asarray(population, dtype=np.float64)
    rates = estimate(states, 0, last, pop)
    p, e = apply_scenario(rates.transitions, rates.entry, changes)
    start = np.bincount(states[:, last][states[:, last] != OUT], minlength=S + 1)[:S].astype(np.float64)
    future: Sequence[Sequence[float] | np.ndarray] | None = population_future or ([pop] if pop is not None else None)
    ends, means = run(start, p, e, years=years, population=future, per_population=rates.per_population)
    lower = upper = None
    if resamples:
        boot = bootstrap_counts(states, 0, last, resamples, seed)
        bp = np.empty((resamples, S, S + 1))
        be = np.empty((resamples, S))
        for i in range(resamples):
            r = rates_from_counts(boot[i], last, pop)
            bp[i], be[i] = r.transitions, r.entry
        bp, be = apply_scenario(bp, be, changes)
        b_ends, _ = run(np.broadcast_to(start, (resamples, S)), bp, be, years=years, population=future,
                        per_population=rates.per_population)
        by = by_placement(b_ends)
        by = np.concatenate([by, by.sum(axis=-1, keepdims=True)], axis=-1)
        lower, upper = np.percentile(by, 2.5, axis=0), np.percentile(by, 97.5, axis=0)
    year_ends = [as_at + dt.timedelta(days=364 * (k + 1)) for k in range(years)]
    cost_years = [_fy_label(as_at + dt.timedelta(days=1 + 364 * k)) for k in range(years)]
    cost = None
    if unit_costs:
        mean_by = by_placement(means)
        cost = []
        for k in range(years):
            total = Decimal(0)
            for i, pl in enumerate(PLACEMENTS):
                if pl in unit_costs:
                    total += Decimal(str(round(float(mean_by[k, i]), 4))) * Decimal(unit_costs[pl][k])
            cost.append(money_calc.money(total))
    return ChildrenProjection(as_at, (reference_start, as_at), year_ends, cost_years, start, rates, ends, means,
                              lower, upper, cost, resamples, seed, list(changes))


def _fy_label(day: dt.date) -> str:
    y = day.year if day.month >= 4 else day.year - 1
    return f"{y}-{(y + 1) % 100:02d}"


def counts_on(history: History, days: Sequence[dt.date]) -> np.ndarray:
    """Children in each placement (NP) on each day, as the states count them: (days, NP)."""
    states = weekly_states(history, days)
    out = np.zeros((len(days), NP))
    for j in range(len(days)):
        col = states[:, j]
        out[j] = by_placement(np.bincount(col[col != OUT], minlength=S + 1)[:S].astype(np.float64))
    return out


@dataclass
class Backtest:
    as_at: dt.date
    year_ends: list[dt.date]
    projected: np.ndarray  # (years, NP)
    actual: np.ndarray  # (years, NP)

    def mape(self) -> dict[str, float | None]:
        """Mean absolute percentage error per placement and for the total, over the years; None
        where a placement had no children in any year (no percentage of nothing)."""
        out: dict[str, float | None] = {}
        cols = [*PLACEMENTS, "total"]
        proj = np.concatenate([self.projected, self.projected.sum(axis=1, keepdims=True)], axis=1)
        act = np.concatenate([self.actual, self.actual.sum(axis=1, keepdims=True)], axis=1)
        for i, name in enumerate(cols):
            ok = act[:, i] > 0
            out[name] = None if not ok.any() else \
                round(float(np.mean(np.abs(proj[ok, i] - act[ok, i]) / act[ok, i]) * 100), 1)
        return out

    def as_json(self) -> dict:
        return {"kind": "backtest", "as_at": self.as_at.isoformat(),
                "year_ends": [d.isoformat() for d in self.year_ends], "placements": list(PLACEMENTS),
                "projected": {p: [round(float(v), 2) for v in self.projected[:, i]] for i, p in enumerate(PLACEMENTS)},
                "actual": {p: [int(v) for v in self.actual[:, i]] for i, p in enumerate(PLACEMENTS)},
                "mape": self.mape()}


def backtest(history: History, *, as_at: dt.date, reference_start: dt.date, years: int,
             population: Sequence[float] | None = None) -> Backtest:
    """Project from the history as it was known on ``as_at`` and compare with what the full
    history shows at each projected year end."""
    past = project_children(history.as_at(as_at), as_at=as_at, reference_start=reference_start, years=years,
                            population=population)
    actual = counts_on(history, past.year_ends)
    return Backtest(as_at, past.year_ends, by_placement(past.central), actual)


# -- reading the analytics store (DuckDB or Spark, through Ibis) -----------------------------------

def history_from_store(store) -> History | None:
    """The current SSDA903 children and episodes as a History (None when none are loaded).
    The store keeps no PLACE_PROVIDER, so every foster placement read from it is in-house."""
    tables = store.current_tables()
    if "lac_episodes" not in tables:
        return None
    kids = store.backend.to_pyarrow(tables["lac_children"].select("child_key", "birth_ym")).to_pylist()
    episodes = tables["lac_episodes"].select("child_key", "decom", "dec", "ls", "place")
    eps = store.backend.to_pyarrow(episodes).to_pylist()
    if not eps:
        return None
    return History.from_records(((k["child_key"], k["birth_ym"]) for k in kids),
                                ((e["child_key"], e["decom"], e["dec"], e["ls"], e["place"], None) for e in eps))


def children_population(store) -> tuple[int | None, list[float] | None]:
    """Children by age band (AGE_BANDS) in the latest year the store's population covers them."""
    tables = store.current_tables()
    if "population" not in tables:
        return None, None
    rows = store.backend.to_pyarrow(tables["population"]).to_pylist()
    years = sorted({r["year"] for r in rows if r["age_band"] in AGE_BANDS}, reverse=True)
    if not years:
        return None, None
    pop = [0.0] * NB
    for r in rows:
        if r["year"] == years[0] and r["age_band"] in AGE_BANDS:
            pop[AGE_BANDS.index(r["age_band"])] += float(r["population"])
    return years[0], pop


def long_term_support_users(store, day: dt.date) -> dict[str, int]:
    """Adults (18 and over) receiving long-term support on ``day``, by primary support reason,
    from the client level data as ASCOF reads it (the DHSC main table for the quarter to ``day``).
    A person with several services counts once, under the reason on the latest-starting one."""
    import ibis

    from carestat.analytics.measures.adults import LTS, cld_main_table

    tables = store.current_tables()
    if "cld_events" not in tables:
        return {}
    start = dt.date(day.year, day.month, 1) - dt.timedelta(days=62)
    start = dt.date(start.year, start.month, 1)
    m = cld_main_table(tables["cld_events"], start=start, end=day)
    d = ibis.literal(day, type="date")
    ym = day.year * 12 + day.month - 1
    lts = m.filter((m.service_group == LTS) & (m.event_start <= d) & (m.event_end.isnull() | (m.event_end >= d))
                   & (m.birth_ym.notnull()) & (((ym - m.birth_ym) / 12).floor() >= 18)
                   & (m.client_type.isnull() | (m.client_type == "Service user")))
    per = lts.group_by("person_key").aggregate(reason=lts.primary_support_reason.argmax(lts.event_start))
    counts = per.group_by("reason").aggregate(n=per.count())
    return {(r["reason"] or ""): int(r["n"]) for r in store.backend.to_pyarrow(counts).to_pylist()}
