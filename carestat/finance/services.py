"""Business operations on money: service lines, medium-term plans, budgets, period figures,
variance commentary, settings and the savings programme.

Each is transactional, checks the actor's role, refuses changes to a closed period's figures,
records one audit entry in words, and raises a typed error from carestat.core.errors. Reading is
for everyone in the organisation; changing money is for managers and admins.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from carestat.analytics import finance as calc
from carestat.analytics.periods import PeriodError, parse_period
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import stamp
from carestat.core.errors import Conflict, InvalidInput
from carestat.core.models import Membership, ReportingPeriod, Unit, User
from carestat.core.permissions import Perm
from carestat.finance.models import (
    Budget,
    CostDriver,
    FinanceRagChoice,
    FinanceSettings,
    MediumTermPlan,
    PeriodFigure,
    SavingsProposal,
    SavingsTarget,
    SavingStatus,
    Scenario,
    ServiceLine,
    VarianceComment,
)

fmt = calc.format_money


def _stamp(instance, actor: User | None, *, new: bool = False) -> list[str]:
    return stamp(instance, actor, new=new)


def _locked(obj):
    """A fresh, locked copy of the row ``obj`` stands for; services change this copy only."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _same_org(access: Access, *objs) -> None:
    for obj in objs:
        if obj is not None and getattr(obj, "organisation_id", access.organisation.pk) != access.organisation.pk:
            raise InvalidInput("Choose something in this organisation")


def financial_year(label: str, field: str = "year") -> str:
    """``label`` checked as a financial year such as 2026-27."""
    try:
        p = parse_period((label or "").strip())
    except PeriodError:
        p = None
    if p is None or p.kind.value != "year":
        raise InvalidInput(f"‘{label}’ is not a financial year; write it like 2026-27", field=field)
    return p.label


def amount(value, field: str, *, allow_negative: bool = True, what: str = "the amount") -> Decimal:
    """``value`` as pounds and pence, or a clear error naming ``field``."""
    try:
        d = calc.money(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"Enter {what} as a number of pounds, like 125000.50", field=field) from None
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        raise InvalidInput(f"Enter {what} as a number of pounds, like 125000.50", field=field)
    if d < 0 and not allow_negative:
        raise InvalidInput(f"{what[0].upper()}{what[1:]} cannot be negative", field=field)
    return d


def _refuse_closed_year(org, year: str, what: str) -> None:
    fy = parse_period(year)
    core_services.refuse_if_closed(org, fy.start, fy.end, what=year, frozen=f"{what} cannot be changed",
                                   field="year")


def _refuse_closed_period(period: ReportingPeriod, what: str) -> None:
    """A month or quarter is frozen when it, or a period containing it (its quarter, its year), is
    closed: read from the database, as the period handed in may predate someone closing it."""
    core_services.refuse_if_closed(period.organisation, period.start, period.end, what=period.identifier,
                                   frozen=f"{what} cannot be changed")


# Settings --------------------------------------------------------------------------------------

SETTINGS_FIELDS = ("amber_from_percent", "red_from_percent", "cost_code_column", "period_column", "budget_column",
                   "actual_column", "forecast_column")


