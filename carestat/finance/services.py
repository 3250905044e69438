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
from carestat.core.changes import locked as _locked
from carestat.core.changes import require_same_organisation, stamp
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


_KEEP = object()


@transaction.atomic
def save_settings(access: Access, *, report_scenario=_KEEP, **values) -> FinanceSettings:
    """The organisation's financial RAG tolerances and ledger column names, and the scenario the
    committee report names (left as it is unless given; None clears it)."""
    access.require(Perm.MANAGE)
    if report_scenario is not _KEEP and report_scenario is not None:
        require_same_organisation(access, report_scenario)
        if report_scenario.is_archived:
            raise InvalidInput("Choose a scenario that has not been archived", field="report_scenario")
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
    audited = (*SETTINGS_FIELDS, "report_scenario")
    before = None if new else snapshot(row, audited)
    row.amber_from_percent, row.red_from_percent = amber, red
    for name, text in columns.items():
        setattr(row, name, text)
    if report_scenario is not _KEEP:
        row.report_scenario = report_scenario
    fields = _stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=[*audited, *fields])
    named = (f"; the report names scenario ‘{row.report_scenario.name}’" if row.report_scenario
             else "; the report names no scenario")
    log_action("finance.settings.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=snapshot(row, audited),
               message=f"{access.user.display_name} set the financial RAG tolerances (amber above {amber}%, "
               f"red above {red}% overspend) and the ledger's column names{named}")
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
    require_same_organisation(access, parent, unit)
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


