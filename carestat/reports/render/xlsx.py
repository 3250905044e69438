"""Every figure in the report as an Excel workbook (openpyxl): a sheet per section, one with
every figure's provenance, and the forecasts' weekly series.

Cells are typed so the workbook can be sorted, filtered and summed as it is: numbers are
numbers, percentages are fractions formatted as percentages, dates are dates; text a person
typed stays text (made inert if it looks like a formula). Every sheet has its header row
frozen, an autofilter and columns sized to what they hold."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from carestat.core.spreadsheet_cells import safe_cell

DATE_FORMAT = "d mmm yyyy"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0.##"
INTEGER_FORMAT = "#,##0"
MONEY_FORMAT = "£#,##0;-£#,##0"
HEADER_FILL = PatternFill("solid", fgColor="DEE0E2")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHORT_DATE = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}")
_LONG_DATE = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")
_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?|-?\d+(\.\d+)?")
_PERCENT = re.compile(r"(-?\d+(\.\d+)?)%")


class Typed:
    """A cell value with its number format."""

    def __init__(self, value, number_format: str | None = None):
        self.value, self.number_format = value, number_format


def typed(value, *, percent: bool = False, money: bool = False) -> Typed:
    """``value`` as the typed cell a person would have typed: dates as dates, ``64.0%`` as 0.64
    formatted as a percentage, ``1,234`` as 1234; anything else as (inert) text.

    ``percent``: a bare number is a percentage (a "Variance %" column holds 4.9 for 4.9%).
    ``money``: a number is pounds."""
    if isinstance(value, Typed):
        return value
    if value is None or value == "":
        return Typed(None)
    if isinstance(value, bool):
        return Typed("Yes" if value else "No")
    if isinstance(value, dt.datetime):
        return Typed(value.replace(tzinfo=None), DATE_FORMAT)
    if isinstance(value, dt.date):
        return Typed(value, DATE_FORMAT)
    if isinstance(value, int | float | Decimal):
        if percent:
            return Typed(float(value) / 100, PERCENT_FORMAT)
        if money:
            return Typed(value, MONEY_FORMAT)
        return Typed(value, INTEGER_FORMAT if float(value).is_integer() else NUMBER_FORMAT)
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return Typed(dt.date.fromisoformat(text), DATE_FORMAT)
        except ValueError:
            pass
    for pattern, fmt in ((_SHORT_DATE, "%d %b %Y"), (_LONG_DATE, "%d %B %Y")):
        if pattern.fullmatch(text):
            try:
                return Typed(dt.datetime.strptime(text, fmt).date(), DATE_FORMAT)
            except ValueError:
                pass
    if m := _PERCENT.fullmatch(text):
        return Typed(float(Decimal(m.group(1)) / 100), PERCENT_FORMAT)
    if _NUMBER.fullmatch(text):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return Typed(safe_cell(text))
        return typed(int(number) if number == number.to_integral_value() and "." not in text else float(number),
                     percent=percent, money=money)
    return Typed(safe_cell(text))


def _width(value) -> int:
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, float):
        return 10
    return len(str(value)) if value is not None else 0


def _sheet(wb, title: str, headers: list[str], rows: list[list], *, percent_columns=(), money: bool = False,
           text_columns=()) -> None:
    """One sheet: bold, frozen, filtered header row; typed cells; columns as wide as they need
    (within reason), long text wrapped."""
    ws = wb.create_sheet(_sheet_name(wb, title))
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(str(h)) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, raw in enumerate(row, start=1):
            header = str(headers[c - 1]) if c <= len(headers) else ""
            if c in text_columns or header in text_columns:
                t = Typed(safe_cell("" if raw is None else str(raw)) or None)
            else:
                t = typed(raw, percent=c in percent_columns or header in percent_columns
                          or header.endswith("%"), money=money)
            cell = ws.cell(row=r, column=c, value=t.value)
            if t.number_format:
                cell.number_format = t.number_format
            if isinstance(t.value, str) and len(t.value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c - 1] = max(widths[c - 1], _width(t.value)) if c <= len(widths) else 0
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, w + 2))


def _sheet_name(wb, text: str) -> str:
    """Excel's limit is 31 characters, without []:*?/\\, unique in the workbook."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31].strip()
    base, n = name, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def _measure_value(m: dict):
    """A measure's value as a number (a percentage as a fraction), or its words when it has
    none to give (``fewer than 5``)."""
    if m.get("raw_value") not in ("", None):
        number = float(Decimal(m["raw_value"]))
        if m["unit"] == "percent":
            return Typed(number / 100, PERCENT_FORMAT)
        return typed(number)
    return typed(m["value"])


