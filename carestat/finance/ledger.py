"""Ledger extracts from the finance system, in CSV or Excel, and the year's figures back out to Excel.

A row is one cost code in one month or quarter: the line's approved budget for that financial
year, its actual spend in the period, and the forecast outturn for the year as at the period's
end. The organisation names its extract's columns once (FinanceSettings).

Every row is checked first and each problem is reported by file, row and column; if there is any
problem, nothing is stored. The same file loaded again (by its SHA-256) changes nothing, and a
different file restating figures already held records nothing for them either.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from carestat.analytics import finance as calc
from carestat.analytics.periods import PeriodError, financial_year_of, parse_period
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import PeriodClosed, ServiceError
from carestat.core.models import ReportingPeriod
from carestat.core.permissions import Perm
from carestat.core.spreadsheet_cells import safe_row, unquote_cell
from carestat.finance import services
from carestat.finance.models import Budget, LedgerImport, PeriodFigure, ServiceLine, settings_for
from carestat.finance.summary import year_position

FIELDS = ("cost_code", "period", "budget", "actual", "forecast")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{self.file} {where}: {self.message}"


class LedgerInvalid(ServiceError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]), field="file")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    ledger_import: LedgerImport
    already_loaded: bool

    @property
    def summary(self) -> str:
        li = self.ledger_import
        if self.already_loaded:
            return (f"{li.filename} was already loaded on {timezone.localtime(li.imported_at):%-d %B %Y}; "
                    "nothing changed")
        return f"Loaded {li.rows} rows from {li.filename}: {li.changed} budgets and period figures set or changed"

    def as_json(self) -> dict:
        li = self.ledger_import
        return {"filename": li.filename, "sha256": li.sha256, "rows": li.rows, "changed": li.changed,
                "already_loaded": self.already_loaded, "imported_at": li.imported_at.isoformat()}


def _table(content: bytes, filename: str) -> list[list]:
    """The file's cells, row by row, header first."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        try:
            wb = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
        except Exception:
            raise LedgerInvalid([Problem(filename, 1, "", "is not an Excel workbook (.xlsx) or a CSV file")]) from None
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise LedgerInvalid([Problem(filename, 1, "", "is not a CSV text file or an Excel workbook")]) from None
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(unquote_cell(value)).strip()


def _number(value) -> Decimal | None:
    """The cell as Decimal, None if blank; raises ValueError for text that is no amount.
    Thousands separators, a pound sign and accountants' brackets for negatives are understood."""
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return calc.money(value)
    text = _text(value).replace(",", "").replace("£", "").replace(" ", "")
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        raise ValueError(text)
    return calc.money(-d if negative else d)


