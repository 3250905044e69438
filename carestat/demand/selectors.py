"""How future need is read: pages, the API, the command line and the report all read here."""

from __future__ import annotations

from dataclasses import dataclass

from carestat.analytics import demand as calc
from carestat.demand.models import Need, PopulationProjection, PrevalenceRate, Projection, ProjectionKind, Scenario


def projections(org, kind: str | None = None):
    qs = Projection.objects.filter(organisation=org).select_related("scenario", "made_by")
    return qs.filter(kind=kind) if kind else qs


def latest(org, kind: str, *, baseline: bool = False) -> Projection | None:
    qs = projections(org, kind)
    if baseline:
        qs = qs.filter(scenario__isnull=True)
    return qs.first()


def latest_for_scenario(org, scenario: Scenario) -> Projection | None:
    return projections(org, ProjectionKind.CHILDREN).filter(scenario=scenario).first()


def scenarios(org):
    return Scenario.objects.filter(organisation=org, is_archived=False)


def reported_scenario(org) -> Scenario | None:
    return scenarios(org).filter(in_report=True).first()


def needs(org):
    return Need.objects.filter(organisation=org).prefetch_related("rates")


def rates(org):
    return PrevalenceRate.objects.filter(organisation=org).select_related("need")


def population_files(org):
    return PopulationProjection.objects.filter(organisation=org)


@dataclass
class CompareRow:
    name: str
    projection: Projection
    changes: list[str]
    totals: list[float]
    effect: list[float]
    cost: list[str] | None


def compare(org) -> tuple[list[str], list[CompareRow]]:
    """The baseline children's projection and each scenario's latest, year by year, with each
    scenario's difference from the baseline (projections made with the same years only)."""
    base = latest(org, ProjectionKind.CHILDREN, baseline=True)
    if base is None:
        return [], []
    years = base.result["year_ends"]
    rows = [CompareRow("Baseline", base, [], base.result["total"], [0.0] * len(years), base.result.get("cost"))]
    for s in scenarios(org):
        p = latest_for_scenario(org, s)
        if p is None or p.result["year_ends"] != years:
            continue
        rows.append(CompareRow(s.name, p, [calc.describe_change(c) for c in s.changes], p.result["total"],
                               [round(a - b, 2) for a, b in zip(p.result["total"], base.result["total"], strict=True)],
                               p.result.get("cost")))
    return years, rows
