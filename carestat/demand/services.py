"""Business operations on future need: loading population projections and prevalence rates,
keeping needs, rates and scenarios, and making projections and backtests.

Each checks the actor's role (reading for everyone in the organisation, changing for managers
and admins), is transactional, records one audit entry in words and raises a typed error from
carestat.core.errors. Files load whole or not at all, and the same file twice changes nothing.
The arithmetic is carestat.analytics.demand; the case data is read from the analytics store,
read-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
from django.db import transaction
from django.utils import timezone

from carestat.analytics import demand as calc
from carestat.analytics import finance as money_calc
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import stamp
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.permissions import Perm
from carestat.demand.models import (
    Need,
    PopulationFigure,
    PopulationProjection,
    PrevalenceRate,
    Projection,
    ProjectionKind,
    Scenario,
)

# Children's states map onto the money model's placement groups for unit costs.
COST_GROUP = {
    "fostering_in_house": money_calc.PlacementGroup.FOSTERING,
    "fostering_agency": money_calc.PlacementGroup.FOSTERING,
    "residential": money_calc.PlacementGroup.RESIDENTIAL,
    "supported": money_calc.PlacementGroup.SUPPORTED,
    "with_parents": money_calc.PlacementGroup.WITH_PARENTS,
    "other": money_calc.PlacementGroup.OTHER,
}
DEFAULT_RESAMPLES = 200
DEFAULT_SEED = 17


class DemandFileInvalid(InvalidInput):
    """A file with problems; ``problems`` names each file, row, column and rule. Nothing stored."""

    def __init__(self, problems: list[calc.Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]), field="file")
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    projection: PopulationProjection
    already_loaded: bool

    @property
    def summary(self) -> str:
        p = self.projection
        if self.already_loaded:
            return f"{p.filename} was already loaded; nothing changed"
        return f"Loaded {p.rows} population figures from {p.filename}, {p.first_year} to {p.last_year}"


# -- population projections -------------------------------------------------------------------

def load_population(access: Access, content: bytes, *, filename: str, name: str = "") -> LoadResult:
    """Load a population projection CSV (see carestat.analytics.demand.read_population): all of it
    or none of it; the same file again changes nothing."""
    access.require(Perm.MANAGE)
    digest = hashlib.sha256(content).hexdigest()
    done = PopulationProjection.objects.filter(organisation=access.organisation, sha256=digest).first()
    if done is not None:
        return LoadResult(done, True)
    try:
        rows = calc.read_population(content, filename)
    except calc.DemandInputError as exc:
        raise DemandFileInvalid(exc.problems) from None
    years = sorted({r.year for r in rows})
    if len(years) < 2:
        raise DemandFileInvalid([calc.Problem(filename, 1, "year", "missing-year",
                                              "a projection needs at least two years")])
    with transaction.atomic():
        first_total = sum(r.population for r in rows if r.year == years[0] and r.sex != "persons")
        if not first_total:
            first_total = sum(r.population for r in rows if r.year == years[0])
        proj = PopulationProjection.objects.create(
            organisation=access.organisation, name=(name or filename)[:200], filename=filename[:255], sha256=digest,
            rows=len(rows), first_year=years[0], last_year=years[-1], total_first_year=round(first_total),
            loaded_by=access.user if access.user.pk else None, loaded_at=timezone.now())
        PopulationFigure.objects.bulk_create(
            [PopulationFigure(projection=proj, area=r.area[:40], sex=r.sex, age_from=r.band.lo,
                              age_to=min(r.band.hi, calc.OPEN_END), year=r.year, population=r.population)
             for r in rows], batch_size=2000)
        log_action("demand.population.loaded", actor=access.user, organisation=access.organisation, record=proj,
                   after={"rows": len(rows), "years": [years[0], years[-1]], "sha256": digest},
                   message=f"{access.user.display_name} loaded population projection {proj.name} from {filename} "
                   f"({len(rows)} figures, {years[0]} to {years[-1]})")
    return LoadResult(proj, False)


def current_population(org) -> PopulationProjection | None:
    return PopulationProjection.objects.filter(organisation=org).first()


def population_rows(projection: PopulationProjection) -> list[calc.PopulationRow]:
    return [calc.PopulationRow(f.area, f.sex, calc.Band(f.age_from, f.age_to), f.year, f.population)
            for f in projection.figures.all().order_by("year", "sex", "age_from")]


# -- needs and prevalence rates ----------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")[:40]


def load_rates(access: Access, content: bytes, *, filename: str) -> int:
    """Prevalence rates from a CSV (need, age_band, sex, rate, source, year): all or none. A need
    not yet known is added (named as the file names it); a rate already held for the need, band
    and sex is replaced. Returns the number of rates set."""
    access.require(Perm.MANAGE)
    try:
        rates = calc.read_rates(content, filename)
    except calc.DemandInputError as exc:
        raise DemandFileInvalid(exc.problems) from None
    org = access.organisation
    changed = 0
    with transaction.atomic():
        needs = {n.code: n for n in Need.objects.select_for_update().filter(organisation=org)}
        for r in rates:
            code = _slug(r.need)
            need = needs.get(code)
            if need is None:
                need = Need(organisation=org, code=code, name=r.need.replace("_", " ")[:200])
                stamp(need, access.user, new=True)
                need.save()
                needs[code] = need
            row = PrevalenceRate.objects.select_for_update().filter(need=need, age_band=r.band.label,
                                                                    sex=r.sex).first()
            new = row is None
            row = row or PrevalenceRate(organisation=org, need=need, age_band=r.band.label, sex=r.sex)
            if not new and (row.rate, row.source, row.source_year) == (r.rate, r.source[:300], r.year):
                continue
            row.rate, row.source, row.source_year = r.rate, r.source[:300], r.year
            fields = stamp(row, access.user, new=new)
            row.save() if new else row.save(update_fields=["rate", "source", "source_year", *fields])
            changed += 1
        log_action("demand.rates.loaded", actor=access.user, organisation=org,
                   after={"file": filename, "rates": len(rates), "changed": changed},
                   message=f"{access.user.display_name} loaded {len(rates)} prevalence rates from {filename} "
                   f"({changed} set or changed)")
    return changed


def _decimal(value, field: str, what: str) -> Decimal:
    try:
        d = Decimal(str(value).strip().replace(",", "").replace("£", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"Give {what} as a number", field=field) from None
    if not d.is_finite():
        raise InvalidInput(f"Give {what} as a number", field=field)
    return d


NEED_FIELDS = ("name", "support_reason", "unit_cost", "base_year", "inflation_percent", "cost_source")


@transaction.atomic
def set_need(access: Access, *, code: str, name: str, support_reason: str = "", unit_cost=None,
             base_year: str = "", inflation_percent="0", cost_source: str = "") -> Need:
    """Name a need, say which CLD primary support reason counts its service users, and the unit
    cost a year of long-term support for it (with the financial year it is priced in)."""
    from carestat.finance.services import financial_year

    access.require(Perm.MANAGE)
    code = _slug(code or name or "")
    if not code:
        raise InvalidInput("Give the need a code", field="code")
    if not (name or "").strip():
        raise InvalidInput("Name the need", field="name")
    cost = None
    if unit_cost not in (None, ""):
        cost = _decimal(unit_cost, "unit_cost", "the unit cost")
        if cost < 0:
            raise InvalidInput("A unit cost cannot be below zero", field="unit_cost")
        base_year = financial_year(base_year, "base_year")
    inflation = _decimal(inflation_percent or "0", "inflation_percent", "the inflation")
    if not Decimal("-50") <= inflation <= Decimal("50"):
        raise InvalidInput("Inflation must be between -50% and 50% a year", field="inflation_percent")
    row = Need.objects.select_for_update().filter(organisation=access.organisation, code=code).first()
    new = row is None
    row = row or Need(organisation=access.organisation, code=code)
    before = None if new else snapshot(row, NEED_FIELDS)
    row.name, row.support_reason = name.strip()[:200], (support_reason or "").strip()[:100]
    row.unit_cost, row.base_year, row.inflation_percent = cost, base_year if cost is not None else "", inflation
    row.cost_source = (cost_source or "").strip()[:300]
    fields = stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=[*NEED_FIELDS, *fields])
    log_action("demand.need.set", actor=access.user, organisation=access.organisation, record=row, before=before,
               after=snapshot(row, NEED_FIELDS),
               message=f"{access.user.display_name} set need ‘{row.name}’"
               + (f": long-term support users are those with primary support reason {row.support_reason}"
                  if row.support_reason else "")
               + (f", at {money_calc.format_money(cost)} a year each in {base_year}" if cost is not None else ""))
    return row


@transaction.atomic
def set_rate(access: Access, rate: PrevalenceRate, *, value, source: str, source_year=None) -> PrevalenceRate:
    """Change one prevalence rate, with where it comes from."""
    access.require(Perm.MANAGE)
    if rate.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a rate of this organisation")
    try:
        new_rate = calc.check_rate(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="rate") from None
    source = (source or "").strip()
    if not source:
        raise InvalidInput("Say where the rate comes from", field="source")
    year = None
    if source_year not in (None, ""):
        if not re.fullmatch(r"\d{4}", str(source_year).strip()):
            raise InvalidInput("Give the source's year, such as 2019", field="source_year")
        year = int(str(source_year).strip())
    row = PrevalenceRate.objects.select_for_update().select_related("need").get(pk=rate.pk)
    before = snapshot(row, ("rate", "source", "source_year"))
    row.rate, row.source, row.source_year = new_rate, source[:300], year
    fields = stamp(row, access.user)
    row.save(update_fields=["rate", "source", "source_year", *fields])
    log_action("demand.rate.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=snapshot(row, ("rate", "source", "source_year")),
               message=f"{access.user.display_name} set the rate of {row.need.name} for {row.sex} aged "
               f"{row.age_band} to {new_rate} ({source}{f', {year}' if year else ''})")
    return row


def rates_for(org) -> list[calc.Rate]:
    return [calc.Rate(r.need.code, calc.parse_band(r.age_band), r.sex, r.rate, r.source, r.source_year)
            for r in PrevalenceRate.objects.filter(organisation=org).select_related("need")]


# -- scenarios ---------------------------------------------------------------------------------

def _clean_changes(changes: list[dict]) -> list[dict]:
    if not changes:
        raise InvalidInput("Give at least one change", field="changes")
    clean = []
    for c in changes:
        kind = str(c.get("kind") or "")
        item: dict = {"kind": kind}
        item["percent"] = float(_decimal(c.get("percent"), "percent", "the percentage"))
        if c.get("band"):
            item["band"] = str(c["band"])
        if kind == "entry_rate" and c.get("placement"):
            item["placement"] = str(c["placement"])
        if kind == "step_down":
            item["from"], item["to"] = str(c.get("from") or ""), str(c.get("to") or "")
        clean.append(item)
    # the model's own checks: known kinds, bands and placements, and no negative numbers
    try:
        calc.apply_scenario(_IDENTITY[0], _IDENTITY[1], clean)
    except calc.ScenarioError as exc:
        raise InvalidInput(str(exc), field="changes") from None
    return clean


# Rates under which nobody moves: enough to check a change's names and signs before the data.
_IDENTITY = (np.hstack([np.eye(calc.S), np.zeros((calc.S, 1))]), np.zeros(calc.S))


def _check_against_data(access: Access, changes: list[dict]) -> None:
    """Apply the changes to the rates the latest data gives; refuse any that make negative numbers."""
    data = _children_data(access.organisation)
    if data is None:
        return
    history, as_at, _pop_year, pop = data
    try:
        calc.project_children(history, as_at=as_at, reference_start=as_at - dt.timedelta(days=364 * 2), years=1,
                              population=pop, changes=changes)
    except calc.ScenarioError as exc:
        raise InvalidInput(str(exc), field="changes") from None


@transaction.atomic
def save_scenario(access: Access, *, name: str, changes: list[dict], description: str = "",
                  in_report: bool = False) -> Scenario:
    """A saved what-if for the children's model. Each change: ``kind`` entry_rate (``percent``
    up or down, optionally one ``placement`` and ``band``) or step_down (``percent`` a year of the
    children in placement ``from`` moving to ``to``, optionally one ``band``). A scenario that
    would make negative numbers of children on the current data is refused, and nothing is saved."""
    access.require(Perm.MANAGE)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the scenario", field="name")
    clean = _clean_changes(changes)
    _check_against_data(access, clean)
    if Scenario.objects.filter(organisation=access.organisation, name__iexact=name).exists():
        raise Conflict(f"There is already a scenario called ‘{name}’", field="name")
    if in_report:
        for other in Scenario.objects.select_for_update().filter(organisation=access.organisation, in_report=True):
            other.in_report = False
            other.save(update_fields=["in_report", *stamp(other, access.user)])
    scenario = Scenario(organisation=access.organisation, name=name[:200], description=(description or "").strip(),
                        changes=clean, in_report=in_report)
    stamp(scenario, access.user, new=True)
    scenario.save()
    log_action("demand.scenario.saved", actor=access.user, organisation=access.organisation, record=scenario,
               after={"changes": clean, "in_report": in_report},
               message=f"{access.user.display_name} saved children's demand scenario ‘{name}’: "
               + "; ".join(calc.describe_change(c) for c in clean)
               + (" (named in the committee report)" if in_report else ""))
    return scenario


# -- projections -------------------------------------------------------------------------------

def _children_data(org):
    """(history, as_at, population year, children by band) from the store, or None."""
    from carestat.casedata import stores

    with stores.reading(org) as store:
        if store is None:
            return None
        current = [s for s in store.submissions("ssda903") if s["status"] == "current"]
        if not current:
            return None
        history = calc.history_from_store(store)
        pop_year, pop = calc.children_population(store)
    if history is None:
        return None
    as_at = max(s["period_end"] for s in current)
    return history, as_at, pop_year, pop


def _unit_costs(org, cost_years: list[str]) -> tuple[dict[str, list[Decimal]], list[str]]:
    """Annual cost of each placement in each year, from the money model's cost drivers."""
    from carestat.finance.models import CostDriver

    out, notes = {}, []
    drivers = {d.activity: d for d in CostDriver.objects.filter(organisation=org).select_related("line")}
    for placement, group in COST_GROUP.items():
        d = drivers.get(group.value)
        if d is None:
            continue
        model = d.driver(0)
        out[placement] = [money_calc.unit_cost_in(model, y) for y in cost_years]
        notes.append(f"{calc.PLACEMENT_NAMES[placement]}: {money_calc.format_money(d.unit_cost)} a year in "
                     f"{d.base_year}, rising {d.inflation_percent}% a year (cost model of {d.line.name})")
    return out, notes