def render_xlsx(v: dict, built_at: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if built_at:
        when = dt.datetime.fromisoformat(built_at).replace(tzinfo=None)
        wb.properties.created = wb.properties.modified = when
    wb.properties.title = v["title"]
    wb.properties.creator = v["organisation"]
    _sheet(wb, "About", ["Item", "Value"], [
        ["Title", v["title"]], ["Organisation", v["organisation"]], ["Covers", v["scope"]],
        ["Period", f"{v['period']} ({v['period_id']})"], ["Position as at", v["as_of"]],
        ["Status", v["status_label"]], ["Approved", v["approved"]], ["Published", v["published"]],
        ["Figures taken", v["built_at"]], ["Fingerprint", v["hash"]],
        ["Public version", "Yes" if v["public"] else "No"],
    ], text_columns=(2,))
    _sheet(wb, "Summary", ["Items", *[lbl for _, lbl in v["rag_columns"]], "Total"],
           [[row["what"], *[row[k] for k, _ in v["rag_columns"]], row["total"]] for row in v["count_rows"]]
           + [["Measures", v["measure_counts"]["red"], v["measure_counts"]["amber"], v["measure_counts"]["green"],
               None, v["measure_counts"]["none"], sum(v["measure_counts"].values())]])
    _sheet(wb, "Exceptions", ["Kind", "Section", "Item", "RAG", "Owner", "Status", "Commentary", "Recovery action"],
           [[e["kind"], e["section"], e["title"], e["rag_text"], e["owner"], e["status"], e["commentary"],
             e["recovery"]] for e in v["exceptions"]], text_columns=(3, 7, 8))
    _sheet(wb, "Actions", ["Priority", "Action", "Owner", "Due", "Percent complete", "Status", "RAG", "Commentary",
                           "Next steps"],
           [[s["title"], a["title"], a["owner"], a["due"], a["percent"], a["status_label"], a["rag_text"],
             a["commentary"], a["recovery"]] for s in v["sections"] for a in s["actions"]],
           percent_columns=(5,), text_columns=(1, 2, 8, 9))
    _sheet(wb, "Milestones", ["Priority", "Action", "Milestone", "Original date", "Revised date", "Actual date",
                              "Slippage (days)", "Status", "RAG"],
           [[s["title"], a["title"], m["title"], m["baseline"], m["forecast"], m["actual"], m["slippage_days"],
             m["status_label"], m["rag_text"]] for s in v["sections"] for a in s["actions"] for m in a["milestones"]],
           text_columns=(1, 2, 3))
    measures = [(s["title"], m) for s in v["sections"] for m in s["measures"]]
    _sheet(wb, "Measures", ["Priority", "Code", "Measure", "Unit", "Period", "Value", "Numerator", "Denominator",
                            "Target", "National", "RAG", "Variation", "Assurance"],
           [[t, m["code"], m["title"], m["unit"], m["period"], _measure_value(m), m["numerator"], m["denominator"],
             m["target"], m["national"], m["rag_text"], m["variation"], m["assurance"]] for t, m in measures],
           text_columns=(1, 2, 3))
    _sheet(wb, "Measure series", ["Code", "Period", "Value"],
           [[m["code"], p["period"], _series_value(m, p)] for _, m in measures for p in m["series"]],
           text_columns=(1,))
    _sheet(wb, "Forecasts", ["Forecast", "Position at", "Backlog", "Scenario", "Clears", "Clearance date",
                             "Earliest likely", "Latest likely"],
           [[f["title"], f["as_of"], f["backlog_text"], sc["name"], "Yes" if sc["clears"] else "No",
             sc["clearance_date"] or None, sc.get("clearance_early") or None, sc.get("clearance_late") or None]
            for f in v["forecasts"] for sc in f["scenarios"]], text_columns=(1, 4))
    if not v["public"]:
        weekly = [f for f in v["forecasts"] if f.get("chart")]
        if weekly:
            headers = ["Forecast", *weekly[0]["chart"]["headers"]]
            rows = [[f["title"], *row] for f in weekly for row in f["chart"]["rows"]
                    if f["chart"]["headers"] == weekly[0]["chart"]["headers"]]
            _sheet(wb, "Forecast weekly series", headers, rows, text_columns=(1,))
    for d in v["domains"]:  # one sheet per table, named for the domain and the table
        for t in d["tables"]:
            _sheet(wb, f"{d['title']} {t['caption']}", t["headers"], t["rows"], money="(£)" in t["caption"])
    _sheet(wb, "Data quality", ["Submission", "Format", "Files", "Period", "Status", "Records excluded", "Reasons",
                                "Feeds measures"],
           [[d["id"], d["format"], d["files_text"], d["period"], d["status"], d["quarantined_text"], d["reasons_text"],
             d["feeds_text"]] for d in v["data_quality"]], text_columns=(3, 7, 8))
    _sheet(wb, "Changes", ["Change", "Item"],
           [[label, i] for label, items in v["changes"]["groups"] for i in items]
           or [["", v["changes"]["previous_text"]]], text_columns=(1, 2))
    _sheet(wb, "Provenance", ["Figure", "Section", "Period", "Value", "Where it comes from"],
           provenance_rows(v), text_columns=(1, 2, 5))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _series_value(m: dict, p: dict):
    if p.get("raw") not in ("", None):
        number = float(Decimal(p["raw"]))
        return Typed(number / 100, PERCENT_FORMAT) if m["unit"] == "percent" else typed(number)
    return typed(p["value"])


def provenance_rows(v: dict) -> list[list]:
    """Where every figure in the report comes from: each measure value (entered by whom,
    imported from which return, computed from which submission), each forecast and each
    domain table (frozen from its section when the figures were taken)."""
    rows = []
    taken = f"frozen into the report when its figures were taken ({v['built_at']})"
    for s in v["sections"]:
        for m in s["measures"]:
            source = m["provenance"] or ("Not shown in the public version" if v["public"] else "Not recorded")
            if m.get("national_source") and not v["public"]:
                source += f"; national value: {m['national_source']}"
            rows.append([f"{m['code']}: {m['title']}", s["title"], m["period"], _measure_value(m), source])
    for f in v["forecasts"]:
        subs = ", ".join(f.get("submissions", [])) or "the case events loaded"
        rows.append([f["title"], "Backlog forecasts", f["as_of"], f["backlog_text"],
                     f"Saved forecast made on the position at {f['as_of_text']} from submissions {subs}"])
    for d in v["domains"]:
        for t in d["tables"]:
            rows.append([t["caption"], d["title"], v["period_id"], f"{len(t['rows'])} rows",
                         f"The {d['title']} section, {taken}"])
    for d in v["data_quality"]:
        rows.append([f"Records excluded: {d['format']}", "Data quality", d["period"], d["quarantined_text"],
                     f"Submission {d['id']} ({d['files_text']})"])
    return rows
