"""Import measure values from a CSV or Excel file: all rows or none.

Columns (a header row, names in any order and case): ``code``, ``period``, ``value``, and
optionally ``numerator``, ``denominator``, ``provisional`` (yes/no) and ``note``. Every row is
checked before anything is saved; any problem rejects the whole file with one message per
problem naming the file, row, column and rule. A row identical to the stored value changes
nothing, so importing the same file twice changes nothing. A manager imports; the import is
the approval, and each value records the file and row it came from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.errors import InvalidInput, ServiceError
from carestat.core.permissions import Perm
from carestat.measures import services
from carestat.measures.models import Measure, MeasureValue, ValueSource, ValueStatus

REQUIRED = ("code", "period", "value")
OPTIONAL = ("numerator", "denominator", "provisional", "note")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class ImportProblem:
    file: str
    row: int
    column: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.rule}"


class ImportRejected(InvalidInput):
    """The file was rejected; ``problems`` lists every row-level problem. Nothing was saved."""

    def __init__(self, file_name: str, problems: list[ImportProblem]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"{file_name} was not imported: {count} problem{'s' if count != 1 else ''} "
                         f"(nothing was saved). " + "; ".join(str(p) for p in problems[:20]), field="file")


@dataclass
class ImportResult:
    file: str
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (f"Imported {self.file}: {len(self.created)} new, {len(self.revised)} revised, "
                f"{len(self.unchanged)} unchanged.")


def _rows(file_name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ImportRejected(file_name, [ImportProblem(file_name, 0, "", "is not an Excel workbook (.xlsx) "
                                                           "CareStat can read")]) from None
        ws = wb.worksheets[0]
        raw = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected(file_name, [ImportProblem(file_name, 0, "", "is not UTF-8 text; save it as "
                                                           "‘CSV UTF-8’")]) from None
        raw = list(csv.reader(io.StringIO(text)))
    else:
        raise ImportRejected(file_name, [ImportProblem(file_name, 0, "", "must be a .csv or .xlsx file")])
    if not raw:
        raise ImportRejected(file_name, [ImportProblem(file_name, 1, "", "the file is empty")])
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected(file_name, [ImportProblem(file_name, 1, c, "this column is required") for c in missing])
    out = []
    for number, cells in enumerate(raw[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        row = {h: (str(cells[i]).strip() if i < len(cells) else "") for i, h in enumerate(header)
               if h in REQUIRED + OPTIONAL}
        out.append((number, row))
    if len(out) > MAX_ROWS:
        raise ImportRejected(file_name, [ImportProblem(file_name, 0, "", f"has more than {MAX_ROWS:,} rows")])
    return out


def _bool(text: str) -> bool | None:
    t = (text or "").strip().lower()
    if t in ("", "no", "n", "false", "0"):
        return False
    if t in ("yes", "y", "true", "1"):
        return True
    return None


@transaction.atomic
def import_values(access: Access, file_name: str, content: bytes) -> ImportResult:
    """Check every row, then save them all (or raise ImportRejected and save nothing)."""
    access.require(Perm.MANAGE)
    file_name = (file_name or "upload").rsplit("/", 1)[-1]
    rows = _rows(file_name, content)
    measures = {m.code: m for m in Measure.objects.filter(organisation=access.organisation)}
    problems: list[ImportProblem] = []
    checked = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        code = row.get("code", "").strip()
        measure = measures.get(code)
        if measure is None:
            problems.append(ImportProblem(file_name, number, "code", f"‘{code}’ is not a measure this organisation "
                                          "tracks" if code else "enter the measure's code"))
            continue
        try:
            period = services._check_period(measure, row.get("period", ""))
            services._check_open(access.organisation, period)
        except ServiceError as exc:
            problems.append(ImportProblem(file_name, number, "period", exc.message))
            continue
        if (code, period) in seen:
            problems.append(ImportProblem(file_name, number, "period",
                                          f"{code} {period} is also on row {seen[(code, period)]}"))
            continue
        seen[(code, period)] = number
        provisional = _bool(row.get("provisional", ""))
        if provisional is None:
            problems.append(ImportProblem(file_name, number, "provisional", "must be yes or no"))
            continue
        try:
            v, n, d = services._derive(measure, row.get("value"), row.get("numerator"), row.get("denominator"))
        except ServiceError as exc:
            problems.append(ImportProblem(file_name, number, exc.field or "value", exc.message))
            continue
        checked.append((number, measure, period, v, n, d, provisional, row.get("note", "")))
    if problems:
        raise ImportRejected(file_name, problems)

    result = ImportResult(file_name)
    now = timezone.now()
    actor = access.user if access.user.pk else None
    for number, measure, period, v, n, d, provisional, note in checked:
        key = f"{measure.code} {period}"
        current = MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
        if current is not None and current.is_approved and services._same(current, v, n, d, provisional):
            result.unchanged.append(key)
            continue
        before = None
        if current is not None:
            before = snapshot(current, services.VALUE_FIELDS)
            services._revise(current, access.user, f"Imported from {file_name}, row {number}")
            result.revised.append(key)
        else:
            current = MeasureValue(measure=measure, period=period, created_by=actor)
            result.created.append(key)
        current.value, current.numerator, current.denominator = v, n, d
        current.is_provisional, current.note = provisional, note
        current.source, current.status = ValueSource.IMPORT, ValueStatus.APPROVED
        current.entered_by, current.approved_by, current.approved_at = actor, actor, now
        current.import_file, current.import_row = file_name, number
        current.changed_at, current.changed_by = now, actor
        current.save()
        log_action("measures.value.imported", actor=access.user, organisation=access.organisation, record=current,
                   before=before, after=snapshot(current, services.VALUE_FIELDS),
                   message=f"{access.user.display_name} imported {key}: {services._show(Decimal(v))} "
                           f"from {file_name}, row {number}")
    log_action("measures.import.completed", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} imported {file_name}: {len(result.created)} new, "
                       f"{len(result.revised)} revised, {len(result.unchanged)} unchanged values")
    return result