def _closed_money(line: ServiceLine) -> list[str]:
    """The closed periods and years holding figures or budgets of ``line`` or the lines below it:
    changing where it sits, its cost code or whether it counts would change what they showed."""
    ids, frontier = {line.pk}, [line.pk]
    while frontier:
        frontier = list(ServiceLine.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    closed: set[str] = set()
    for f in PeriodFigure.objects.filter(line_id__in=ids).select_related("period"):
        if core_services.closed_periods_containing(line.organisation, f.period.start, f.period.end):
            closed.add(f.period.identifier)
    for b in Budget.objects.filter(line_id__in=ids):
        fy = parse_period(b.year)
        if core_services.closed_periods_containing(line.organisation, fy.start, fy.end):
            closed.add(b.year)
    return sorted(closed)


@transaction.atomic
def update_line(access: Access, line: ServiceLine, *, name: str, cost_code: str, parent: ServiceLine | None = None,
                unit: Unit | None = None, is_archived: bool = False) -> ServiceLine:
    """Rename, re-code, move or archive a service line. Its name can always change; its cost
    code, where it sits and whether it is archived cannot while a closed period or year holds
    figures or budgets of it or the lines below it (the closed period's totals would change)."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, line, parent, unit)
    row = _locked(line)
    name, cost_code = (name or "").strip(), (cost_code or "").strip()
    if not name:
        raise InvalidInput("Enter the service line's name", field="name")
    if not cost_code:
        raise InvalidInput("Enter the cost code the ledger uses for this line", field="cost_code")
    node = parent
    while node is not None:
        if node.pk == row.pk:
            raise InvalidInput("A line cannot sit under itself or a line below it", field="parent")
        node = node.parent
    if parent is not None and parent.is_archived and not is_archived:
        raise InvalidInput("Choose a line that has not been archived", field="parent")
    if cost_code.lower() != row.cost_code.lower() and ServiceLine.objects.filter(
            organisation=access.organisation, cost_code__iexact=cost_code).exclude(pk=row.pk).exists():
        raise Conflict(f"Cost code {cost_code} is already used by another service line", field="cost_code")
    if is_archived and not row.is_archived and ServiceLine.objects.filter(parent=row, is_archived=False).exists():
        raise InvalidInput("Archive or move the lines below this one first", field="is_archived")
    before = snapshot(row, LINE_FIELDS)
    structural = {"cost_code": cost_code != row.cost_code, "parent": (parent.pk if parent else None) != row.parent_id,
                  "is_archived": is_archived != row.is_archived}
    if any(structural.values()) and (closed := _closed_money(row)):
        field_ = next(k for k, v in structural.items() if v)
        listed = " and ".join(closed) if len(closed) <= 2 else ", ".join(closed[:-1]) + f" and {closed[-1]}"
        from carestat.core.errors import PeriodClosed

        raise PeriodClosed(f"{row.name} has figures in {listed}, which {'is' if len(closed) == 1 else 'are'} "
                           "closed, so its cost code, where it sits and whether it is archived cannot be changed; "
                           "a manager can reopen them with a reason, or rename the line", field=field_)
    row.name, row.cost_code, row.parent, row.unit, row.is_archived = name, cost_code, parent, unit, is_archived
    after = snapshot(row, LINE_FIELDS)
    changed = [k for k in LINE_FIELDS if before[k] != after[k]]
    if not changed:
        return row
    row.save(update_fields=[*changed, *_stamp(row, access.user)])
    if "cost_code" in changed:  # saved scenarios name modelled lines by cost code
        for sc in Scenario.objects.select_for_update().filter(organisation=access.organisation):
            if any(c["cost_code"] == before["cost_code"] for c in sc.changes):
                sc.changes = [{**c, "cost_code": cost_code} if c["cost_code"] == before["cost_code"] else c
                              for c in sc.changes]
                sc.save(update_fields=["changes", *_stamp(sc, access.user)])
    words = []
    if "name" in changed:
        words.append(f"renamed it ‘{name}’")
    if "cost_code" in changed:
        words.append(f"re-coded it from {before['cost_code']} to {cost_code}")
    if "parent" in changed:
        words.append(f"moved it under ‘{parent.name}’" if parent else "made it a top-level line")
    if "unit" in changed:
        words.append(f"gave it to {unit.name}" if unit else "took it off its unit")
    if "is_archived" in changed:
        words.append("archived it" if is_archived else "restored it")
    log_action("finance.line.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} changed service line {before['cost_code']} ‘{before['name']}’: "
               + ", ".join(words))
    return row


MTP_FIELDS = ("title", "first_year", "years", "plan", "is_archived")


@transaction.atomic
def update_medium_term_plan(access: Access, mtp: MediumTermPlan, *, title: str, first_year: str, years: int,
                            plan=None, is_archived: bool = False) -> MediumTermPlan:
    """Change a medium-term plan's title, years or plan, or archive it. Budgets belong to lines
    and years, not to the plan, so no figure changes with it."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, mtp)
    row = _locked(mtp)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the medium-term plan's title", field="title")
    first_year = financial_year(first_year, "first_year")
    if years not in (3, 4, 5):
        raise InvalidInput("A medium-term plan covers 3, 4 or 5 years", field="years")
    if plan is not None and plan.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose a plan of this organisation", field="plan")
    if title.lower() != row.title.lower() and MediumTermPlan.objects.filter(
            organisation=access.organisation, title__iexact=title).exclude(pk=row.pk).exists():
        raise Conflict(f"There is already a medium-term plan called ‘{title}’", field="title")
    before = snapshot(row, MTP_FIELDS)
    row.title, row.first_year, row.years, row.plan, row.is_archived = title, first_year, years, plan, is_archived
    after = snapshot(row, MTP_FIELDS)
    changed = [k for k in MTP_FIELDS if before[k] != after[k]]
    if not changed:
        return row
    row.save(update_fields=[*changed, *_stamp(row, access.user)])
    what = "archived" if "is_archived" in changed and is_archived else "changed"
    log_action("finance.mtp.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} {what} medium-term plan ‘{before['title']}’: now ‘{title}’, "
               f"{row.year_labels[0]} to {row.year_labels[-1]}")
    return row


# Budgets, period figures and commentary ---------------------------------------------------------

@transaction.atomic
def set_budget(access: Access, line: ServiceLine, *, year: str, amount_: Decimal | str, source: str = "") -> bool:
    """Set the approved budget of ``line`` for ``year``. Returns whether anything changed
    (setting the same amount again records nothing). A closed year's budget is frozen."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, line)
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
    require_same_organisation(access, line, period)
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
    require_same_organisation(access, line, period)
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

SAVING_FIELDS = ("reference", "title", "description", "owner", "line", "action", "risk", "deliverability", "status",
                 "is_archived")


def _check_saving_links(access: Access, owner, line, action, risk=None) -> None:
    require_same_organisation(access, line)
    if risk is not None and (risk.organisation_id != access.organisation.pk or risk.is_archived):
        raise InvalidInput("Choose a live risk of this organisation's register", field="risk")
    if owner is not None and not Membership.objects.filter(user=owner, organisation=access.organisation,
                                                           is_active=True).exists():
        raise InvalidInput(f"{owner.display_name} is not a member of {access.organisation.name}", field="owner")
    if action is not None and action.objective.priority.plan.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose an action of one of this organisation's plans", field="action")


@transaction.atomic
def add_saving(access: Access, *, reference: str, title: str, targets: dict[str, Decimal | str],
               owner: User | None = None, line: ServiceLine | None = None, action=None, risk=None,
               description: str = "",
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
    _check_saving_links(access, owner, line, action, risk)
    if SavingsProposal.objects.filter(organisation=access.organisation, reference__iexact=reference).exists():
        raise Conflict(f"There is already a saving with reference {reference}", field="reference")
    saving = SavingsProposal(organisation=access.organisation, reference=reference, title=title,
                             description=(description or "").strip(), owner=owner, line=line, action=action,
                             risk=risk, deliverability=deliverability, status=status)
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
    require_same_organisation(access, saving)
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


LINK_FIELDS = ("owner", "line", "action", "risk")


@transaction.atomic
def set_saving_links(access: Access, saving: SavingsProposal, *, owner=None, line=None, action=None,
                     risk=None) -> SavingsProposal:
    """Choose or clear a saving's owner, service line, the plan action that delivers it and the
    risk to its delivery."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, saving)
    _check_saving_links(access, owner, line, action, risk)
    row = _locked(saving)
    before = snapshot(row, LINK_FIELDS)
    row.owner, row.line, row.action, row.risk = owner, line, action, risk
    after = snapshot(row, LINK_FIELDS)
    changed = [k for k in LINK_FIELDS if before[k] != after[k]]
    if not changed:
        return row
    row.save(update_fields=[*changed, *_stamp(row, access.user)])
    names = {"owner": "owner", "line": "service line", "action": "plan action", "risk": "risk"}
    words = [f"{names[k]} to {after[k]}" if after[k] else f"{names[k]} to none" for k in changed]
    log_action("finance.saving.linked", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} set saving {row.reference}'s " + ", ".join(words))
    return row


@transaction.atomic
def record_delivery(access: Access, saving: SavingsProposal, *, year: str, delivered) -> SavingsTarget:
    """Record how much of a saving's target for ``year`` has been delivered to date.
    A closed year's figure is frozen."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, saving)
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
    """Model ``line``'s cost as its activity times a unit cost a year, rising by inflation (for hours
    of home care: hours a week times 365/7 weeks times a unit cost an hour)."""
    from carestat.finance.models import ActivitySource

    access.require(Perm.MANAGE)
    require_same_organisation(access, line)
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
               f"at {fmt(cost)} {'an hour' if row.is_hourly else 'a year each'} in {base_year}, "
               f"rising {inflation}% a year")
    return row


def _clean_changes(access: Access, changes: list[dict]) -> list[dict]:
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
    return clean


@transaction.atomic
def save_scenario(access: Access, *, name: str, changes: list[dict], description: str = "") -> Scenario:
    """A saved what-if. Each change: ``cost_code`` of a modelled line, ``kind`` (volume: units more
    or, if negative, fewer; unit_cost: percent dearer or cheaper; inflation: percent a year),
    ``amount``, and ``start``, the quarter it applies from (2026-27-Q3; not for inflation)."""
    access.require(Perm.MANAGE)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the scenario", field="name")
    clean = _clean_changes(access, changes)
    if Scenario.objects.filter(organisation=access.organisation, name__iexact=name).exists():
        raise Conflict(f"There is already a scenario called ‘{name}’", field="name")
    scenario = Scenario(organisation=access.organisation, name=name, description=(description or "").strip(),
                        changes=clean)
    _stamp(scenario, access.user, new=True)
    scenario.save()
    log_action("finance.scenario.saved", actor=access.user, organisation=access.organisation, record=scenario,
               after={"changes": clean},
               message=f"{access.user.display_name} saved scenario ‘{name}’: "
               + "; ".join(describe_changes(access.organisation, clean)))
    return scenario


@transaction.atomic
def update_scenario(access: Access, scenario: Scenario, *, name: str, description: str = "",
                    changes: list[dict]) -> Scenario:
    """Rename a scenario, or change its description or its changes (the whole list, so a change
    is removed by leaving it out). Reports already made keep the figures they froze."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, scenario)
    row = _locked(scenario)
    if row.is_archived:
        raise InvalidInput(f"Scenario ‘{row.name}’ is archived; it cannot be changed", field="name")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the scenario", field="name")
    clean = _clean_changes(access, changes)
    if name.lower() != row.name.lower() and Scenario.objects.filter(
            organisation=access.organisation, name__iexact=name).exclude(pk=row.pk).exists():
        raise Conflict(f"There is already a scenario called ‘{name}’", field="name")
    before = {"name": row.name, "description": row.description, "changes": row.changes}
    after = {"name": name, "description": (description or "").strip(), "changes": clean}
    changed = [k for k in before if before[k] != after[k]]
    if not changed:
        return row
    row.name, row.description, row.changes = after["name"], after["description"], clean
    row.save(update_fields=[*changed, *_stamp(row, access.user)])
    log_action("finance.scenario.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} changed scenario ‘{before['name']}’"
               + (f" (now ‘{name}’)" if "name" in changed else "") + ": "
               + "; ".join(describe_changes(access.organisation, clean)))
    return row


