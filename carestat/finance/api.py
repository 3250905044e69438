"""Money in the JSON API: the same scoped getters, services and figures as the pages.

Amounts are decimal strings ("1234.50") so no penny is lost to floating point."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.analytics.words import count_of
from carestat.core.access import get_period_for_user, org_access
from carestat.core.api import ERRORS
from carestat.core.permissions import Perm
from carestat.finance import ledger, services
from carestat.finance.access import get_line_for_user, get_mtp_for_user, get_saving_for_user, get_scenario_for_user
from carestat.finance.models import PeriodFigure, ServiceLine
from carestat.finance.summary import current_year, savings_by_year, savings_rows, year_position

router = Router(tags=["finance"])
P = "/organisations/{slug}/finance"

# Inputs are as strict in the document as in the services, so a request the document allows is
# never refused for its shape: amounts are decimal strings, years and quarters have their form
# (an impossible one, such as 2026-99, is "no such year": 404), names are not blank.
SOLID = r"[^\s\x1c-\x1f\x85]"
FIVE_SOLID = rf"{SOLID}(.*{SOLID}){{4}}"
POUNDS = r"^[0-9]{1,11}(\.[0-9]{1,2})?$"
YEAR = r"^[0-9]{4}-[0-9]{2}$"
QUARTER = r"^[0-9]{4}-[0-9]{2}-Q[1-4]$"


def _money_in(description: str):
    return Field(..., pattern=POUNDS, description=f"{description}, in pounds as a decimal string (\"125000.50\")")


def _fy(label: str) -> str:
    """A financial year from a request, or 404 (as for any other record that does not exist)."""
    from carestat.core.errors import InvalidInput

    try:
        return services.financial_year(label)
    except InvalidInput:
        raise Http404(f"No financial year {label}") from None


class LinePositionOut(Schema):
    id: int
    cost_code: str
    name: str
    parent_id: int | None
    depth: int
    budget: Decimal
    forecast: Decimal
    forecast_as_at: str | None
    actual_to_date: Decimal
    variance: Decimal
    variance_percent: Decimal | None
    rag: str
    latest_commentary: str | None


class YearOut(Schema):
    year: str
    budget: Decimal
    forecast: Decimal
    actual_to_date: Decimal
    variance: Decimal
    variance_percent: Decimal | None
    rag: str
    lines_without_forecast: int
    lines: list[LinePositionOut]


class LineIn(Schema):
    name: str = Field(..., max_length=200, pattern=SOLID)
    cost_code: str = Field(..., max_length=40, pattern=SOLID)
    parent_id: int | None = None


class LineOut(Schema):
    id: int
    cost_code: str
    name: str
    parent_id: int | None
    unit: str | None
    is_archived: bool


class FigureOut(Schema):
    period: str
    actual: Decimal | None
    forecast: Decimal | None
    closed: bool


class CommentOut(Schema):
    period: str
    text: str
    by: str | None
    at: str


class LineDetailOut(Schema):
    year: str
    position: LinePositionOut
    children: list[LinePositionOut]
    figures: list[FigureOut]
    commentary: list[CommentOut]


class BudgetIn(Schema):
    year: str = Field(..., pattern=YEAR)
    amount: str = _money_in("The approved budget for the year")


class CommentIn(Schema):
    period: str = Field(..., max_length=20, description="A month (2026-09) or quarter (2026-27-Q2)")
    text: str = Field(..., pattern=FIVE_SOLID, max_length=5000)


class ImportOut(Schema):
    filename: str
    sha256: str
    rows: int
    changed: int
    already_loaded: bool
    imported_at: str


class LedgerProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportInvalidOut(Schema):
    detail: str
    problems: list[LedgerProblemOut]


class SavingsTargetOut(Schema):
    year: str
    target: Decimal
    delivered: Decimal


class SavingOut(Schema):
    id: int
    reference: str
    title: str
    owner: str | None
    status: str
    deliverability: str
    line_id: int | None
    action_id: int | None
    action: str | None
    risk_id: int | None
    risk: str | None
    targets: list[SavingsTargetOut]


RAG = Literal["red", "amber", "green"]
STATUS = Literal["proposed", "approved", "delivering", "delivered", "at_risk", "written_off"]


class SavingsTargetIn(Schema):
    year: str = Field(..., pattern=YEAR)
    target: str = _money_in("The saving's target for the year")


class SavingIn(Schema):
    reference: str = Field(..., max_length=20, pattern=SOLID)
    title: str = Field(..., max_length=300, pattern=SOLID)
    description: str = Field("", max_length=5000)
    targets: list[SavingsTargetIn] = Field(..., min_length=1)
    deliverability: RAG = "amber"
    status: STATUS = "proposed"
    line_id: int | None = None
    action_id: int | None = None
    risk_id: int | None = None


class SavingLinksIn(Schema):
    owner_id: int | None = Field(None, description="A member of the organisation; null: no owner")
    line_id: int | None = None
    action_id: int | None = Field(None, description="The plan action that delivers the saving; null: none")
    risk_id: int | None = Field(None, description="The risk to the saving's delivery; null: none")


class SavingStatusIn(Schema):
    status: STATUS
    deliverability: RAG
    reason: str = Field(..., pattern=FIVE_SOLID, max_length=2000, description="Why the status changed")


class DeliveryIn(Schema):
    year: str = Field(..., pattern=YEAR)
    delivered: str = _money_in("Delivered to date in the year")


class SavingsYearOut(Schema):
    year: str
    target: Decimal
    delivered: Decimal
    delivered_percent: Decimal | None
    shortfall: Decimal


def _pos(p) -> dict:
    return {"id": p.line.pk, "cost_code": p.line.cost_code, "name": p.line.name, "parent_id": p.line.parent_id,
            "depth": p.depth, "budget": p.budget, "forecast": p.forecast, "forecast_as_at": p.forecast_as_at,
            "actual_to_date": p.actual, "variance": p.variance.amount, "variance_percent": p.variance.percent,
            "rag": p.variance.rag.value, "latest_commentary": p.comment.text if p.comment else None}


def _year(year: str | None) -> str:
    return _fy(year or current_year(timezone.localdate()))


@router.get(P + "/summary", response={200: YearOut, **ERRORS},
            summary="A financial year: budget, forecast outturn, variance and RAG, in total and by line")
def summary(request, slug: str, year: str | None = None):
    access = org_access(request, slug, Perm.VIEW)
    pos = year_position(access.organisation, _year(year))
    return {"year": pos.year, "budget": pos.budget, "forecast": pos.forecast, "actual_to_date": pos.actual,
            "variance": pos.variance.amount, "variance_percent": pos.variance.percent, "rag": pos.variance.rag.value,
            "lines_without_forecast": pos.without_forecast, "lines": [_pos(p) for p in pos.flat()]}


def _line(line) -> dict:
    return {"id": line.pk, "cost_code": line.cost_code, "name": line.name, "parent_id": line.parent_id,
            "unit": line.unit.name if line.unit else None, "is_archived": line.is_archived}


@router.get(P + "/lines", response={200: list[LineOut], **ERRORS}, summary="Service lines and their cost codes")
def lines(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_line(x) for x in ServiceLine.objects.filter(organisation=access.organisation).select_related("unit")]


@router.post(P + "/lines", response={201: LineOut, **ERRORS}, summary="Add a service line (managers)")
def add_line(request, slug: str, payload: LineIn):
    access = org_access(request, slug, Perm.VIEW)
    parent = get_line_for_user(access, payload.parent_id) if payload.parent_id else None
    return Status(201, _line(services.add_line(access, name=payload.name, cost_code=payload.cost_code,
                                               parent=parent)))


class LineChangeIn(Schema):
    name: str = Field(..., max_length=200, pattern=SOLID)
    cost_code: str = Field(..., max_length=40, pattern=SOLID)
    parent_id: int | None = None
    is_archived: bool = False


@router.put(P + "/lines/{line_id}", response={200: LineOut, **ERRORS},
            summary="Rename, re-code, move or archive a service line (managers; a line with figures in a closed "
                    "period keeps its cost code, place and state)")
def change_line(request, slug: str, line_id: int, payload: LineChangeIn):
    access = org_access(request, slug, Perm.VIEW)
    line = get_line_for_user(access, line_id)
    parent = get_line_for_user(access, payload.parent_id) if payload.parent_id else None
    services.update_line(access, line, name=payload.name, cost_code=payload.cost_code, parent=parent,
                         unit=line.unit, is_archived=payload.is_archived)
    return _line(get_line_for_user(access, line_id))


class MediumTermPlanOut(Schema):
    id: int
    title: str
    first_year: str
    years: int
    year_labels: list[str]
    plan_id: int | None
    is_archived: bool


class MediumTermPlanIn(Schema):
    title: str = Field(..., max_length=200, pattern=SOLID)
    first_year: str = Field(..., pattern=YEAR)
    years: int = Field(..., ge=3, le=5)
    plan_id: int | None = None
    is_archived: bool = False


def _mtp(m) -> dict:
    return {"id": m.pk, "title": m.title, "first_year": m.first_year, "years": m.years, "year_labels": m.year_labels,
            "plan_id": m.plan_id, "is_archived": m.is_archived}


@router.get(P + "/medium-term-plans", response={200: list[MediumTermPlanOut], **ERRORS},
            summary="Medium-term financial plans")
def medium_term_plans(request, slug: str):
    from carestat.finance.models import MediumTermPlan

    access = org_access(request, slug, Perm.VIEW)
    return [_mtp(m) for m in MediumTermPlan.objects.filter(organisation=access.organisation)]


@router.put(P + "/medium-term-plans/{mtp_id}", response={200: MediumTermPlanOut, **ERRORS},
            summary="Change a medium-term plan's title, years or plan, or archive it (managers)")
def change_medium_term_plan(request, slug: str, mtp_id: int, payload: MediumTermPlanIn):
    from carestat.plans.access import get_plan_for_user

    access = org_access(request, slug, Perm.VIEW)
    mtp = get_mtp_for_user(access, mtp_id)
    plan = get_plan_for_user(access, payload.plan_id) if payload.plan_id else None
    services.update_medium_term_plan(access, mtp, title=payload.title, first_year=_fy(payload.first_year),
                                     years=payload.years, plan=plan, is_archived=payload.is_archived)
    return _mtp(get_mtp_for_user(access, mtp_id))


def _line_detail(access, line, year) -> dict:
    from carestat.analytics.periods import parse_period

    fy = parse_period(year)
    node = year_position(access.organisation, year, root=line).lines[0]
    figures = (PeriodFigure.objects.filter(line=line, period__start__gte=fy.start, period__end__lte=fy.end)
               .select_related("period").order_by("period__start"))
    comments = line.comments.filter(period__start__gte=fy.start, period__end__lte=fy.end).select_related(
        "period", "created_by")
    return {"year": year, "position": _pos(node), "children": [_pos(c) for c in node.children],
            "figures": [{"period": f.period.identifier, "actual": f.actual, "forecast": f.forecast,
                         "closed": f.period.is_closed} for f in figures],
            "commentary": [{"period": c.period.identifier, "text": c.text,
                            "by": c.created_by.display_name if c.created_by else None,
                            "at": c.created_at.isoformat()} for c in comments]}


@router.get(P + "/lines/{line_id}", response={200: LineDetailOut, **ERRORS},
            summary="A line's position in a year, the lines below it, its period figures and commentary")
def line(request, slug: str, line_id: int, year: str | None = None):
    access = org_access(request, slug, Perm.VIEW)
    return _line_detail(access, get_line_for_user(access, line_id), _year(year))


@router.post(P + "/lines/{line_id}/budgets", response={200: LineDetailOut, **ERRORS},
             summary="Set a line's approved budget for a financial year (managers; a closed year is frozen)")
def set_budget(request, slug: str, line_id: int, payload: BudgetIn):
    access = org_access(request, slug, Perm.VIEW)
    line = get_line_for_user(access, line_id)
    year = _fy(payload.year)
    services.set_budget(access, line, year=year, amount_=payload.amount)
    return _line_detail(access, line, year)


@router.post(P + "/lines/{line_id}/commentary", response={201: CommentOut, **ERRORS},
             summary="Comment on a line's variance in a month or quarter (managers; a closed period is frozen)")
def add_comment(request, slug: str, line_id: int, payload: CommentIn):
    access = org_access(request, slug, Perm.VIEW)
    line = get_line_for_user(access, line_id)
    period = get_period_for_user(access, payload.period)
    if period.kind not in ("month", "quarter"):
        raise Http404(f"No month or quarter {payload.period}")
    c = services.add_comment(access, line, period, text=payload.text)
    return Status(201, {"period": c.period.identifier, "text": c.text, "by": access.user.display_name,
                        "at": c.created_at.isoformat()})


@router.post(P + "/import", response={200: ImportOut, 422: ImportInvalidOut, **{k: v for k, v in ERRORS.items()
                                                                                if k != 422}},
             summary="Import a ledger extract, CSV or Excel (managers): all rows or none; the same file twice "
                     "changes nothing")
def import_ledger(request, slug: str, file: UploadedFile = File(...)):  # noqa: B008 (ninja's form parameter)
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    try:
        result = ledger.import_ledger(access, file.read(), filename=file.name or "ledger.csv")
    except ledger.LedgerInvalid as exc:
        return Status(422, {"detail": f"Nothing was imported: {count_of(len(exc.problems), 'problem')} in {file.name}",
                            "problems": [{"row": p.row, "column": p.column, "message": p.message}
                                         for p in exc.problems]})
    return result.as_json()


# Savings -------------------------------------------------------------------------------------------

def _saving(s) -> dict:
    return {"id": s.pk, "reference": s.reference, "title": s.title,
            "owner": s.owner.display_name if s.owner else None, "status": s.status,
            "deliverability": s.deliverability, "line_id": s.line_id, "action_id": s.action_id,
            "action": s.action.title if s.action else None, "risk_id": s.risk_id,
            "risk": f"{s.risk.ref} {s.risk.title}" if s.risk else None,
            "targets": [{"year": t.year, "target": t.target, "delivered": t.delivered} for t in s.targets.all()]}


@router.get(P + "/savings", response={200: list[SavingOut], **ERRORS}, summary="The savings programme")
def savings(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_saving(s) for s in savings_rows(access.organisation)]


@router.get(P + "/savings/by-year", response={200: list[SavingsYearOut], **ERRORS},
            summary="Savings delivered to date against target, by year")
def savings_years(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [{"year": y.year, "target": y.target, "delivered": y.delivered,
             "delivered_percent": y.position.percent, "shortfall": y.position.shortfall}
            for y in savings_by_year(access.organisation)]


@router.post(P + "/savings", response={201: SavingOut, **ERRORS},
             summary="Add a saving with its target for each year (managers)")
def add_saving(request, slug: str, payload: SavingIn):
    from carestat.plans.access import get_action_for_user

    access = org_access(request, slug, Perm.VIEW)
    line = get_line_for_user(access, payload.line_id) if payload.line_id else None
    action = get_action_for_user(access, payload.action_id) if payload.action_id else None
    risk = _risk(access, payload.risk_id)
    targets = {_fy(t.year): t.target for t in payload.targets}
    s = services.add_saving(access, reference=payload.reference, title=payload.title,
                            description=payload.description, targets=targets,
                            deliverability=payload.deliverability, status=payload.status, line=line, action=action,
                            risk=risk, owner=access.user)
    return Status(201, _saving(get_saving_for_user(access, s.pk)))


def _risk(access, risk_id):
    from carestat.risks.access import get_risk_for_user

    return get_risk_for_user(access, risk_id) if risk_id else None


@router.put(P + "/savings/{saving_id}/links", response={200: SavingOut, **ERRORS},
            summary="Choose or clear a saving's owner, service line, delivering plan action and risk (managers)")
def saving_links(request, slug: str, saving_id: int, payload: SavingLinksIn):
    from carestat.core.models import Membership
    from carestat.plans.access import get_action_for_user

    access = org_access(request, slug, Perm.VIEW)
    s = get_saving_for_user(access, saving_id)
    owner = None
    if payload.owner_id:
        m = Membership.objects.filter(organisation=access.organisation, user_id=payload.owner_id).select_related(
            "user").first()
        if m is None:
            raise Http404("No such member")
        owner = m.user
    services.set_saving_links(
        access, s, owner=owner, line=get_line_for_user(access, payload.line_id) if payload.line_id else None,
        action=get_action_for_user(access, payload.action_id) if payload.action_id else None,
        risk=_risk(access, payload.risk_id))
    return _saving(get_saving_for_user(access, saving_id))


@router.get(P + "/savings/{saving_id}", response={200: SavingOut, **ERRORS})
def saving(request, slug: str, saving_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _saving(get_saving_for_user(access, saving_id))


@router.post(P + "/savings/{saving_id}/status", response={200: SavingOut, **ERRORS},
             summary="Change a saving's status or deliverability (managers; writing off needs a reason)")
def saving_status(request, slug: str, saving_id: int, payload: SavingStatusIn):
    access = org_access(request, slug, Perm.VIEW)
    s = services.update_saving(access, get_saving_for_user(access, saving_id), status=payload.status,
                               deliverability=payload.deliverability, reason=payload.reason)
    return _saving(get_saving_for_user(access, s.pk))


@router.post(P + "/savings/{saving_id}/delivered", response={200: SavingOut, **ERRORS},
             summary="Record how much of a year's target has been delivered to date (managers)")
def saving_delivered(request, slug: str, saving_id: int, payload: DeliveryIn):
    access = org_access(request, slug, Perm.VIEW)
    s = get_saving_for_user(access, saving_id)
    year = _fy(payload.year)
    if not s.targets.filter(year=year).exists():
        raise Http404(f"Saving {s.reference} has no target for {year}")
    services.record_delivery(access, s, year=year, delivered=payload.delivered)
    return _saving(get_saving_for_user(access, saving_id))


# The cost model -------------------------------------------------------------------------------------

class DriverIn(Schema):
    activity: Literal["residential", "fostering", "supported", "with_parents", "adoption", "other",
                      "adults_residential", "adults_nursing", "adults_community", "homecare_hours"]
    base_year: str = Field(..., pattern=YEAR)
    unit_cost: str = _money_in("The cost of one unit of activity for a year in the base year (for homecare_hours, "
                               "of one hour)")
    inflation_percent: str = Field("0", pattern=r"^-?([0-4]?[0-9](\.[0-9]{1,2})?|50(\.00?)?)$",
                                   description="Percent a year, from -50 to 50")
    budget_volume: str | None = Field(None, pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$",
                                      description="The volume the budget assumed (hours a week for "
                                                  "homecare_hours)")


class ChangeIn(Schema):
    cost_code: str = Field(..., max_length=40, description="A line with a cost model")
    kind: Literal["volume", "unit_cost", "inflation"]
    amount: str = Field(..., pattern=r"^-?[0-9]{1,6}(\.[0-9]{1,2})?$",
                        description="Units more (negative: fewer), or percent")
    start: str = Field(..., pattern=QUARTER, description="The quarter it applies from (ignored for inflation)")


class ScenarioIn(Schema):
    name: str = Field(..., max_length=200, pattern=SOLID)
    description: str = Field("", max_length=5000)
    changes: list[ChangeIn] = Field(..., min_length=1)


@router.get(P + "/model", response={200: dict, **ERRORS},
            summary="The cost model: activity from the case data, each modelled line's cost by year, price and "
                    "volume variance, and every saved scenario's totals and effect by year")
def model(request, slug: str, year: str | None = None):
    from carestat.finance import costmodel

    access = org_access(request, slug, Perm.VIEW)
    return costmodel.as_json(costmodel.build(access.organisation, year=_year(year)))


@router.post(P + "/lines/{line_id}/driver", response={200: dict, **ERRORS},
             summary="Model a line's cost as activity x unit cost a year with inflation, or hours of home care "
                     "a week x 365/7 weeks x unit cost an hour (managers)")
def set_driver(request, slug: str, line_id: int, payload: DriverIn):
    access = org_access(request, slug, Perm.VIEW)
    d = services.set_driver(access, get_line_for_user(access, line_id), activity=payload.activity,
                            base_year=_fy(payload.base_year), unit_cost=payload.unit_cost,
                            inflation_percent=payload.inflation_percent, budget_volume=payload.budget_volume)
    return {"line_id": d.line_id, "activity": d.activity, "base_year": d.base_year, "unit_cost": str(d.unit_cost),
            "inflation_percent": str(d.inflation_percent),
            "budget_volume": None if d.budget_volume is None else str(d.budget_volume)}


@router.post(P + "/model/scenarios", response={201: dict, **ERRORS},
             summary="Save a scenario: changes of volume (from a quarter), unit cost (%, from a quarter) or "
                     "inflation (% a year) on modelled lines (managers)")
def save_scenario(request, slug: str, payload: ScenarioIn):
    from carestat.finance.models import CostDriver

    access = org_access(request, slug, Perm.VIEW)
    modelled = set(CostDriver.objects.filter(organisation=access.organisation).values_list("line__cost_code",
                                                                                          flat=True))
    for c in payload.changes:
        if c.cost_code not in modelled:
            raise Http404(f"No line with a cost model has cost code {c.cost_code}")
        _fy(c.start[:7])
    s = services.save_scenario(access, name=payload.name, description=payload.description,
                               changes=[c.dict() for c in payload.changes])
    return Status(201, {"id": s.pk, "name": s.name, "changes": s.changes})


def _check_changes(access, changes) -> None:
    from carestat.finance.models import CostDriver

    modelled = set(CostDriver.objects.filter(organisation=access.organisation).values_list("line__cost_code",
                                                                                          flat=True))
    for c in changes:
        if c.cost_code not in modelled:
            raise Http404(f"No line with a cost model has cost code {c.cost_code}")
        _fy(c.start[:7])


@router.put(P + "/model/scenarios/{scenario_id}", response={200: dict, **ERRORS},
            summary="Change a scenario's name, description or changes (the whole list; managers)")
def change_scenario(request, slug: str, scenario_id: int, payload: ScenarioIn):
    access = org_access(request, slug, Perm.VIEW)
    scenario = get_scenario_for_user(access, scenario_id)
    _check_changes(access, payload.changes)
    s = services.update_scenario(access, scenario, name=payload.name, description=payload.description,
                                 changes=[c.dict() for c in payload.changes])
    return {"id": s.pk, "name": s.name, "changes": s.changes, "is_archived": s.is_archived}


class ScenarioArchiveIn(Schema):
    reason: str = Field(..., pattern=FIVE_SOLID, max_length=2000, description="Why the scenario is archived")


@router.post(P + "/model/scenarios/{scenario_id}/archive", response={200: dict, **ERRORS},
             summary="Archive a scenario: it leaves the comparison (managers)")
def archive_scenario(request, slug: str, scenario_id: int, payload: ScenarioArchiveIn):
    access = org_access(request, slug, Perm.VIEW)
    s = services.archive_scenario(access, get_scenario_for_user(access, scenario_id), reason=payload.reason)
    return {"id": s.pk, "name": s.name, "changes": s.changes, "is_archived": s.is_archived}


class ReportScenarioIn(Schema):
    scenario_id: int | None = Field(..., description="The scenario the committee report names; null: none")


@router.put(P + "/report-scenario", response={200: dict, **ERRORS},
            summary="Choose the scenario the committee report's money section names (managers)")
def report_scenario(request, slug: str, payload: ReportScenarioIn):
    from carestat.finance.models import settings_for

    access = org_access(request, slug, Perm.VIEW)
    scenario = get_scenario_for_user(access, payload.scenario_id) if payload.scenario_id else None
    current = settings_for(access.organisation)
    row = services.save_settings(access, report_scenario=scenario,
                                 **{k: str(getattr(current, k)) for k in services.SETTINGS_FIELDS})
    return {"scenario_id": row.report_scenario_id,
            "scenario": row.report_scenario.name if row.report_scenario else None}