def _check_years(years, field="years") -> int:
    try:
        years = int(years)
    except (TypeError, ValueError):
        raise InvalidInput("Give the number of years to project, 1 to 5", field=field) from None
    if not 1 <= years <= 5:
        raise InvalidInput("Project 1 to 5 years ahead", field=field)
    return years


def project_children(access: Access, *, years=3, reference_years=2, resamples: int = DEFAULT_RESAMPLES,
                     scenario: Scenario | None = None, title: str = "") -> Projection:
    """Project children in care by placement from the loaded SSDA903 history and save it.

    The model starts from the children in care at the end of the latest return, with rates from
    the ``reference_years`` before it, entries per child of the population in each age band
    (the latest children's population loaded), intervals from ``resamples`` resamples of
    children, and costs from the money model's unit costs where a placement has one."""
    access.require(Perm.MANAGE)
    years = _check_years(years)
    try:
        reference_years = int(reference_years)
    except (TypeError, ValueError):
        raise InvalidInput("Give the reference window in years, 1 to 5", field="reference_years") from None
    if not 1 <= reference_years <= 5:
        raise InvalidInput("Choose a reference window of 1 to 5 years", field="reference_years")
    if not 0 <= int(resamples) <= 2000:
        raise InvalidInput("Choose 0 to 2,000 resamples", field="resamples")
    org = access.organisation
    if scenario is not None and scenario.organisation_id != org.pk:
        raise InvalidInput("Choose a scenario of this organisation", field="scenario")
    data = _children_data(org)
    if data is None:
        raise InvalidInput("No SSDA903 return has been loaded, so there is no history to project from; load "
                           "the children looked after returns first")
    history, as_at, pop_year, pop = data
    ref_start = as_at - dt.timedelta(days=364 * reference_years)
    cost_years = [calc._fy_label(as_at + dt.timedelta(days=1 + 364 * k)) for k in range(years)]
    costs, cost_notes = _unit_costs(org, cost_years)
    changes = scenario.changes if scenario else []
    try:
        result = calc.project_children(history, as_at=as_at, reference_start=ref_start, years=years,
                                       population=pop, changes=changes, resamples=int(resamples),
                                       seed=DEFAULT_SEED, unit_costs=costs or None)
    except calc.ScenarioError as exc:
        raise InvalidInput(str(exc), field="scenario") from None
    assumptions = {
        "data": f"SSDA903 episodes current in the analytics store, to {as_at:%-d %B %Y}",
        "reference_window": [ref_start.isoformat(), as_at.isoformat()],
        "population": (f"children by age band in {pop_year} (held at that level), so entries are a rate per child"
                       if pop else "no children's population loaded: entries held at the weekly number seen"),
        "population_by_band": dict(zip(calc.AGE_BANDS, pop, strict=True)) if pop else None,
        "unit_costs": cost_notes or ["no placement has a unit cost in the money model; costs are not projected"],
        "provider": "The analytics store keeps no placement provider (PLACE_PROVIDER), so every foster placement "
                    "counts as in-house fostering; agency fostering is projected once ingest keeps the provider.",
        "intervals": f"2.5th to 97.5th percentiles over {resamples} resamples of children (seed {DEFAULT_SEED})"
        if resamples else "none",
        "scenario": scenario.name if scenario else None,
        "changes": [calc.describe_change(c) for c in changes],
        "method": "weekly transitions between placement and age band; see carestat.analytics.demand",
    }
    title = title or (f"Children in care, {years} years from {as_at:%-d %B %Y}"
                      + (f": {scenario.name}" if scenario else ""))
    return _save(access, ProjectionKind.CHILDREN, title[:300], assumptions, result.as_json(), scenario)