@transaction.atomic
def save_settings(access: Access, **values) -> FinanceSettings:
    """The organisation's financial RAG tolerances and ledger column names."""
    access.require(Perm.MANAGE)
    amber = amount(values.get("amber_from_percent"), "amber_from_percent", allow_negative=False,
                   what="the amber tolerance")
    red = amount(values.get("red_from_percent"), "red_from_percent", allow_negative=False, what="the red tolerance")
    if red < amber:
        raise InvalidInput("The red tolerance must be at least the amber tolerance", field="red_from_percent")
    if red > 100:
        raise InvalidInput("The red tolerance must be 100% or less", field="red_from_percent")
    columns = {}
    for name in SETTINGS_FIELDS[2:]:
        text = (values.get(name) or "").strip()
        if not text:
            raise InvalidInput("Enter the column's name as it appears in your ledger extract", field=name)
        if text.lower() in {c.lower() for c in columns.values()}:
            raise InvalidInput("Each column needs its own name; this one is used twice", field=name)
        columns[name] = text
    row = FinanceSettings.objects.select_for_update().filter(organisation=access.organisation).first()
    new = row is None
    row = row or FinanceSettings(organisation=access.organisation)
    before = None if new else snapshot(row, SETTINGS_FIELDS)
    row.amber_from_percent, row.red_from_percent = amber, red
    for name, text in columns.items():
        setattr(row, name, text)
    fields = _stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=[*SETTINGS_FIELDS, *fields])
    log_action("finance.settings.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=snapshot(row, SETTINGS_FIELDS),
               message=f"{access.user.display_name} set the financial RAG tolerances (amber above {amber}%, "
               f"red above {red}% overspend) and the ledger's column names")
    return row


# Service lines and medium-term plans -----------------------------------------------------------

LINE_FIELDS = ("name", "cost_code", "parent", "unit", "is_archived")


@transaction.atomic
def add_line(access: Access, *, name: str, cost_code: str, parent: ServiceLine | None = None,
             unit: Unit | None = None) -> ServiceLine:
    """A new service line with the cost code the ledger uses for it."""
    access.require(Perm.MANAGE)
    name, cost_code = (name or "").strip(), (cost_code or "").strip()
    if not name:
        raise InvalidInput("Enter the service line's name", field="name")
    if not cost_code:
        raise InvalidInput("Enter the cost code the ledger uses for this line", field="cost_code")
    _same_org(access, parent, unit)
    if ServiceLine.objects.filter(organisation=access.organisation, cost_code__iexact=cost_code).exists():
        raise Conflict(f"Cost code {cost_code} is already used by another service line", field="cost_code")
    line = ServiceLine(organisation=access.organisation, name=name, cost_code=cost_code, parent=parent, unit=unit,
                       position=ServiceLine.objects.filter(organisation=access.organisation).count() + 1)
    _stamp(line, access.user, new=True)
    line.save()
    under = f" under ‘{parent.name}’" if parent else ""
    log_action("finance.line.created", actor=access.user, organisation=access.organisation, record=line,
               after=snapshot(line, LINE_FIELDS),
               message=f"{access.user.display_name} added service line ‘{name}’ (cost code {cost_code}){under}")
    return line


@transaction.atomic
def create_medium_term_plan(access: Access, *, title: str, first_year: str, years: int, plan=None) -> MediumTermPlan:
    """A medium-term financial plan of 3 to 5 years, optionally the money side of a plan."""
    access.require(Perm.MANAGE)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the medium-term plan's title", field="title")
    first_year = financial_year(first_year, "first_year")
    if years not in (3, 4, 5):
        raise InvalidInput("A medium-term plan covers 3, 4 or 5 years", field="years")
    if plan is not None and plan.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a plan of this organisation", field="plan")
    if MediumTermPlan.objects.filter(organisation=access.organisation, title__iexact=title).exists():
        raise Conflict(f"There is already a medium-term plan called ‘{title}’", field="title")
    mtp = MediumTermPlan(organisation=access.organisation, title=title, first_year=first_year, years=years, plan=plan)
    _stamp(mtp, access.user, new=True)
    mtp.save()
    log_action("finance.mtp.created", actor=access.user, organisation=access.organisation, record=mtp,
               after=snapshot(mtp, ("title", "first_year", "years", "plan")),
               message=f"{access.user.display_name} created medium-term plan ‘{title}’ "
               f"({mtp.year_labels[0]} to {mtp.year_labels[-1]})")
    return mtp


# Budgets, period figures and commentary ---------------------------------------------------------