def _period_label(value) -> str:
    """Periods as the extract gives them: "2026-09", "2026-27-Q2", or a date in the month."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    return _text(value)


def check(access: Access, content: bytes, filename: str) -> list[dict]:
    """Every row of the extract, checked; raises LedgerInvalid listing every problem."""
    settings = settings_for(access.organisation)
    columns = settings.columns()
    problems: list[Problem] = []

    def problem(row, column, message):
        problems.append(Problem(filename, row, column, message))

    table = _table(content, filename)
    if not table:
        raise LedgerInvalid([Problem(filename, 1, "", "is empty; it needs a header row and then one row per "
                                                       "cost code and period")])
    header = [_text(h).lower() for h in table[0]]
    where = {}
    for key, name in columns.items():
        if name.lower() not in header:
            problem(1, name, f"this column is missing; the header row has {', '.join(_text(h) for h in table[0])}. "
                    "Change the column names in finance settings if your extract calls it something else")
        else:
            where[key] = header.index(name.lower())
    if problems:
        raise LedgerInvalid(problems)
    lines = {line.cost_code.lower(): line for line in ServiceLine.objects.filter(organisation=access.organisation)}
    periods = {p.identifier: p for p in ReportingPeriod.objects.filter(organisation=access.organisation,
                                                                      kind__in=("month", "quarter"))}
    closed_cache: dict[str, str | None] = {}

    def _closed(period) -> str | None:
        if period.identifier not in closed_cache:
            try:
                core_services.refuse_if_closed(access.organisation, period.start, period.end, what=period.identifier,
                                               frozen="its figures cannot be changed")
                closed_cache[period.identifier] = None
            except PeriodClosed as exc:
                closed_cache[period.identifier] = exc.message
        return closed_cache[period.identifier]

    seen: dict[tuple, int] = {}
    budgets: dict[tuple, tuple[Decimal, int]] = {}
    kinds: dict[tuple, tuple[str, int]] = {}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue

        def cell(key, values=values):
            i = where[key]
            return values[i] if i < len(values) else None

        code = _text(cell("cost_code"))
        line = lines.get(code.lower()) if code else None
        if not code:
            problem(number, columns["cost_code"], "is blank; give the cost code")
        elif line is None:
            problem(number, columns["cost_code"], f"'{code}' is not the cost code of any service line of "
                    f"{access.organisation.name}; add the line first or correct the code")
        elif line.is_archived:
            problem(number, columns["cost_code"], f"'{code}' belongs to ‘{line.name}’, which is archived")
        label = _period_label(cell("period"))
        period = None
        try:
            parsed = parse_period(label)
            if parsed.kind.value not in ("month", "quarter"):
                problem(number, columns["period"], f"'{label}' is not a month (2026-09) or a quarter (2026-27-Q2)")
            else:
                period = periods.get(parsed.label)
                if period is None:
                    problem(number, columns["period"], f"{parsed.label} is not a reporting period of "
                            f"{access.organisation.name}; an admin can add its financial year")
                elif closed := _closed(period):
                    problem(number, columns["period"], closed)
        except PeriodError:
            problem(number, columns["period"], f"'{label}' is not a month (2026-09) or a quarter (2026-27-Q2)"
                    if label else "is blank; give the month (2026-09) or quarter (2026-27-Q2)")
        amounts = {}
        for key, allow_negative in (("budget", False), ("actual", True), ("forecast", False)):
            raw = cell(key)
            try:
                value = _number(raw)
            except ValueError:
                problem(number, columns[key], f"'{_text(raw)}' is not an amount; write it as a number like 125000.50")
                continue
            if value is not None and value < 0 and not allow_negative:
                problem(number, columns[key], f"{calc.format_money(value)} is negative; a {key} cannot be below zero")
                continue
            amounts[key] = value
        if line is not None and period is not None:
            key = (line.pk, period.identifier)
            if key in seen:
                problem(number, columns["period"], f"{code} {period.identifier} is also on row {seen[key]}; "
                        "give each cost code one row per period")
            seen[key] = number
            year = financial_year_of(period.start).label
            other = kinds.get((line.pk, year))
            if other and other[0] != period.kind:
                problem(number, columns["period"], f"{code} has {other[0]}ly figures for {year} on row {other[1]}; "
                        "keep to months or quarters within a year")
            kinds.setdefault((line.pk, year), (period.kind, number))
            b = amounts.get("budget")
            if b is not None:
                if (line.pk, year) in budgets and budgets[(line.pk, year)][0] != b:
                    first = budgets[(line.pk, year)]
                    problem(number, columns["budget"], f"{code}'s {year} budget is {calc.format_money(b)} here but "
                            f"{calc.format_money(first[0])} on row {first[1]}; a line has one budget for the year")
                budgets.setdefault((line.pk, year), (b, number))
            rows.append({"row": number, "line": line, "period": period, "year": year, "budget": None,
                         "actual": None, "forecast": None, **amounts})
    if not rows and not problems:
        problem(2, "", "has no rows after the header")
    if problems:
        raise LedgerInvalid(problems)
    return rows


def import_ledger(access: Access, content: bytes, *, filename: str = "ledger.csv") -> ImportResult:
    """Load a ledger extract: all of it or none of it. The same file again changes nothing."""
    access.require(Perm.MANAGE)
    digest = hashlib.sha256(content).hexdigest()
    done = LedgerImport.objects.filter(organisation=access.organisation, sha256=digest).first()
    if done is not None:
        return ImportResult(done, True)
    rows = check(access, content, filename)
    return _apply(access, rows, filename, digest)


@transaction.atomic
def _apply(access: Access, rows: list[dict], filename: str, digest: str) -> ImportResult:
    changed = 0
    budgets_done = set()
    for r in rows:
        try:
            if r["budget"] is not None and (r["line"].pk, r["year"]) not in budgets_done:
                budgets_done.add((r["line"].pk, r["year"]))
                changed += services.set_budget(access, r["line"], year=r["year"], amount_=r["budget"], source=filename)
            changed += services.set_figures(access, r["line"], r["period"], actual=r["actual"],
                                            forecast=r["forecast"], source=filename)
        except ServiceError as exc:
            # A rule only the services know (a closed year's budget); undo everything and name the row.
            raise LedgerInvalid([Problem(filename, r["row"], exc.field or "", exc.message)]) from None
    li = LedgerImport.objects.create(organisation=access.organisation, filename=filename[:255], sha256=digest,
                                     rows=len(rows), changed=changed, imported_by=access.user,
                                     imported_at=timezone.now())
    log_action("finance.ledger.imported", actor=access.user, organisation=access.organisation, record=li,
               after={"rows": len(rows), "changed": changed, "sha256": digest},
               message=f"{access.user.display_name} imported ledger extract {filename} ({len(rows)} rows, "
               f"{changed} budgets and period figures set or changed)")
    return ImportResult(li, False)


# Export -------------------------------------------------------------------------------------------

def export_year(access: Access, year: str) -> bytes:
    """The year's summary by line, and every period figure, as a workbook (formula-safe)."""
    access.require(Perm.VIEW)
    year = services.financial_year(year)
    pos = year_position(access.organisation, year)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(["Cost code", "Service line", "Budget", "Forecast outturn", "Variance", "Variance %", "RAG",
               "Actual to date", "Forecast as at"])
    for p in pos.flat():
        ws.append(safe_row([p.line.cost_code, "  " * p.depth + p.line.name, p.budget, p.forecast, p.variance.amount,
                            p.variance.percent, p.variance.rag.value, p.actual, p.forecast_as_at or "at budget"]))
    ws.append(safe_row(["", "Total", pos.budget, pos.forecast, pos.variance.amount, pos.variance.percent,
                        pos.variance.rag.value, pos.actual, ""]))
    fy = parse_period(year)
    periods = wb.create_sheet("Periods")
    columns = settings_for(access.organisation).columns()
    periods.append([columns["cost_code"], columns["period"], columns["budget"], columns["actual"],
                    columns["forecast"]])
    budgets = {b.line_id: b.amount for b in Budget.objects.filter(organisation=access.organisation, year=year)}
    for f in (PeriodFigure.objects.filter(organisation=access.organisation, period__start__gte=fy.start,
                                          period__end__lte=fy.end).select_related("line", "period")
              .order_by("line__cost_code", "period__start")):
        periods.append(safe_row([f.line.cost_code, f.period.identifier, budgets.get(f.line_id), f.actual,
                                 f.forecast]))
    for s in wb.worksheets:
        for c in s[1]:
            c.font = Font(bold=True)
        for column in s.columns:
            s.column_dimensions[column[0].column_letter].width = 18
    out = io.BytesIO()
    wb.save(out)
    log_action("finance.exported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} exported the {year} financial summary to Excel")
    return out.getvalue()
