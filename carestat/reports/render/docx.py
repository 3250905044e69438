"""The report as an editable Word document (python-docx) for committee papers: the same
content as the PDF, A4, with the charts as pictures (with their alternative text), a header
naming the council, report, period and version, and a footer with page x of y.

Everything is written in named styles: Word's own (Title, Heading 1 to 3, Normal, Caption,
List Bullet, List Number, Table Grid) and three of the report's (Report Narrative, Report Note,
Report Figure). A clerk pasting into the council's template gets the template's look, because
Word matches styles by name. An organisation that uploads its own template (a .docx) gets
reports written on it: its styles, page set-up, header and footer fonts."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from carestat.reports.render.images import chart_alt, chart_png

REPORT_STYLES = ("Report Narrative", "Report Note", "Report Figure")
WORD_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet", "List Number")


def _style(doc, name: str, *, base: str = "Normal"):
    """The named style, added (based on Normal) when the template lacks it."""
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        if name.startswith("Heading") or name == "Title":
            style.font.bold = True
            style.font.size = Pt({"Title": 22, "Heading 1": 16, "Heading 2": 13}.get(name, 11))
            style.paragraph_format.keep_with_next = True
        return style


def _table_style(doc) -> str | None:
    try:
        doc.styles["Table Grid"]
    except KeyError:
        return None
    return "Table Grid"


def _new_document(template: bytes | None):
    """A blank document: the council's template with its body emptied, or python-docx's own."""
    if template:
        doc = Document(io.BytesIO(template_document(template)))
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    else:
        doc = Document()
        normal = doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(10)
        for section in doc.sections:  # A4, portrait, 20 mm margins
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = Mm(20)
            section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    for name in WORD_STYLES:
        _style(doc, name)
    for name in REPORT_STYLES:
        style = _style(doc, name)
        if name == "Report Narrative" and not template:
            style.paragraph_format.left_indent = Mm(4)
        if name == "Report Note" and not template:
            style.font.size = Pt(8.5)
        if name == "Report Figure":
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("Heading 1", "Heading 2", "Heading 3", "Caption"):
        doc.styles[name].paragraph_format.keep_with_next = True
    return doc


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in as it lays the pages out."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


# Elements CT_Settings puts after w:updateFields (ECMA-376 part 1, 17.15.1.78).
_SETTINGS_AFTER_UPDATE_FIELDS = frozenset(
    qn(f"w:{name}") for name in (
        "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "attachedSchema",
        "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
        "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
) | {"{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"}


def _fld_char(kind: str, *, dirty: bool = False):
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _contents(doc, titles: list[str]) -> None:
    """Contents as Word's own table-of-contents field over the Heading 1 titles, with page numbers.

    python-docx cannot lay out pages, so the field's kept result is the titles alone (what a
    reader sees in a program that does not update fields), and the document asks Word to update
    its fields on opening (``w:updateFields``), which fills in the page numbers and links."""
    doc.add_heading("Contents", level=1)
    paragraphs = [doc.add_paragraph(style="List Number") for _ in titles]
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    instruction = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = ' TOC \\o "1-1" \\h \\z \\u '
    instruction.append(text)
    for element in (_fld_char("begin", dirty=True), instruction, _fld_char("separate")):
        first.append(element)
    for paragraph, title in zip(paragraphs, titles, strict=True):
        paragraph.add_run(title)
    last.append(_fld_char("end"))
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # the schema fixes the order of settings, and Word refuses a file that breaks it
        after = next((child for child in settings if child.tag in _SETTINGS_AFTER_UPDATE_FIELDS), None)
        if after is None:
            settings.append(update)
        else:
            after.addprevious(update)


def _header_and_footer(doc, v: dict) -> None:
    for section in doc.sections:
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        header = section.header.paragraphs[0] if section.header.paragraphs else section.header.add_paragraph()
        header.text = f"{v['organisation']} · {v['title']} · {v['period']}\t{v['version_line']}"
        header.style = doc.styles["Header"] if "Header" in [s.name for s in doc.styles] else header.style
        footer = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        footer.text = ""
        footer.add_run("Page ")
        _field(footer, "PAGE")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES")
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, caption: str, headers: list[str], rows: list[list]) -> None:
    doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(headers))
    style = _table_style(doc)
    if style:
        table.style = style
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row()
        _no_split(cells)
        for cell, text in zip(cells.cells, row, strict=True):
            cell.text = "" if text is None else str(text)


def _repeat_header(row) -> None:
    """The header row repeats at the top of each page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)
    _no_split(row)