@transaction.atomic
def set_budget(access: Access, line: ServiceLine, *, year: str, amount_: Decimal | str, source: str = "") -> bool:
    """Set the approved budget of ``line`` for ``year``. Returns whether anything changed
    (setting the same amount again records nothing). A closed year's budget is frozen."""
    access.require(Perm.MANAGE)
    _same_org(access, line)
    year = financial_year(year)
    value = amount(amount_, "budget", allow_negative=False, what="the budget")
    row = Budget.objects.select_for_update().filter(line=line, year=year).first()
    if row is not None and row.amount == value:
        return False
    _refuse_closed_year(access.organisation, year, f"the budget of {line.name}")
    via = f" from {source}" if source else ""
    if row is None:
        row = Budget(organisation=access.organisation, line=line, year=year, amount=value)
        _stamp(row, access.user, new=True)
        row.save()
        log_action("finance.budget.set", actor=access.user, organisation=access.organisation, record=line,
                   after={"amount": str(value)},
                   message=f"{access.user.display_name} set the {year} budget of {line.name} to {fmt(value)}{via}")
        return True
    old = row.amount
    row.amount = value
    row.save(update_fields=["amount", *_stamp(row, access.user)])
    log_action("finance.budget.changed", actor=access.user, organisation=access.organisation, record=line,
               before={"amount": str(old)}, after={"amount": str(value)},
               message=f"{access.user.display_name} changed the {year} budget of {line.name} from {fmt(old)} to "
               f"{fmt(value)}{via}")
    return True


def _mixed_frequency(line: ServiceLine, period: ReportingPeriod) -> str | None:
    """Months and quarters of one line in one year would count its spend twice."""
    if period.kind not in ("month", "quarter"):
        return "Figures are for a month (2026-09) or a quarter (2026-27-Q2)"
    fy = calc_year_of(period)
    start, end = parse_period(fy).start, parse_period(fy).end
    other = "quarter" if period.kind == "month" else "month"
    if PeriodFigure.objects.filter(line=line, period__kind=other, period__start__gte=start,
                                   period__end__lte=end).exists():
        return (f"{line.name} already has {other}ly figures for {fy}; keep to one frequency in a year so "
                "spend is not counted twice")
    return None


def calc_year_of(period: ReportingPeriod) -> str:
    from carestat.analytics.periods import financial_year_of

    return financial_year_of(period.start).label


@transaction.atomic
def set_figures(access: Access, line: ServiceLine, period: ReportingPeriod, *, actual=None, forecast=None,
                source: str = "") -> bool:
    """Record the actual spend of ``line`` in ``period`` and the forecast outturn for the year
    as at the period's end (either may be None to leave it as it is). Returns whether anything
    changed. A closed period's figures are frozen."""
    access.require(Perm.MANAGE)
    _same_org(access, line, period)
    actual = None if actual is None or actual == "" else amount(actual, "actual", what="the actual spend")
    forecast = None if forecast is None or forecast == "" else amount(forecast, "forecast", allow_negative=False,
                                                                     what="the forecast outturn")
    row = PeriodFigure.objects.select_for_update().filter(line=line, period=period).first()
    new_actual = actual if actual is not None else (row.actual if row else None)
    new_forecast = forecast if forecast is not None else (row.forecast if row else None)
    if row is not None and (row.actual, row.forecast) == (new_actual, new_forecast):
        return False
    if row is None and new_actual is None and new_forecast is None:
        return False
    _refuse_closed_period(period, f"the figures of {line.name}")
    if row is None and (problem := _mixed_frequency(line, period)):
        raise InvalidInput(problem, field="period")
    via = f" from {source}" if source else ""
    words = []
    if row is None or row.actual != new_actual:
        words.append(f"actual {fmt(new_actual) or 'blank'}")
    if row is None or row.forecast != new_forecast:
        words.append(f"forecast outturn {fmt(new_forecast) or 'blank'}")
    before = None if row is None else {"actual": _s(row.actual), "forecast": _s(row.forecast)}
    if row is None:
        row = PeriodFigure(organisation=access.organisation, line=line, period=period, actual=new_actual,
                           forecast=new_forecast)
        _stamp(row, access.user, new=True)
        row.save()
    else:
        row.actual, row.forecast = new_actual, new_forecast
        row.save(update_fields=["actual", "forecast", *_stamp(row, access.user)])
    log_action("finance.figures.set", actor=access.user, organisation=access.organisation, record=line,
               before=before, after={"actual": _s(new_actual), "forecast": _s(new_forecast)},
               message=f"{access.user.display_name} set {line.name} for {period.identifier}: "
               f"{', '.join(words)}{via}")
    return True


