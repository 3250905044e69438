"""Reading the rendered formats back as text, as a committee member's software would; and
checking a report's public version against its full one."""

import io
from collections import Counter

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_outline(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    out = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item.title)

    walk(reader.outline)
    return out


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return "\n".join(lines)


def xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def assert_public_agrees_with_full(snapshot: dict):
    """Every measure of the public version shows the full version's period with the same figure
    and RAG, or "fewer than 5" and nothing judged for that same period; the summary counts,
    its sentence on measures and the measure exceptions agree with those figures. Returns the
    full and public measures by id."""
    from carestat.reports.render import view
    from carestat.reports.snapshot import MEASURE_RAG_ORDER, measure_fact

    full, public = view(snapshot), view(snapshot, public=True)
    full_measures = {m["id"]: m for s in full["sections"] for m in s["measures"]}
    public_measures = {m["id"]: m for s in public["sections"] for m in s["measures"]}
    assert public_measures.keys() == full_measures.keys()
    for mid, f in full_measures.items():
        p = public_measures[mid]
        assert p["period"] == f["period"], f["code"]
        if p["suppressed"]:
            assert (p["value"], p["rag"], p["variation"], p["assurance"]) == ("fewer than 5", "none", "", ""), f["code"]
            assert f["period"] not in [point["period"] for point in p["series"]], f["code"]
        else:
            assert (p["value"], p["rag"]) == (f["value"], f["rag"]), f["code"]
    counted = Counter(m["rag"] for m in public_measures.values())
    assert public["measure_counts"] == {k: counted.get(k, 0) for k in MEASURE_RAG_ORDER}
    assert measure_fact(public["measure_counts"]) in public["facts"]
    shown = {e["title"] for e in public["exceptions"] if e["kind"] == "measure"}
    assert shown == {f"{m['code']}: {m['title']}" for m in public_measures.values() if m["rag"] in ("red", "amber")}
    return full_measures, public_measures