def _no_split(row) -> None:
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    props.append(el)


def _picture(doc, chart: dict) -> None:
    """The chart as a picture across the text width, with its alternative text."""
    width = doc.sections[-1].page_width - doc.sections[-1].left_margin - doc.sections[-1].right_margin
    run = doc.add_paragraph(style="Report Figure").add_run()
    shape = run.add_picture(io.BytesIO(chart_png(chart)), width=min(width, Mm(170)))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart_alt(chart))
    doc_pr.set("title", chart.get("caption", "Chart"))


def _chart(doc, chart: dict | None, *, table: bool = True) -> None:
    if not chart:
        return
    _picture(doc, chart)
    if chart.get("summary"):
        doc.add_paragraph(chart["summary"], style="Report Note")
    if not table:
        return
    _table(doc, chart["caption"], chart["headers"], chart["rows"])
    if chart.get("hidden_rows"):
        doc.add_paragraph(f"The table shows the latest {len(chart['rows'])} values; {chart['hidden_rows']} earlier "
                          "values are in the Excel workbook.", style="Report Note")


def render_docx(v: dict, built_at: str = "", template: bytes | None = None) -> bytes:
    doc = _new_document(template)
    _header_and_footer(doc, v)
    props = doc.core_properties
    props.title, props.author, props.subject = v["title"], v["organisation"], v["period"]
    if built_at:  # fixed times so the document's properties don't change from one rendering to the next
        when = dt.datetime.fromisoformat(built_at).replace(tzinfo=None)
        props.created = props.modified = when
    props.revision = 1

    doc.add_paragraph(v["organisation"])
    doc.add_paragraph(v["title"], style="Title")
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
    _contents(doc, ["Summary", "Exceptions", "Delivery by priority", "Backlog forecasts",
                    *[d["title"] for d in v["domains"]], "Data quality", "Changed since the last report"])

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
        for p in sec.get("narrative", []):
            doc.add_paragraph(p, style="Report Narrative")
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
        if not v["public"]:
            _chart(doc, f["chart"], table=False)
        _table(doc, f"{f['title']}: when the backlog clears",
               ["Scenario", "Clearance date", "Likely range (80% of simulated futures)", "Actual so far"],
               [[m["scenario"], m["clearance"], m["band"], m["actual"]] for m in f["milestones"]])
        if not v["public"] and f["chart"]:
            doc.add_paragraph("The week-by-week forecast is in the Excel workbook.", style="Report Note")

    for d in v["domains"]:
        doc.add_heading(d["title"], level=1)
        for p in d["paragraphs"]:
            doc.add_paragraph(p)
        for c in d["charts"]:
            _chart(doc, c, table=False)
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


TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


def template_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be a Word template for reports, or None when it can: it must be a
    Word document (.docx) or template (.dotx), not one with macros, that Word and python-docx
    can open, with a styles part."""
    import zipfile

    if not data:
        return "The file is empty"
    if len(data) > TEMPLATE_MAX_BYTES:
        return f"The file is {len(data) / 1024 / 1024:.1f} MB; a template can be at most 5 MB"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            types = z.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
    except zipfile.BadZipFile:
        return "The file is not a Word document (.docx): it is not an Office Open XML package"
    if "macroEnabled" in types or "word/vbaProject.bin" in names:
        return "The file contains macros (.docm); upload a Word document (.docx) without macros"
    if _DOCX_MAIN not in types and _TEMPLATE_MAIN not in types:
        return "The file is not a Word document (.docx): it has no Word document part"
    if "word/styles.xml" not in names:
        return "The Word document has no styles, so reports could not take the council's styles from it"
    try:
        if _TEMPLATE_MAIN in types:  # python-docx opens documents: a .dotx's main part is read the same way
            data = _as_document(data)
        Document(io.BytesIO(data))
    except Exception as exc:  # a damaged part: python-docx says what it could not read
        return f"The Word document could not be read: {exc}"[:300]
    return None


def _as_document(data: bytes) -> bytes:
    """A Word template (.dotx) relabelled as a document, which is all that differs."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(_TEMPLATE_MAIN.encode(), _DOCX_MAIN.encode())
            dst.writestr(item, content)
    return out.getvalue()


def template_document(data: bytes) -> bytes:
    """The template as python-docx opens it (a .dotx relabelled as a .docx)."""
    return _as_document(data) if _TEMPLATE_MAIN.encode() in _content_types(data) else data


def _content_types(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("[Content_Types].xml")