def _s(value) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def add_comment(access: Access, line: ServiceLine, period: ReportingPeriod, *, text: str) -> VarianceComment:
    """Commentary on ``line``'s variance in ``period``. A closed period's commentary is frozen."""
    access.require(Perm.MANAGE)
    _same_org(access, line, period)
    text = (text or "").strip()
    if len(text) < 5:
        raise InvalidInput("Say why the line is over or under budget, and what is being done", field="text")
    if period.kind not in ("month", "quarter"):
        raise InvalidInput("Choose the month or quarter the commentary is for", field="period")
    _refuse_closed_period(period, f"the commentary on {line.name}")
    comment = VarianceComment(organisation=access.organisation, line=line, period=period, text=text)
    _stamp(comment, access.user, new=True)
    comment.save()
    log_action("finance.comment.added", actor=access.user, organisation=access.organisation, record=line,
               after={"text": text, "period": period.identifier},
               message=f"{access.user.display_name} commented on the {period.identifier} variance of {line.name}: "
               f"{text[:200]}")
    return comment


# Savings programme ---------------------------------------------------------------------------------

SAVING_FIELDS = ("reference", "title", "description", "owner", "line", "action", "deliverability", "status",
                 "is_archived")


def _check_saving_links(access: Access, owner, line, action) -> None:
    _same_org(access, line)
    if owner is not None and not Membership.objects.filter(user=owner, organisation=access.organisation,
                                                           is_active=True).exists():
        raise InvalidInput(f"{owner.display_name} is not a member of {access.organisation.name}", field="owner")
    if action is not None and action.objective.priority.plan.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose an action of one of this organisation's plans", field="action")


@transaction.atomic
def add_saving(access: Access, *, reference: str, title: str, targets: dict[str, Decimal | str],
               owner: User | None = None, line: ServiceLine | None = None, action=None, description: str = "",
               deliverability: str = FinanceRagChoice.AMBER, status: str = SavingStatus.PROPOSED) -> SavingsProposal:
    """A savings proposal with its target for each financial year."""
    access.require(Perm.MANAGE)
    reference, title = (reference or "").strip(), (title or "").strip()
    if not reference:
        raise InvalidInput("Enter the saving's reference, like CS-01", field="reference")
    if not title:
        raise InvalidInput("Enter what the saving is", field="title")
    if deliverability not in FinanceRagChoice.values:
        raise InvalidInput("Choose red, amber or green for how deliverable the saving is", field="deliverability")
    if status not in SavingStatus.values:
        raise InvalidInput("Choose the saving's status", field="status")
    if not targets:
        raise InvalidInput("Give the saving's target for at least one year", field="targets")
    checked = {financial_year(y, "targets"): amount(v, "targets", allow_negative=False, what="the target")
               for y, v in targets.items()}
    _check_saving_links(access, owner, line, action)
    if SavingsProposal.objects.filter(organisation=access.organisation, reference__iexact=reference).exists():
        raise Conflict(f"There is already a saving with reference {reference}", field="reference")
    saving = SavingsProposal(organisation=access.organisation, reference=reference, title=title,
                             description=(description or "").strip(), owner=owner, line=line, action=action,
                             deliverability=deliverability, status=status)
    _stamp(saving, access.user, new=True)
    saving.save()
    for year, value in sorted(checked.items()):
        t = SavingsTarget(organisation=access.organisation, proposal=saving, year=year, target=value)
        _stamp(t, access.user, new=True)
        t.save()
    targets_words = ", ".join(f"{fmt(v)} in {y}" for y, v in sorted(checked.items()))
    log_action("finance.saving.created", actor=access.user, organisation=access.organisation, record=saving,
               after={**snapshot(saving, SAVING_FIELDS), "targets": {y: str(v) for y, v in checked.items()}},
               message=f"{access.user.display_name} added saving {reference} ‘{title}’ with targets of "
               f"{targets_words}")
    return saving


