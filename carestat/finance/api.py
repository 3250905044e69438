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
from carestat.finance.access import get_line_for_user, get_saving_for_user
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
            "action": s.action.title if s.action else None,
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
    targets = {_fy(t.year): t.target for t in payload.targets}
    s = services.add_saving(access, reference=payload.reference, title=payload.title,
                            description=payload.description, targets=targets,
                            deliverability=payload.deliverability, status=payload.status, line=line, action=action,
                            owner=access.user)
    return Status(201, _saving(s))


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
    activity: Literal["residential", "fostering", "supported", "with_parents", "adoption", "other"]
    base_year: str = Field(..., pattern=YEAR)
    unit_cost: str = _money_in("The cost of one unit of activity for a year in the base year")
    inflation_percent: str = Field("0", pattern=r"^-?([0-4]?[0-9](\.[0-9]{1,2})?|50(\.00?)?)$",
                                   description="Percent a year, from -50 to 50")
    budget_volume: str | None = Field(None, pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$",
                                      description="The volume the budget assumed")


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
             summary="Model a line's cost as activity x unit cost a year with inflation (managers)")
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
