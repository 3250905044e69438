"""Every figure in the report as an Excel workbook (openpyxl), one sheet per section."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from carestat.core.spreadsheet_cells import safe_cell


def _sheet(wb, title: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(["" if c is None else safe_cell(c) for c in row])
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, min(60, len(str(h)) + 4))


def _sheet_name(wb, text: str) -> str:
    """Excel's limit is 31 characters, without []:*?/\\, unique in the workbook."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31].strip()
    base, n = name, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def render_xlsx(v: dict, built_at: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if built_at:
        when = dt.datetime.fromisoformat(built_at).replace(tzinfo=None)
        wb.properties.created = wb.properties.modified = when
    wb.properties.title = v["title"]
    _sheet(wb, "About", ["Item", "Value"], [
        ["Title", v["title"]], ["Organisation", v["organisation"]], ["Covers", v["scope"]],
        ["Period", f"{v['period']} ({v['period_id']})"], ["Position as at", v["as_of"]],
        ["Status", v["status_label"]], ["Approved", v["approved"]], ["Published", v["published"]],
        ["Figures taken", v["built_at"]], ["Fingerprint", v["hash"]],
        ["Public version", "Yes" if v["public"] else "No"],
    ])
    _sheet(wb, "Summary", ["Items", *[lbl for _, lbl in v["rag_columns"]], "Total"],
           [[row["what"], *[row[k] for k, _ in v["rag_columns"]], row["total"]] for row in v["count_rows"]]
           + [["Measures", v["measure_counts"]["red"], v["measure_counts"]["amber"], v["measure_counts"]["green"],
               "", v["measure_counts"]["none"], sum(v["measure_counts"].values())]])
    _sheet(wb, "Exceptions", ["Kind", "Section", "Item", "RAG", "Owner", "Status", "Commentary", "Recovery action"],
           [[e["kind"], e["section"], e["title"], e["rag_text"], e["owner"], e["status"], e["commentary"],
             e["recovery"]] for e in v["exceptions"]])
    _sheet(wb, "Actions", ["Priority", "Action", "Owner", "Due", "Percent complete", "Status", "RAG", "Commentary",
                           "Next steps"],
           [[s["title"], a["title"], a["owner"], a["due"], a["percent"], a["status_label"], a["rag_text"],
             a["commentary"], a["recovery"]] for s in v["sections"] for a in s["actions"]])
    _sheet(wb, "Milestones", ["Priority", "Action", "Milestone", "Original date", "Revised date", "Actual date",
                              "Slippage (days)", "Status", "RAG"],
           [[s["title"], a["title"], m["title"], m["baseline"], m["forecast"], m["actual"], m["slippage_days"],
             m["status_label"], m["rag_text"]] for s in v["sections"] for a in s["actions"] for m in a["milestones"]])
    measures = [(s["title"], m) for s in v["sections"] for m in s["measures"]]
    _sheet(wb, "Measures", ["Priority", "Code", "Measure", "Unit", "Period", "Value", "Numerator", "Denominator",
                            "Target", "National", "RAG", "Variation", "Assurance"],
           [[t, m["code"], m["title"], m["unit"], m["period"], m["value"], m["numerator"], m["denominator"],
             m["target"], m["national"], m["rag_text"], m["variation"], m["assurance"]] for t, m in measures])
    _sheet(wb, "Measure series", ["Code", "Period", "Value"],
           [[m["code"], p["period"], p["value"]] for _, m in measures for p in m["series"]])
    _sheet(wb, "Forecasts", ["Forecast", "Position at", "Backlog", "Scenario", "Clears"],
           [[f["title"], f["as_of"], f["backlog_text"], sc["name"], sc["clears_text"]]
            for f in v["forecasts"] for sc in f["scenarios"]])
    for d in v["domains"]:  # one sheet per table, named for the domain and the table
        for t in d["tables"]:
            _sheet(wb, _sheet_name(wb, f"{d['title']} {t['caption']}"), t["headers"], t["rows"])
    _sheet(wb, "Data quality", ["Submission", "Format", "Files", "Period", "Status", "Records excluded", "Reasons",
                                "Feeds measures"],
           [[d["id"], d["format"], d["files_text"], d["period"], d["status"], d["quarantined_text"], d["reasons_text"],
             d["feeds_text"]] for d in v["data_quality"]])
    _sheet(wb, "Changes", ["Change", "Item"],
           [[label, i] for label, items in v["changes"]["groups"] for i in items]
           or [["", v["changes"]["previous_text"]]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
