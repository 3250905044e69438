"""Measures in the JSON API: the list, a measure with its judgements, values and targets.

``?public=true`` gives the published view: suppressed figures come back as null with
``suppressed: true`` and are left out of the judgements, as on the public page. A suppressed
latest value stays the latest (``latest_suppressed: true``, nothing judged); no earlier
period's figure takes its place.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.changes import name_of
from carestat.core.permissions import Perm
from carestat.measures import selectors, services
from carestat.measures.access import get_measure_for_user, get_revision_for_user, get_value_for_user
from carestat.measures.judging import MeasureReport, judge, value_rows_for_public
from carestat.measures.models import Measure, MeasureValue, Target
from carestat.measures.selectors import cached_measure_rows

router = Router(tags=["measures"])


class JudgementOut(Schema):
    against_target: str
    previous_period: str
    same_period_last_year: str
    benchmarks: list[str]
    spc: str
    explanations: list[str]
    rag_and_assurance: str | None = Field(None, description="Why both hold, when RAG and SPC assurance disagree")
    suggested_process_change: dt.date | None = Field(
        None, description="Where an SPC shift began and no process change is recorded yet")


class MeasureOut(Schema):
    code: str
    title: str
    domain: str
    unit: str
    polarity: str
    frequency: str
    owner_unit: str | None
    is_public: bool
    is_local: bool
    latest_period: str | None
    latest_value: float | None
    latest_suppressed: bool = Field(False, description="The latest value rests on fewer than 5 (public view): "
                                    "latest_value is null and nothing is judged for latest_period")
    target: float | None
    national: float | None
    benchmarks_compared: bool = Field(..., description="False for a count: benchmarks are context, not compared")
    rag: str | None
    variation: str | None
    assurance: str | None


class MeasureObjectiveOut(Schema):
    id: int
    statement: str
    plan_id: int
    plan: str


class MeasureDetailOut(MeasureOut):
    numerator_definition: str
    denominator_definition: str
    notes: str
    national_source: str | None
    judgement: JudgementOut | None
    notes_on_judgement: list[str]
    objectives: list[MeasureObjectiveOut]


class ValueOut(Schema):
    id: int
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    status: str
    source: str
    is_provisional: bool
    version: int
    provenance: str
    submissions: list[str]
    method_version: str
    computed_at: dt.datetime | None


class ValueIn(Schema):
    period: str = Field(..., max_length=20, description="2025-26 (annual), 2025-26-Q2 (quarterly) or 2025-09")
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    is_provisional: bool = False
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=1000, description="Needed to revise an approved value")


class TargetOut(Schema):
    period: str
    value: float
    tolerance: float
    tolerance_kind: str


class TargetIn(Schema):
    period: str = Field(..., max_length=20)
    value: float
    tolerance: float | None = None


def _f(d) -> float | None:
    return None if d is None else float(d)


def _summary(m: Measure, r: MeasureReport) -> dict:
    latest = r.latest_point  # the latest approved value, never an earlier one standing in for a suppressed one
    national = r.national
    return {
        "code": m.code, "title": m.title, "domain": m.domain, "unit": m.unit, "polarity": m.polarity,
        "frequency": m.frequency, "owner_unit": m.owner_unit.name if m.owner_unit else None, "is_public": m.is_public,
        "is_local": m.is_local, "latest_period": latest.period if latest else None,
        "latest_value": _f(latest.value.value) if latest and not latest.suppressed else None,
        "latest_suppressed": r.latest_suppressed,
        "target": _f(r.target.value) if r.target else None, "national": _f(national.value) if national else None,
        "benchmarks_compared": m.benchmarks_compared,
        "rag": r.rag, "variation": r.variation.value if r.variation else None,
        "assurance": r.assurance.value if r.assurance else None,
    }


def _value(v: MeasureValue) -> dict:
    return {"id": v.pk, "period": v.period, "value": _f(v.value), "numerator": _f(v.numerator),
            "denominator": _f(v.denominator), "suppressed": False, "status": v.status, "source": v.source,
            "is_provisional": v.is_provisional, "version": v.version, "provenance": v.provenance,
            "submissions": [str(s) for s in v.submissions], "method_version": v.method_version,
            "computed_at": v.computed_at}


def _target(t: Target) -> dict:
    return {"period": t.period, "value": float(t.value), "tolerance": float(t.effective_tolerance),
            "tolerance_kind": t.effective_tolerance_kind}


@router.get("/organisations/{slug}/measures", response={200: list[MeasureOut], **ERRORS},
            summary="Measures the organisation tracks, each with its latest judgement")
def measures(request, slug: str, public: bool = False, domain: str = "", plan: str = "", unit: str = "",
             rag: str = "", variation: str = ""):
    """``plan`` and ``unit`` are ids: the measures serving that plan's objectives, or owned by that unit."""
    access = org_access(request, slug, Perm.VIEW)
    rows, _ = cached_measure_rows(access.organisation, public=public, domain=domain, plan=plan, unit=unit, rag=rag,
                                  variation=variation)
    return [_summary(row["measure"], row["report"]) for row in rows]


