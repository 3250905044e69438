"""Future need in the JSON API: the same services and read functions as the pages.

Projections are returned as they were saved: the result and the assumptions behind it, frozen."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.analytics.words import count_of
from carestat.core.access import _int, org_access
from carestat.core.api import ERRORS
from carestat.core.permissions import Perm
from carestat.demand import selectors, services
from carestat.demand.models import PrevalenceRate, Scenario

router = Router(tags=["demand"])
P = "/organisations/{slug}/demand"
SOLID = r"[^\s\x1c-\x1f\x85]"
NOT_422 = {k: v for k, v in ERRORS.items() if k != 422}


class DemandProjectionSummaryOut(Schema):
    id: int
    kind: str
    title: str
    scenario: str | None
    made_at: str
    made_by: str | None


class DemandProjectionOut(DemandProjectionSummaryOut):
    assumptions: dict[str, Any]
    result: dict[str, Any]


class DemandRateOut(Schema):
    id: int
    need: str
    need_name: str
    age_band: str
    sex: str
    rate: str
    source: str
    source_year: int | None


class DemandRateIn(Schema):
    rate: str = Field(..., max_length=20, description="A share (0.125) or a percentage (12.5%), 0 to 1")
    source: str = Field(..., max_length=300, pattern=SOLID)
    source_year: int | None = Field(None, ge=1900, le=2100)


class DemandChangeIn(Schema):
    kind: Literal["entry_rate", "step_down"]
    percent: float = Field(..., ge=-100, le=1000)
    band: Literal["", "0", "1-4", "5-9", "10-15", "16-17"] = ""
    placement: str | None = Field(None, max_length=40, description="entry_rate: one placement only")
    from_: str | None = Field(None, alias="from", max_length=40, description="step_down: from this placement")
    to: str | None = Field(None, max_length=40, description="step_down: to this placement")


class DemandScenarioIn(Schema):
    name: str = Field(..., max_length=200, pattern=SOLID)
    description: str = Field("", max_length=5000)
    changes: list[DemandChangeIn] = Field(..., min_length=1)
    in_report: bool = False


class DemandScenarioOut(Schema):
    id: int
    name: str
    description: str
    changes: list[dict[str, Any]]
    in_report: bool


class DemandProjectIn(Schema):
    kind: Literal["children", "adults"] = "children"
    years: int = Field(3, ge=1, le=5)
    reference_years: int = Field(2, ge=1, le=5)
    resamples: int = Field(services.DEFAULT_RESAMPLES, ge=0, le=2000)
    scenario_id: int | None = None


class DemandBacktestIn(Schema):
    years: int = Field(1, ge=1, le=5)
    reference_years: int = Field(1, ge=1, le=5)


class DemandCompareRowOut(Schema):
    name: str
    projection_id: int
    changes: list[str]
    totals: list[float]
    effect: list[float]
    cost: list[str] | None


class DemandCompareOut(Schema):
    year_ends: list[str]
    rows: list[DemandCompareRowOut]


class DemandLoadOut(Schema):
    id: int
    name: str
    filename: str
    rows: int
    first_year: int
    last_year: int
    already_loaded: bool


class DemandProblemOut(Schema):
    file: str
    row: int
    column: str
    rule: str
    message: str


class DemandFileInvalidOut(Schema):
    detail: str
    problems: list[DemandProblemOut]


def _summary(p) -> dict:
    return {"id": p.pk, "kind": p.kind, "title": p.title, "scenario": p.scenario.name if p.scenario else None,
            "made_at": p.made_at.isoformat(), "made_by": p.made_by.display_name if p.made_by else None}


def _full(p) -> dict:
    return {**_summary(p), "assumptions": p.assumptions, "result": p.result}


def _invalid(exc: services.DemandFileInvalid, filename: str):
    return Status(422, {"detail": f"Nothing was loaded: {count_of(len(exc.problems), 'problem')} in {filename}",
                        "problems": [{"file": p.file, "row": p.row, "column": p.column, "rule": p.rule,
                                      "message": p.message} for p in exc.problems]})


@router.get(P + "/projections", response={200: list[DemandProjectionSummaryOut], **ERRORS},
            summary="Projections made, newest first")
def list_projections(request, slug: str, kind: Literal["adults", "children", "backtest"] | None = None):
    access = org_access(request, slug, Perm.VIEW)
    return [_summary(p) for p in selectors.projections(access.organisation, kind)[:100]]


@router.get(P + "/projections/{projection_id}", response={200: DemandProjectionOut, **ERRORS},
            summary="One projection: its results and assumptions as made")
def get_projection(request, slug: str, projection_id: int):
    access = org_access(request, slug, Perm.VIEW)
    p = selectors.projections(access.organisation).filter(pk=_int(projection_id)).first()
    if p is None:
        raise Http404("No such projection")
    return _full(p)


@router.post(P + "/projections", response={201: DemandProjectionOut, **ERRORS},
             summary="Make and save a projection (managers): children in care from the SSDA903 history, with a "
                     "saved scenario if given; or adults' needs, service users and cost")
def post_projection(request, slug: str, payload: DemandProjectIn):
    access = org_access(request, slug, Perm.VIEW)
    if payload.kind == "adults":
        return Status(201, _full(services.project_adults(access)))
    scenario = None
    if payload.scenario_id is not None:
        scenario = Scenario.objects.filter(organisation=access.organisation, pk=payload.scenario_id).first()
        if scenario is None:
            raise Http404("No such scenario")
    p = services.project_children(access, years=payload.years, reference_years=payload.reference_years,
                                  resamples=payload.resamples, scenario=scenario)
    return Status(201, _full(p))


@router.post(P + "/backtests", response={201: DemandProjectionOut, **ERRORS},
             summary="Backtest the children's model against later returns (managers)")
def post_backtest(request, slug: str, payload: DemandBacktestIn):
    access = org_access(request, slug, Perm.VIEW)
    return Status(201, _full(services.backtest(access, years=payload.years, reference_years=payload.reference_years)))


@router.get(P + "/scenarios", response={200: list[DemandScenarioOut], **ERRORS}, summary="Saved scenarios")
def list_scenarios(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [{"id": s.pk, "name": s.name, "description": s.description, "changes": s.changes,
             "in_report": s.in_report} for s in selectors.scenarios(access.organisation)]


@router.post(P + "/scenarios", response={201: DemandScenarioOut, **ERRORS},
             summary="Save a scenario (managers); one that makes negative numbers is refused")
def post_scenario(request, slug: str, payload: DemandScenarioIn):
    access = org_access(request, slug, Perm.VIEW)
    changes = [{k: v for k, v in c.model_dump(by_alias=True).items() if v not in (None, "")}
               for c in payload.changes]
    s = services.save_scenario(access, name=payload.name, description=payload.description, changes=changes,
                               in_report=payload.in_report)
    return Status(201, {"id": s.pk, "name": s.name, "description": s.description, "changes": s.changes,
                        "in_report": s.in_report})


@router.get(P + "/compare", response={200: DemandCompareOut, **ERRORS},
            summary="The baseline children's projection against each scenario's latest")
def compare(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    years, rows = selectors.compare(access.organisation)
    return {"year_ends": years, "rows": [{"name": r.name, "projection_id": r.projection.pk, "changes": r.changes,
                                          "totals": r.totals, "effect": r.effect, "cost": r.cost} for r in rows]}


@router.get(P + "/rates", response={200: list[DemandRateOut], **ERRORS}, summary="Prevalence rates and sources")
def list_rates(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_rate(r) for r in selectors.rates(access.organisation)]


def _rate(r) -> dict:
    return {"id": r.pk, "need": r.need.code, "need_name": r.need.name, "age_band": r.age_band, "sex": r.sex,
            "rate": str(r.rate), "source": r.source, "source_year": r.source_year}


@router.post(P + "/rates/{rate_id}", response={200: DemandRateOut, **ERRORS},
             summary="Change a prevalence rate and its source (managers)")
def post_rate(request, slug: str, rate_id: int, payload: DemandRateIn):
    access = org_access(request, slug, Perm.VIEW)
    row = PrevalenceRate.objects.filter(organisation=access.organisation, pk=_int(rate_id)).first()
    if row is None:
        raise Http404("No such rate")
    return _rate(services.set_rate(access, row, value=payload.rate, source=payload.source,
                                   source_year=payload.source_year))


@router.post(P + "/population", response={200: DemandLoadOut, 422: DemandFileInvalidOut, **NOT_422},
             summary="Load a population projection CSV (managers): all rows or none; the same file twice "
                     "changes nothing")
def post_population(request, slug: str, file: UploadedFile = File(...), name: str = Form("")):  # noqa: B008
    access = org_access(request, slug, Perm.VIEW)
    try:
        result = services.load_population(access, file.read(), filename=file.name or "population.csv", name=name)
    except services.DemandFileInvalid as exc:
        return _invalid(exc, file.name)
    p = result.projection
    return {"id": p.pk, "name": p.name, "filename": p.filename, "rows": p.rows, "first_year": p.first_year,
            "last_year": p.last_year, "already_loaded": result.already_loaded}