@transaction.atomic
def archive_scenario(access: Access, scenario: Scenario, *, reason: str) -> Scenario:
    """Archive a scenario: it leaves the comparison and can no longer be named by the report.
    Reports already made keep it in their frozen section."""
    from carestat.core.changes import require_reason

    access.require(Perm.MANAGE)
    require_same_organisation(access, scenario)
    reason = require_reason(reason, "Say why the scenario is archived")
    row = _locked(scenario)
    if row.is_archived:
        return row
    if FinanceSettings.objects.filter(organisation=access.organisation, report_scenario=row).exists():
        raise Conflict(f"The committee report names scenario ‘{row.name}’; choose another in the finance settings "
                       "first", field="reason")
    row.is_archived = True
    row.save(update_fields=["is_archived", *_stamp(row, access.user)])
    log_action("finance.scenario.archived", actor=access.user, organisation=access.organisation, record=row,
               before={"is_archived": False}, after={"is_archived": True},
               message=f"{access.user.display_name} archived scenario ‘{row.name}’: {reason}")
    return row


def describe_change(c: dict, activity: str = "") -> str:
    """One scenario change in words; ``activity`` is the changed line's (its cost driver's), which
    says what a change of volume counts: "4 fewer hours a week on CS200", "2 fewer on CS110"."""
    a = Decimal(c["amount"])
    n = format(abs(a).normalize(), "f")  # "2", "2.5": no trailing zeros
    if c["kind"] == "volume":
        unit = calc.volume_unit(activity, abs(a))
        return f"{n} {'more' if a > 0 else 'fewer'}{' ' + unit if unit else ''} on {c['cost_code']} from {c['start']}"
    if c["kind"] == "unit_cost":
        return f"unit cost of {c['cost_code']} {n}% {'higher' if a > 0 else 'lower'} from {c['start']}"
    return f"inflation on {c['cost_code']} of {'-' if a < 0 else ''}{n}% a year"


def describe_changes(org, changes: list[dict], activities: dict[str, str] | None = None) -> list[str]:
    """A scenario's changes in words, each in the unit of its line's activity; ``activities``
    (cost code -> activity) when the caller has the cost drivers already."""
    if activities is None:
        activities = dict(CostDriver.objects.filter(organisation=org).values_list("line__cost_code", "activity"))
    return [describe_change(c, activities.get(c["cost_code"], "")) for c in changes]