@router.get("/organisations/{slug}/measures/{code}", response={200: MeasureDetailOut, **ERRORS},
            summary="A measure with its definition and judgements explained in words")
def measure(request, slug: str, code: str, public: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    if public and not m.is_public:
        raise Http404("No such public measure")
    r = judge(m, public=public, chart=False)
    j = r.judgement
    judgement = None if j is None else {
        "against_target": j.rag.explanation, "previous_period": j.travel.previous_period.explanation,
        "same_period_last_year": j.travel.same_period_last_year.explanation,
        "benchmarks": [b.explanation for b in j.benchmarks], "spc": j.spc.explanation, "explanations": j.explanations,
        "rag_and_assurance": j.disagreement,
        "suggested_process_change": r.suggested_change.starts_on if r.suggested_change else None,
    }
    cat = m.catalogue
    return {**_summary(m, r), "numerator_definition": m.numerator_definition,
            "denominator_definition": m.denominator_definition, "notes": m.public_notes,
            "national_source": cat.national_source if cat and cat.national_value is not None else None,
            "judgement": judgement, "notes_on_judgement": r.notes,
            "objectives": [{"id": link.objective.pk, "statement": link.objective.statement,
                            "plan_id": link.objective.priority.plan_id, "plan": link.objective.priority.plan.title}
                           for link in m.objective_links.select_related("objective__priority__plan")]}


@router.get("/organisations/{slug}/measures/{code}/values", response={200: list[ValueOut], **ERRORS},
            summary="A measure's values, newest first, with status and provenance")
def values(request, slug: str, code: str, public: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    if public:
        if not m.is_public:
            raise Http404("No such public measure")
        r = judge(m, public=True, chart=False)
        by_period = {v.period: v for v in r.all_values}
        out = []
        for row in value_rows_for_public(r):
            v = _value(by_period[row["period"]])
            if row["suppressed"]:
                v.update(value=None, numerator=None, denominator=None, suppressed=True)
            out.append(v)
        return out
    return [_value(v) for v in m.values.select_related("entered_by", "approved_by").order_by("-period_start")]


@router.post("/organisations/{slug}/measures/{code}/values", response={201: ValueOut, **ERRORS},
             summary="Enter a value (contributors: awaits approval; managers: approved)")
def add_value(request, slug: str, code: str, payload: ValueIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    v = services.enter_value(access, m, **payload.dict())
    return Status(201, _value(v))


@router.post("/organisations/{slug}/measures/{code}/values/{value_id}/approve", response={200: ValueOut, **ERRORS},
             summary="Approve a submitted value (managers)")
def approve_value(request, slug: str, code: str, value_id: int):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    access.require(Perm.MANAGE)
    v = get_value_for_user(access, value_id)
    if v.measure_id != m.pk:
        raise Http404("No such value")
    return _value(services.approve_value(access, v))


@router.get("/organisations/{slug}/measures/{code}/targets", response={200: list[TargetOut], **ERRORS})
def targets(request, slug: str, code: str):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    return [_target(t) for t in m.targets.order_by("period_start")]


@router.post("/organisations/{slug}/measures/{code}/targets", response={201: TargetOut, **ERRORS},
             summary="Set the target for a period (managers)")
def set_target(request, slug: str, code: str, payload: TargetIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    return Status(201, _target(services.set_target(access, m, **payload.dict())))


class BenchmarkOut(Schema):
    id: int
    kind: str
    name: str
    value: float
    source: str
    year: str


class BenchmarkIn(Schema):
    kind: str = Field(..., description="national, regional or comparator")
    name: str = Field("", max_length=120)
    value: float
    source: str = Field(..., max_length=300)
    year: str = Field(..., max_length=20)


class ProcessChangeOut(Schema):
    id: int
    starts_on: dt.date
    reason: str


class ProcessChangeIn(Schema):
    starts_on: dt.date
    reason: str = Field(..., max_length=2000)


def _benchmark(b) -> dict:
    return {"id": b.pk, "kind": b.kind, "name": b.name, "value": float(b.value), "source": b.source, "year": b.year}


@router.get("/organisations/{slug}/measures/{code}/benchmarks", response={200: list[BenchmarkOut], **ERRORS})
def benchmarks(request, slug: str, code: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_benchmark(b) for b in get_measure_for_user(access, code).benchmarks.all()]


@router.post("/organisations/{slug}/measures/{code}/benchmarks", response={201: BenchmarkOut, **ERRORS},
             summary="Add a regional or comparator benchmark with its source and year (managers)")
def add_benchmark(request, slug: str, code: str, payload: BenchmarkIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    return Status(201, _benchmark(services.add_benchmark(access, m, **payload.dict())))


@router.get("/organisations/{slug}/measures/{code}/process-changes", response={200: list[ProcessChangeOut], **ERRORS})
def process_changes(request, slug: str, code: str):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    return [{"id": p.pk, "starts_on": p.starts_on, "reason": p.reason} for p in m.process_changes.all()]


@router.post("/organisations/{slug}/measures/{code}/process-changes", response={201: ProcessChangeOut, **ERRORS},
             summary="Record a process change: SPC limits are recalculated from it (managers)")
def add_process_change(request, slug: str, code: str, payload: ProcessChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_measure_for_user(access, code)
    p = services.record_process_change(access, m, starts_on=payload.starts_on, reason=payload.reason)
    return Status(201, {"id": p.pk, "starts_on": p.starts_on, "reason": p.reason})


# Recomputed figures awaiting approval --------------------------------------------------

class RecomputedOut(Schema):
    id: int
    code: str
    period: str
    status: str
    approved_value: float = Field(description="The approved figure it would replace")
    recomputed_value: float
    recomputed_numerator: float | None
    recomputed_denominator: float | None
    submissions: list[str]
    method_version: str
    computed_at: dt.datetime
    decided_by: str | None
    decision_reason: str


class RejectIn(Schema):
    reason: str


def _num(x) -> float | None:
    return None if x is None else float(x)


def _recomputed(r) -> dict:
    return {"id": r.pk, "code": r.current.measure.code, "period": r.current.period, "status": r.status,
            "approved_value": float(r.replaces_value), "recomputed_value": float(r.value),
            "recomputed_numerator": _num(r.numerator), "recomputed_denominator": _num(r.denominator),
            "submissions": r.submissions, "method_version": r.method_version, "computed_at": r.computed_at,
            "decided_by": name_of(r.decided_by, None),
            "decision_reason": r.decision_reason}


@router.get("/organisations/{slug}/recomputed-figures", response={200: list[RecomputedOut], **ERRORS},
            summary="Recomputed figures that differ from approved values and await a manager's approval")
def recomputed_figures(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_recomputed(r) for r in selectors.pending_revisions(access.organisation)]


@router.post("/organisations/{slug}/recomputed-figures/{revision_id}/approve",
             response={200: RecomputedOut, **ERRORS},
             summary="Approve a recomputed figure: it replaces the approved value, which is kept in history (managers)")
def approve_recomputed(request, slug: str, revision_id: int):
    access = org_access(request, slug, Perm.VIEW)
    revision = get_revision_for_user(access, revision_id)
    services.approve_revision(access, revision)
    revision.refresh_from_db()
    return _recomputed(revision)


@router.post("/organisations/{slug}/recomputed-figures/{revision_id}/reject",
             response={200: RecomputedOut, **ERRORS},
             summary="Reject a recomputed figure with a reason; the approved value stays (managers)")
def reject_recomputed(request, slug: str, revision_id: int, payload: RejectIn):
    access = org_access(request, slug, Perm.VIEW)
    revision = get_revision_for_user(access, revision_id)
    return _recomputed(services.reject_revision(access, revision, reason=payload.reason))