def project_adults(access: Access, *, base_year: int | None = None, title: str = "") -> Projection:
    """People with each need by year from the latest population projection and the rates; with
    long-term support users counted from client level data, their projected number and cost."""
    access.require(Perm.MANAGE)
    org = access.organisation
    pop = current_population(org)
    if pop is None:
        raise InvalidInput("Load a population projection first", field="population")
    needs = list(Need.objects.filter(organisation=org).order_by("code"))
    rates = rates_for(org)
    if not rates:
        raise InvalidInput("Load prevalence rates first", field="rates")
    rows = population_rows(pop)
    users, counted_on = _service_users(org)
    base_year = int(base_year or (counted_on.year if counted_on else pop.first_year))
    base_year = min(max(base_year, pop.first_year), pop.last_year)
    specs = []
    user_notes = []
    for n in needs:
        now = None
        if n.support_reason and users is not None:
            now = sum(v for k, v in users.items() if k.lower().startswith(n.support_reason.lower()))
            user_notes.append(f"{n.name}: {now} people with long-term support whose primary support reason is "
                              f"{n.support_reason}, on {counted_on:%-d %B %Y}")
        specs.append(calc.NeedSpec(n.code, n.name, now, n.unit_cost, n.base_year, n.inflation_percent))
    try:
        result = calc.project_adults(rows, rates, specs, base_year=base_year)
    except calc.DemandInputError as exc:
        raise InvalidInput("; ".join(p.message for p in exc.problems), field="population") from None
    assumptions = {
        "population": f"{pop.name} ({pop.filename}, {pop.first_year} to {pop.last_year})",
        "rates": sorted({f"{r.source}{f', {r.year}' if r.year else ''}" for r in rates}),
        "service_users": user_notes or ["no client level data loaded, or no need names a primary support reason: "
                                        "need is projected, service demand and cost are not"],
        "calibration": f"long-term support users as a share of the need projected for {base_year}, held constant",
        "unit_costs": [f"{n.name}: {money_calc.format_money(n.unit_cost)} a year in {n.base_year}, rising "
                       f"{n.inflation_percent}% a year ({n.cost_source or 'source not given'})"
                       for n in needs if n.unit_cost is not None],
    }
    title = title or f"Adults' needs, {result.years[0]} to {result.years[-1]}"
    return _save(access, ProjectionKind.ADULTS, title[:300], assumptions, result.as_json(), None)


