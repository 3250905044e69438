"""Every list's download as CSV and as an Excel workbook, written once.

A list names its columns with a kind (text, whole number, number, percent, money, date, date and
time), and the workbook writes each cell as that type with a format a reader expects: numbers
stay numbers (so a council's analyst can sum and chart them), dates are dates shown as
31/03/2026, percentages are stored as fractions shown as 82.0%. Every sheet has a bold, frozen
header row and an autofilter. CSV writes the same rows as plain text (a percent as its number of
percentage points, a date as 2026-03-31), the way other systems read CSV.

Every text cell passes through :func:`carestat.core.spreadsheet_cells.safe_cell`, so a title
that looks like a formula stays text (CSV injection).

The workbooks that are also imported back (plans, the risk register, recommendations) keep
their own columns and call :func:`finish_sheet` for the same header, filter and formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from carestat.analytics.words import count_of  # noqa: F401  (lists' counts, re-exported for pages)
from carestat.core.spreadsheet_cells import safe_cell

FORMATS = {
    "int": "#,##0",
    "number": "#,##0.0##",
    "percent": "0.0%",
    "money": "£#,##0.00;-£#,##0.00",
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
}
KINDS = {"text", *FORMATS}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, the kind of value in it and, optionally, its width."""

    title: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {sorted(KINDS)}")


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        # Excel has no time zones: the local wall-clock time, as people read it on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind == "percent" and isinstance(value, int | float | Decimal):
        return float(value) / 100
    if kind in ("int", "number", "money") and isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict | list):
        return safe_cell(str(value))
    return safe_cell(value)


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 82.0000 (four places in the database) is written 82, 16.2500 as 16.25.
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, float) and value.is_integer() and kind in ("int", "text"):
        return int(value)
    if isinstance(value, dict | list):
        return safe_cell(str(value))
    return safe_cell(value)


def finish_sheet(ws, columns: Sequence[Column] | None = None, *, width: int = 22) -> None:
    """A sheet's header bold and frozen, an autofilter over its data, column widths, and each
    cell's number format from its column's kind (or, without columns, from the value: dates
    as dates)."""
    if ws.max_row < 1 or ws.max_column < 1:
        return
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"
    for index in range(1, ws.max_column + 1):
        column = columns[index - 1] if columns and index <= len(columns) else None
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = (column.width if column and column.width else
                                              max(width, len(str(ws.cell(1, index).value or "")) + 2))
        fmt = FORMATS.get(column.kind) if column else None
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            if cell.value is None:
                continue
            if fmt and not isinstance(cell.value, str):
                # a whole number in a column of figures (a count measure's value beside rates) reads
                # 57, not 57.0
                whole = (column is not None and column.kind == "number" and isinstance(cell.value, int | float)
                         and float(cell.value).is_integer())
                cell.number_format = FORMATS["int"] if whole else fmt
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = FORMATS["datetime"]
            elif isinstance(cell.value, dt.date):
                cell.number_format = FORMATS["date"]


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx workbook with typed, formatted cells."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append([c.title for c in sheet.columns])
        for row in sheet.rows:
            ws.append([_xlsx_value(v, c.kind) for v, c in zip(row, sheet.columns, strict=True)])
        finish_sheet(ws, sheet.columns)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return out.getvalue()


def export_response(filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
                    fmt: str) -> HttpResponse:
    """A download of one list: ``fmt`` "csv" or "xlsx"; ``filename`` without its extension."""
    rows = list(rows)
    if fmt == "xlsx":
        response = HttpResponse(workbook([Sheet(title, columns, rows)]), content_type=XLSX)
    elif fmt == "csv":
        # A byte order mark, so Excel opening the CSV reads "£" and "’" as UTF-8.
        response = HttpResponse("\ufeff" + csv_text(columns, rows), content_type="text/csv; charset=utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