@transaction.atomic
def update_saving(access: Access, saving: SavingsProposal, *, status: str, deliverability: str,
                  reason: str = "") -> SavingsProposal:
    """Change a saving's status or deliverability RAG."""
    access.require(Perm.MANAGE)
    _same_org(access, saving)
    if status not in SavingStatus.values:
        raise InvalidInput("Choose the saving's status", field="status")
    if deliverability not in FinanceRagChoice.values:
        raise InvalidInput("Choose red, amber or green for how deliverable the saving is", field="deliverability")
    if status == SavingStatus.WRITTEN_OFF and len((reason or "").strip()) < 5:
        raise InvalidInput("Give the reason for writing the saving off", field="reason")
    row = _locked(saving)
    before = snapshot(row, ("status", "deliverability"))
    if (row.status, row.deliverability) == (status, deliverability):
        return row
    row.status, row.deliverability = status, deliverability
    row.save(update_fields=["status", "deliverability", *_stamp(row, access.user)])
    after = snapshot(row, ("status", "deliverability"))
    why = f": {reason.strip()}" if (reason or "").strip() else ""
    log_action("finance.saving.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} set saving {row.reference} to {after['status'].lower()}, "
               f"deliverability {after['deliverability'].lower()}{why}")
    return row


@transaction.atomic
def record_delivery(access: Access, saving: SavingsProposal, *, year: str, delivered) -> SavingsTarget:
    """Record how much of a saving's target for ``year`` has been delivered to date.
    A closed year's figure is frozen."""
    access.require(Perm.MANAGE)
    _same_org(access, saving)
    year = financial_year(year)
    value = amount(delivered, "delivered", allow_negative=False, what="the amount delivered")
    target = SavingsTarget.objects.select_for_update().filter(proposal=saving, year=year).first()
    if target is None:
        raise InvalidInput(f"Saving {saving.reference} has no target for {year}", field="year")
    if target.delivered == value:
        return target
    _refuse_closed_year(access.organisation, year, f"the savings delivered by {saving.reference}")
    old = target.delivered
    target.delivered = value
    target.save(update_fields=["delivered", *_stamp(target, access.user)])
    log_action("finance.saving.delivered", actor=access.user, organisation=access.organisation, record=saving,
               before={"year": year, "delivered": str(old)}, after={"year": year, "delivered": str(value)},
               message=f"{access.user.display_name} recorded {fmt(value)} delivered to date in {year} by saving "
               f"{saving.reference} (target {fmt(target.target)}; was {fmt(old)})")
    return target


# The cost model -------------------------------------------------------------------------------------

DRIVER_FIELDS = ("activity", "base_year", "unit_cost", "inflation_percent", "budget_volume")


