"""The report as an editable Word document (python-docx) for committee papers: the same
content as the PDF, with charts given as their data tables and summaries in words."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.shared import Pt


def _table(doc, caption: str, headers: list[str], rows: list[list], style: str = "Table Grid") -> None:
    doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = style
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = "" if text is None else str(text)


def _chart(doc, chart: dict | None) -> None:
    if not chart:
        return
    _table(doc, chart["caption"], chart["headers"], chart["rows"])
    if chart.get("hidden_rows"):
        doc.add_paragraph(f"The table shows the latest {len(chart['rows'])} values; {chart['hidden_rows']} earlier "
                          "values are in the Excel workbook.")
    if chart.get("summary"):
        doc.add_paragraph(chart["summary"])


def render_docx(v: dict, built_at: str = "") -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    props = doc.core_properties
    props.title, props.author, props.subject = v["title"], v["organisation"], v["period"]
    if built_at:  # fixed times so the document's properties don't change from one rendering to the next
        when = dt.datetime.fromisoformat(built_at).replace(tzinfo=None)
        props.created = props.modified = when
    props.revision = 1

    doc.add_paragraph(v["organisation"])
    doc.add_heading(v["title"], level=0)
    cover = [("Covers", v["scope"]), ("Period", f"{v['period']} ({v['period_id']}); position as at {v['as_of']}"),
             ("Status", v["status_label"])]
    if v["approved"]:
        cover.append(("Approved", v["approved"]))
    if v["published"]:
        cover.append(("Published", v["published"]))
    cover.append(("Figures taken", v["built_at"] + (f"; fingerprint {v['hash']}" if v["hash"] else "")))
    _table(doc, "About this report", ["", ""], [list(c) for c in cover])
    if v["public"]:
        doc.add_paragraph("This public version shows counts of 1 to 4 people as “fewer than 5”, and hides other "
                          "figures from which they could be worked out.")
    doc.add_heading("Contents", level=1)
    for title in ["Summary", "Exceptions", "Delivery by priority", "Backlog forecasts",
                  *[d["title"] for d in v["domains"]], "Data quality", "Changed since the last report"]:
        doc.add_paragraph(title, style="List Number")

    doc.add_page_break()
    doc.add_heading("Summary", level=1)
    doc.add_heading("Main messages", level=2)
    for p in v["main_messages"] or ["No main messages have been written."]:
        doc.add_paragraph(p)
    doc.add_heading("Facts", level=2)
    for f in v["facts"]:
        doc.add_paragraph(f, style="List Bullet")
    _table(doc, "Actions and milestones by RAG rating", ["Items", *[lbl for _, lbl in v["rag_columns"]], "Total"],
           [[row["what"], *[row[k] for k, _ in v["rag_columns"]], row["total"]] for row in v["count_rows"]])
    _table(doc, "Measures by RAG rating against target", ["Items", *[lbl for _, lbl in v["measure_columns"]]],
           [["Measures", *[v["measure_counts"][k] for k, _ in v["measure_columns"]]]])

    doc.add_heading("Exceptions", level=1)
    if not v["exceptions"]:
        doc.add_paragraph("No item is rated red or amber.")
    for e in v["exceptions"]:
        doc.add_heading(f"{e['rag_text']}: {e['title']}", level=3)
        doc.add_paragraph(f"{e['section']}" + (f"; owner {e['owner']}" if e["owner"] else "") + f"; {e['status']}")
        if e["milestones"]:
            doc.add_paragraph("Milestones: " + "; ".join(e["milestones"]))
        doc.add_paragraph(f"Commentary: {e['commentary']}")
        if e["kind"] == "action":
            doc.add_paragraph(f"Recovery action: {e['recovery']}")

    doc.add_heading("Delivery by priority", level=1)
    for sec in v["sections"]:
        doc.add_heading(sec["title"], level=2)
        if sec["plan"]:
            doc.add_paragraph(sec["plan"] + (f"; overall {sec['rag_text']}" if sec["rag_text"] else ""))
        if sec["actions"]:
            _table(doc, f"Actions: {sec['title']}", ["Action", "Owner", "Due", "Complete", "RAG"],
                   [[a["title"], a["owner"], a["due_text"], f"{a['percent']}%", a["rag_text"]] for a in sec["actions"]])
        if sec["milestones"]:
            _table(doc, f"Milestones: {sec['title']} (original and revised dates)",
                   ["Milestone", "Original date", "Revised date", "Done", "RAG"],
                   [[m["title"], m["baseline_text"], m["forecast_text"] if m["revised"] else "Unchanged",
                     m["actual_text"], m["rag_text"]] for m in sec["milestones"]])
        for m in sec["measures"]:
            doc.add_heading(f"{m['code']}: {m['title']}", level=3)
            _table(doc, f"{m['code']} figures", ["Period", "Value", "Target", "National", "RAG", "Variation",
                                                  "Assurance"],
                   [[m["period"], m["value"], m["target"] or "None set", m["national"], m["rag_text"],
                     m["variation"], m["assurance"]]])
            if m["rag_explanation"]:
                doc.add_paragraph(m["rag_explanation"])
            for n in m["notes"]:
                doc.add_paragraph(n)
            if m["provenance"]:
                doc.add_paragraph(f"Source: {m['provenance']}")
            _chart(doc, m["chart"])

    doc.add_heading("Backlog forecasts", level=1)
    if not v["forecasts"]:
        doc.add_paragraph("No backlog forecasts are held for this period.")
    for f in v["forecasts"]:
        doc.add_heading(f["title"], level=2)
        doc.add_paragraph(f"Made on the position at {f['as_of_text']}"
                          + (f": backlog {f['backlog_text']}." if f["backlog_text"] else "."))
        for sc in f["scenarios"]:
            doc.add_paragraph(f"{sc['name']}: {sc['clears_text']}", style="List Bullet")
        if not v["public"]:
            _chart(doc, f["chart"])

    for d in v["domains"]:
        doc.add_heading(d["title"], level=1)
        for p in d["paragraphs"]:
            doc.add_paragraph(p)
        for c in d["charts"]:
            if c.get("summary"):
                doc.add_paragraph(c["summary"])
        for t in d["tables"]:
            _table(doc, t["caption"], t["headers"], t["text_rows"])

    doc.add_heading("Data quality", level=1)
    if v["data_quality"]:
        doc.add_paragraph(f"Records excluded in all: {v['excluded_total']}.")
        _table(doc, "Submissions", ["Submission", "Period", "Status", "Records excluded", "Feeds measures"],
               [[f"{d['format']}: {d['files_text']}", d["period"], d["status"],
                 d["quarantined_text"] + (f" ({d['reasons_text']})" if d["reasons_text"] else ""), d["feeds_text"]]
                for d in v["data_quality"]])
    else:
        doc.add_paragraph("No case-data submissions feed this report's measures: their values were entered or "
                          "imported.")

    doc.add_heading("Changed since the last report", level=1)
    doc.add_paragraph(v["changes"]["previous_text"])
    if v["changes"]["has_previous"]:
        for label, items in v["changes"]["groups"]:
            doc.add_heading(f"{label} ({len(items)})", level=3)
            for i in items or ["None."]:
                doc.add_paragraph(i, style="List Bullet" if items else None)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
