"""The risk register in the JSON API: the same scoped getters, services and register rows as
the pages, so the API can never allow or show what the UI would not."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.analytics.risks import Band
from carestat.core.access import get_unit_for_user, org_access
from carestat.core.api import ERRORS
from carestat.core.errors import InvalidInput
from carestat.core.models import Membership
from carestat.core.permissions import Perm
from carestat.measures.models import Measure
from carestat.plans.models import Action, Objective, Priority
from carestat.risks import services
from carestat.risks.access import (
    get_category_for_user,
    get_control_for_user,
    get_indicator_for_user,
    get_mitigation_for_user,
    get_risk_for_user,
)
from carestat.risks.models import (
    Appetite,
    AssessmentKind,
    Effectiveness,
    ReviewFrequency,
    RiskCategory,
    RiskStatus,
    matrix_for,
)
from carestat.risks.register import (
    FLAG_FILTERS,
    SORTS,
    filter_rows,
    mitigation_states,
    register_rows,
    risk_row,
    sort_rows,
)

SOLID = r"[^\s\x1c-\x1f\x85]"
FIVE_SOLID = rf"{SOLID}(.*{SOLID}){{4}}"

router = Router(tags=["risks"])
P = "/organisations/{slug}"


class ScoreOut(Schema):
    id: int
    kind: str
    likelihood: int
    impact: int
    likelihood_name: str
    impact_name: str
    score: int
    band: str
    assessed_on: dt.date
    reason: str
    period: str | None


class RiskOut(Schema):
    id: int
    version: int
    ref: str
    title: str
    category: str
    appetite: str
    appetite_max: int
    status: str
    owner: str | None
    owner_email: str | None
    unit: str | None
    plan_id: int | None
    priority_id: int | None
    review_frequency: str
    next_review: dt.date
    occurred_on: dt.date | None
    inherent: ScoreOut | None
    current: ScoreOut | None
    target: ScoreOut | None
    movement: str | None
    flags: list[str]


class ControlOut(Schema):
    id: int
    description: str
    effectiveness: str


class MitigationOut(Schema):
    id: int
    action_id: int
    action: str
    plan: str
    due: dt.date
    status: str | None
    rag: str | None


class IndicatorOut(Schema):
    id: int
    measure_id: int
    code: str
    title: str
    rag: str | None
    variation: str
    alert: bool
    why: str


class RiskDetailOut(RiskOut):
    cause: str
    event: str
    consequence: str
    issue_note: str
    assessments: list[ScoreOut]
    controls: list[ControlOut]
    mitigations: list[MitigationOut]
    indicators: list[IndicatorOut]


def _score(a) -> dict | None:
    if a is None:
        return None
    return {"id": a.pk, "kind": a.kind, "likelihood": a.likelihood, "impact": a.impact,
            "likelihood_name": a.likelihood_name, "impact_name": a.impact_name, "score": a.score, "band": a.band,
            "assessed_on": a.assessed_on, "reason": a.reason, "period": a.period.identifier if a.period else None}


def risk_dict(row) -> dict:
    r = row.risk
    return {"id": r.pk, "version": r.version, "ref": r.ref, "title": r.title, "category": r.category.name,
            "appetite": r.category.appetite, "appetite_max": r.category.max_target_score, "status": r.status,
            "owner": r.owner.display_name if r.owner else None, "owner_email": r.owner.email if r.owner else None,
            "unit": r.unit.name if r.unit else None, "plan_id": r.plan_id, "priority_id": r.priority_id,
            "review_frequency": r.review_frequency, "next_review": r.next_review, "occurred_on": r.occurred_on,
            "inherent": _score(row.inherent), "current": _score(row.current), "target": _score(row.target),
            "movement": row.movement.value if row.movement else None, "flags": row.flags.words()}


def risk_detail(risk) -> dict:
    row = risk_row(risk)
    return {**risk_dict(row), "cause": risk.cause, "event": risk.event, "consequence": risk.consequence,
            "issue_note": risk.issue_note,
            "assessments": [_score(a) for a in risk.assessments.select_related("period")],
            "controls": [{"id": c.pk, "description": c.description, "effectiveness": c.effectiveness}
                         for c in risk.controls.filter(is_archived=False)],
            "mitigations": [{"id": m.mitigation.pk, "action_id": m.mitigation.action_id,
                             "action": m.mitigation.action.title, "plan": m.mitigation.action.plan.title,
                             "due": m.mitigation.action.due, "status": m.status.value if m.status else None,
                             "rag": m.rag.value if m.rag else None} for m in mitigation_states(risk)],
            "indicators": [{"id": s.indicator.pk, "measure_id": s.indicator.measure_id,
                            "code": s.indicator.measure.code, "title": s.indicator.measure.title, "rag": s.rag,
                            "variation": s.variation_label, "alert": s.alert, "why": s.why}
                           for s in row.indicators]}


@router.get(P + "/risks", response={200: list[RiskOut], **ERRORS},
            summary="The risk register, with scores and flags; filter by flag, category or unit")
def risks(request, slug: str, flag: str = "", category_id: int | None = None, unit_id: int | None = None,
          sort: str = "score", include_closed: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    flags = [f for f in flag.split(",") if f]
    for f in flags:
        if f not in FLAG_FILTERS:
            raise InvalidInput(f"‘{f}’ is not a flag; use " + ", ".join(FLAG_FILTERS), field="flag")
    if sort not in SORTS:
        raise InvalidInput("Sort by " + ", ".join(SORTS), field="sort")
    rows = register_rows(access.organisation, include_closed=include_closed,
                         issues=None if include_closed else False)
    rows = filter_rows(rows, flags=flags, category=str(category_id or ""), unit=str(unit_id or ""))
    return [risk_dict(r) for r in sort_rows(rows, sort)]


class RiskIn(Schema):
    ref: str = Field(..., min_length=1, max_length=20, pattern=SOLID)
    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)
    category: str = Field(..., min_length=1, max_length=100, description="The category's name")
    cause: str = Field("", max_length=5000)
    event: str = Field("", max_length=5000)
    consequence: str = Field("", max_length=5000)
    unit_id: int | None = None
    priority_id: int | None = None
    owner_email: str | None = Field(None, max_length=254)
    review_frequency: ReviewFrequency = ReviewFrequency.QUARTERLY
    next_review: dt.date | None = None


class RiskChangeIn(RiskIn):
    status: RiskStatus = RiskStatus.OPEN
    version: int | None = Field(None, ge=0)


def _fields(access, payload: RiskIn) -> dict:
    category = RiskCategory.objects.filter(organisation=access.organisation,
                                           name__iexact=payload.category.strip()).first()
    if category is None:
        names = ", ".join(RiskCategory.objects.filter(organisation=access.organisation, is_archived=False)
                          .values_list("name", flat=True)) or "none yet"
        raise InvalidInput(f"‘{payload.category}’ is not a risk category of {access.organisation.name} "
                           f"(its categories: {names})", field="category")
    priority = None
    if payload.priority_id is not None:
        priority = Priority.objects.filter(plan__organisation=access.organisation, pk=payload.priority_id).first()
        if priority is None:
            raise InvalidInput(f"No plan priority {payload.priority_id} in {access.organisation.name}",
                               field="priority_id")
    owner = None
    if payload.owner_email:
        m = Membership.objects.filter(organisation=access.organisation, is_active=True,
                                      user__email__iexact=payload.owner_email.strip()).select_related("user").first()
        if m is None:
            raise InvalidInput(f"{payload.owner_email} is not a member of {access.organisation.name}",
                               field="owner_email")
        owner = m.user
    return {"ref": payload.ref, "title": payload.title, "category": category, "cause": payload.cause,
            "event": payload.event, "consequence": payload.consequence,
            "unit": get_unit_for_user(access, payload.unit_id) if payload.unit_id is not None else None,
            "plan": priority.plan if priority else None, "priority": priority, "owner": owner,
            "review_frequency": payload.review_frequency.value, "next_review": payload.next_review}


@router.post(P + "/risks", response={201: RiskDetailOut, **ERRORS}, summary="Add a risk (managers)")
def create(request, slug: str, payload: RiskIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = services.create_risk(access, **_fields(access, payload))
    return Status(201, risk_detail(get_risk_for_user(access, risk.pk)))


@router.get(P + "/risks/{risk_id}", response={200: RiskDetailOut, **ERRORS},
            summary="A risk with its assessments, controls, mitigations (with plan status and RAG) and indicators")
def detail(request, slug: str, risk_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return risk_detail(get_risk_for_user(access, risk_id))


@router.put(P + "/risks/{risk_id}", response={200: RiskDetailOut, **ERRORS},
            summary="Change a risk's details or status (managers of its unit)")
def update(request, slug: str, risk_id: int, payload: RiskChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    services.update_risk(access, risk, status=payload.status.value, expected_version=payload.version,
                         **_fields(access, payload))
    return risk_detail(get_risk_for_user(access, risk_id))


class RiskReasonIn(Schema):
    reason: str = Field(..., min_length=5, max_length=2000, pattern=FIVE_SOLID)


@router.post(P + "/risks/{risk_id}/archive", response={200: RiskDetailOut, **ERRORS},
             summary="Archive a risk, with a reason; it keeps its history")
def archive(request, slug: str, risk_id: int, payload: RiskReasonIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    services.archive_risk(access, get_risk_for_user(access, risk_id), reason=payload.reason)
    return risk_detail(get_risk_for_user(access, risk_id))


class IssueIn(Schema):
    occurred_on: dt.date
    note: str = Field(..., min_length=5, max_length=5000, pattern=FIVE_SOLID)


@router.post(P + "/risks/{risk_id}/issue", response={200: RiskDetailOut, **ERRORS},
             summary="Record that the risk has happened: it joins the issues log, keeping its history")
def issue(request, slug: str, risk_id: int, payload: IssueIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    services.record_issue(access, get_risk_for_user(access, risk_id), occurred_on=payload.occurred_on,
                          note=payload.note)
    return risk_detail(get_risk_for_user(access, risk_id))


class AssessIn(Schema):
    kind: AssessmentKind
    likelihood: int = Field(..., ge=1, le=10)
    impact: int = Field(..., ge=1, le=10)
    score: int | None = Field(None, ge=1, le=100, description="If given, must equal likelihood x impact")
    assessed_on: dt.date | None = Field(None, description="Leave out for today")
    reason: str = Field(..., min_length=5, max_length=5000, pattern=FIVE_SOLID)


@router.get(P + "/risks/{risk_id}/assessments", response={200: list[ScoreOut], **ERRORS},
            summary="Every assessment of the risk, oldest first, as it was made")
def assessments(request, slug: str, risk_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return [_score(a) for a in get_risk_for_user(access, risk_id).assessments.select_related("period")]


@router.post(P + "/risks/{risk_id}/assessments", response={201: ScoreOut, **ERRORS},
             summary="Score the risk on the organisation's matrix, with a reason (its owner or a manager)")
def assess(request, slug: str, risk_id: int, payload: AssessIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.CONTRIBUTE)
    a = services.assess(access, get_risk_for_user(access, risk_id), kind=payload.kind.value,
                        likelihood=payload.likelihood, impact=payload.impact, score=payload.score,
                        assessed_on=payload.assessed_on, reason=payload.reason)
    return Status(201, _score(a))


class ControlIn(Schema):
    description: str = Field(..., min_length=1, max_length=5000, pattern=SOLID)
    effectiveness: Effectiveness


class ControlChangeIn(ControlIn):
    is_archived: bool = False


@router.post(P + "/risks/{risk_id}/controls", response={201: ControlOut, **ERRORS}, summary="Add a control")
def add_control(request, slug: str, risk_id: int, payload: ControlIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    c = services.add_control(access, get_risk_for_user(access, risk_id), description=payload.description,
                             effectiveness=payload.effectiveness.value)
    return Status(201, {"id": c.pk, "description": c.description, "effectiveness": c.effectiveness})


@router.put(P + "/risks/{risk_id}/controls/{control_id}", response={200: ControlOut, **ERRORS},
            summary="Change a control or archive it")
def change_control(request, slug: str, risk_id: int, control_id: int, payload: ControlChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    c = services.update_control(access, get_control_for_user(access, risk, control_id),
                                description=payload.description, effectiveness=payload.effectiveness.value,
                                is_archived=payload.is_archived)
    return {"id": c.pk, "description": c.description, "effectiveness": c.effectiveness}


class MitigationActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300, pattern=SOLID)
    due: dt.date


class LinkOut(Schema):
    id: int
    risk_id: int


@router.post(P + "/risks/{risk_id}/mitigations/actions/{action_id}", response={201: LinkOut, **ERRORS},
             summary="Link a plan action of this organisation as a mitigation")
def link_action(request, slug: str, risk_id: int, action_id: int):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    action = Action.objects.filter(objective__priority__plan__organisation=access.organisation,
                                   pk=action_id).first()
    if action is None:
        raise InvalidInput(f"No action {action_id} in a plan of {access.organisation.name}; choose an "
                           "action of this organisation", field="action_id")
    m = services.link_action(access, risk, action)
    return Status(201, {"id": m.pk, "risk_id": risk.pk})


@router.post(P + "/risks/{risk_id}/mitigations/objectives/{objective_id}", response={201: LinkOut, **ERRORS},
             summary="Create a plan action under an objective and link it as a mitigation")
def create_action(request, slug: str, risk_id: int, objective_id: int, payload: MitigationActionIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    objective = Objective.objects.filter(priority__plan__organisation=access.organisation,
                                         pk=objective_id).first()
    if objective is None:
        raise InvalidInput(f"No objective {objective_id} in a plan of {access.organisation.name}",
                           field="objective_id")
    m = services.create_mitigating_action(access, risk, objective, title=payload.title, due=payload.due)
    return Status(201, {"id": m.pk, "risk_id": risk.pk})


@router.post(P + "/risks/{risk_id}/mitigations/{link_id}/remove", response={200: LinkOut, **ERRORS},
             summary="Stop treating an action as a mitigation (the link is kept in the history)")
def unlink_action(request, slug: str, risk_id: int, link_id: int):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    m = services.unlink_action(access, get_mitigation_for_user(access, risk, link_id))
    return {"id": m.pk, "risk_id": risk.pk}


@router.post(P + "/risks/{risk_id}/indicators/measures/{measure_id}", response={201: LinkOut, **ERRORS},
             summary="Link a measure of this organisation as a key risk indicator")
def link_measure(request, slug: str, risk_id: int, measure_id: int):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    measure = Measure.objects.filter(organisation=access.organisation, pk=measure_id).first()
    if measure is None:
        raise InvalidInput(f"No measure {measure_id} in {access.organisation.name}; choose a measure of "
                           "this organisation", field="measure_id")
    k = services.link_measure(access, risk, measure)
    return Status(201, {"id": k.pk, "risk_id": risk.pk})


@router.post(P + "/risks/{risk_id}/indicators/{link_id}/remove", response={200: LinkOut, **ERRORS},
             summary="Stop treating a measure as an indicator of the risk")
def unlink_measure(request, slug: str, risk_id: int, link_id: int):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    risk = get_risk_for_user(access, risk_id)
    k = services.unlink_measure(access, get_indicator_for_user(access, risk, link_id))
    return {"id": k.pk, "risk_id": risk.pk}


# Matrix and categories -----------------------------------------------------------------------

class BandSchema(Schema):
    label: str = Field(..., min_length=1, max_length=60, pattern=SOLID)
    min_score: int = Field(..., ge=1, le=100)
    rag: str = Field(..., pattern="^(green|yellow|amber|red)$")


class MatrixSchema(Schema):
    likelihood: list[str] = Field(..., min_length=3, max_length=10)
    impact: list[str] = Field(..., min_length=3, max_length=10)
    bands: list[BandSchema] = Field(..., min_length=1, max_length=10)


def _matrix(org) -> dict:
    m = matrix_for(org)
    return {"likelihood": list(m.likelihood), "impact": list(m.impact),
            "bands": [{"label": b.label, "min_score": b.min_score, "rag": b.rag} for b in m.bands]}


@router.get(P + "/risk-matrix", response={200: MatrixSchema, **ERRORS}, summary="The scoring matrix")
def matrix(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return _matrix(access.organisation)


@router.put(P + "/risk-matrix", response={200: MatrixSchema, **ERRORS},
            summary="Change level names and band thresholds (admins); history keeps its scores")
def set_matrix(request, slug: str, payload: MatrixSchema):
    access = org_access(request, slug, Perm.VIEW)
    services.set_matrix(access, likelihood=payload.likelihood, impact=payload.impact,
                        bands=[Band(b.label, b.min_score, b.rag) for b in payload.bands])
    return _matrix(access.organisation)


class CategoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=SOLID)
    appetite: Appetite
    max_target_score: int = Field(..., ge=1, le=100)


class CategoryChangeIn(CategoryIn):
    is_archived: bool = False


class CategoryOut(CategoryIn):
    id: int
    is_archived: bool


def _cat(c) -> dict:
    return {"id": c.pk, "name": c.name, "appetite": c.appetite, "max_target_score": c.max_target_score,
            "is_archived": c.is_archived}


@router.get(P + "/risk-categories", response={200: list[CategoryOut], **ERRORS},
            summary="Risk categories with their appetite")
def categories(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_cat(c) for c in RiskCategory.objects.filter(organisation=access.organisation)]


@router.post(P + "/risk-categories", response={201: CategoryOut, **ERRORS}, summary="Add a category (admins)")
def add_category(request, slug: str, payload: CategoryIn):
    access = org_access(request, slug, Perm.VIEW)
    c = services.add_category(access, name=payload.name, appetite=payload.appetite.value,
                              max_target_score=payload.max_target_score)
    return Status(201, _cat(c))


@router.put(P + "/risk-categories/{category_id}", response={200: CategoryOut, **ERRORS},
            summary="Change a category's name or appetite (admins)")
def change_category(request, slug: str, category_id: int, payload: CategoryChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.ADMINISTER)
    c = services.update_category(access, get_category_for_user(access, category_id), name=payload.name,
                                 appetite=payload.appetite.value, max_target_score=payload.max_target_score,
                                 is_archived=payload.is_archived)
    return _cat(c)