@transaction.atomic
def set_driver(access: Access, line: ServiceLine, *, activity: str, base_year: str, unit_cost,
               inflation_percent="0", budget_volume=None) -> CostDriver:
    """Model ``line``'s cost as its activity times a unit cost a year, rising by inflation."""
    from carestat.finance.models import ActivitySource

    access.require(Perm.MANAGE)
    _same_org(access, line)
    if activity not in ActivitySource.values:
        raise InvalidInput("Choose what activity drives this line's cost", field="activity")
    base_year = financial_year(base_year, "base_year")
    cost = amount(unit_cost, "unit_cost", allow_negative=False, what="the unit cost")
    inflation = amount(inflation_percent or "0", "inflation_percent", what="the inflation")
    if not Decimal("-50") <= inflation <= Decimal("50"):
        raise InvalidInput("Inflation must be between -50% and 50% a year", field="inflation_percent")
    volume = None
    if budget_volume not in (None, ""):
        volume = amount(budget_volume, "budget_volume", allow_negative=False, what="the budgeted volume")
        if volume > 1_000_000:
            raise InvalidInput("The budgeted volume must be under a million", field="budget_volume")
    row = CostDriver.objects.select_for_update().filter(line=line).first()
    new = row is None
    row = row or CostDriver(organisation=access.organisation, line=line)
    before = None if new else snapshot(row, DRIVER_FIELDS)
    row.activity, row.base_year, row.unit_cost = activity, base_year, cost
    row.inflation_percent, row.budget_volume = inflation, volume
    fields = _stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=[*DRIVER_FIELDS, *fields])
    log_action("finance.driver.set", actor=access.user, organisation=access.organisation, record=line,
               before=before, after=snapshot(row, DRIVER_FIELDS),
               message=f"{access.user.display_name} modelled {line.name} as {row.get_activity_display().lower()} "
               f"at {fmt(cost)} a year each in {base_year}, rising {inflation}% a year")
    return row


@transaction.atomic
def save_scenario(access: Access, *, name: str, changes: list[dict], description: str = "") -> Scenario:
    """A saved what-if. Each change: ``cost_code`` of a modelled line, ``kind`` (volume: units more
    or, if negative, fewer; unit_cost: percent dearer or cheaper; inflation: percent a year),
    ``amount``, and ``start``, the quarter it applies from (2026-27-Q3; not for inflation)."""
    access.require(Perm.MANAGE)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the scenario", field="name")
    if not changes:
        raise InvalidInput("Give at least one change", field="changes")
    modelled = set(CostDriver.objects.filter(organisation=access.organisation)
                   .values_list("line__cost_code", flat=True))
    clean = []
    for c in changes:
        code = str(c.get("cost_code", "")).strip()
        if code not in modelled:
            raise InvalidInput(f"‘{code}’ is not the cost code of a line with a cost model", field="line")
        try:
            kind = calc.ChangeKind(c.get("kind"))
        except ValueError:
            raise InvalidInput("Choose a change of volume, unit cost or inflation", field="kind") from None
        value = amount(c.get("amount"), "amount", what="the change")
        start = str(c.get("start") or "").strip()
        if kind != calc.ChangeKind.INFLATION:
            try:
                p = parse_period(start)
            except PeriodError:
                p = None
            if p is None or p.kind.value != "quarter":
                raise InvalidInput("Give the quarter the change starts in, like 2026-27-Q3", field="start")
            start = p.label
        else:
            start = ""
        clean.append({"cost_code": code, "kind": kind.value, "amount": str(value), "start": start})
    if Scenario.objects.filter(organisation=access.organisation, name__iexact=name).exists():
        raise Conflict(f"There is already a scenario called ‘{name}’", field="name")
    scenario = Scenario(organisation=access.organisation, name=name, description=(description or "").strip(),
                        changes=clean)
    _stamp(scenario, access.user, new=True)
    scenario.save()
    log_action("finance.scenario.saved", actor=access.user, organisation=access.organisation, record=scenario,
               after={"changes": clean},
               message=f"{access.user.display_name} saved scenario ‘{name}’: "
               + "; ".join(describe_change(c) for c in clean))
    return scenario


def describe_change(c: dict) -> str:
    a = Decimal(c["amount"])
    n = format(abs(a).normalize(), "f")  # "2", "2.5": no trailing zeros
    if c["kind"] == "volume":
        return f"{n} {'more' if a > 0 else 'fewer'} on {c['cost_code']} from {c['start']}"
    if c["kind"] == "unit_cost":
        return f"unit cost of {c['cost_code']} {n}% {'higher' if a > 0 else 'lower'} from {c['start']}"
    return f"inflation on {c['cost_code']} of {'-' if a < 0 else ''}{n}% a year"