def _service_users(org) -> tuple[dict[str, int] | None, dt.date | None]:
    from carestat.casedata import stores

    with stores.reading(org) as store:
        if store is None:
            return None, None
        current = [s for s in store.submissions("cld") if s["status"] == "current"]
        if not current:
            return None, None
        day = max(s["period_end"] for s in current)
        return calc.long_term_support_users(store, day), day


def backtest(access: Access, *, as_at: dt.date | None = None, years: int = 1, reference_years: int = 1) -> Projection:
    """Run the children's model on the history known at ``as_at`` (default: ``years`` before the
    latest return) and compare its projection with what the later returns show."""
    access.require(Perm.MANAGE)
    years = _check_years(years)
    data = _children_data(access.organisation)
    if data is None:
        raise InvalidInput("No SSDA903 return has been loaded, so there is nothing to backtest")
    history, latest, _pop_year, pop = data
    as_at = as_at or (latest - dt.timedelta(days=364 * years))
    if as_at + dt.timedelta(days=364 * years) > latest:
        raise InvalidInput(f"The returns run to {latest:%-d %B %Y}; a {years}-year backtest must start by "
                           f"{latest - dt.timedelta(days=364 * years):%-d %B %Y}", field="as_at")
    ref_start = as_at - dt.timedelta(days=364 * int(reference_years))
    result = calc.backtest(history, as_at=as_at, reference_start=ref_start, years=years, population=pop)
    assumptions = {"as_at": as_at.isoformat(), "reference_window": [ref_start.isoformat(), as_at.isoformat()],
                   "compared_with": f"children in care at each year end in the returns to {latest:%-d %B %Y}",
                   "error": "mean absolute percentage error per placement over the years projected"}
    title = f"Backtest from {as_at:%-d %B %Y}, {years} year{'s' if years != 1 else ''}"
    return _save(access, ProjectionKind.BACKTEST, title, assumptions, result.as_json(), None)


@transaction.atomic
def _save(access, kind, title, assumptions, result, scenario) -> Projection:
    p = Projection.objects.create(organisation=access.organisation, kind=kind, title=title, scenario=scenario,
                                  assumptions=assumptions, result=result,
                                  made_by=access.user if access.user.pk else None, made_at=timezone.now())
    log_action(f"demand.{kind}.projected", actor=access.user, organisation=access.organisation, record=p,
               message=f"{access.user.display_name} made projection ‘{title}’")
    return p
