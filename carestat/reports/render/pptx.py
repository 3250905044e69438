"""The report as a short PowerPoint deck (python-pptx), as many directors present to committee:
a title slide, the summary, the exceptions, and the key charts as pictures with their
alternative text. The figures are the report's own; the full detail stays in the papers."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from carestat.reports.render.images import chart_alt, chart_png

MAX_CHARTS = 6
EXCEPTIONS_PER_SLIDE = 5
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def _text(frame, lines: list[str], size: int = 16) -> None:
    frame.clear()
    frame.word_wrap = True
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = line
        p.font.size = Pt(size)


def _shorten(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def key_charts(v: dict) -> list[tuple[str, dict]]:
    """The charts worth a slide: measures rated red, then amber, then the rest, and the
    backlog forecasts (full version), at most MAX_CHARTS."""
    seen, measures = set(), []
    for s in v["sections"]:
        for m in s["measures"]:
            if m["chart"] and m["id"] not in seen:
                seen.add(m["id"])
                measures.append(m)
    measures.sort(key=lambda m: RAG_ORDER.get(m["rag"], 3))
    charts = [(f"{m['code']}: {m['title']} ({m['rag_text']})", m["chart"]) for m in measures]
    if not v["public"]:
        charts = charts[:MAX_CHARTS - len(v["forecasts"][:2])] + [
            (f["title"], f["chart"]) for f in v["forecasts"][:2] if f.get("chart")]
    return charts[:MAX_CHARTS]


def render_pptx(v: dict, built_at: str = "") -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_layout, content_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[1], prs.slide_layouts[5]
    props = prs.core_properties
    props.title, props.author, props.subject = v["title"], v["organisation"], v["period"]
    if built_at:
        props.created = props.modified = dt.datetime.fromisoformat(built_at).replace(tzinfo=None)
    props.revision = 1

    slide = prs.slides.add_slide(title_layout)
    slide.shapes.title.text = v["title"]
    _text(slide.placeholders[1].text_frame, [v["organisation"], f"{v['period']}; position as at {v['as_of']}",
                                             v["version_line"]], size=18)

    slide = prs.slides.add_slide(content_layout)
    slide.shapes.title.text = "Summary"
    lines = [_shorten(p) for p in v["main_messages"][:2]] + v["facts"]
    _text(slide.placeholders[1].text_frame, lines or ["No main messages have been written."], size=16)

    exceptions = v["exceptions"] or []
    pages = [exceptions[i:i + EXCEPTIONS_PER_SLIDE] for i in range(0, len(exceptions), EXCEPTIONS_PER_SLIDE)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        slide = prs.slides.add_slide(title_only)
        slide.shapes.title.text = "Exceptions" + (f" ({n} of {len(pages)})" if len(pages) > 1 else "")
        if not chunk:
            box = slide.shapes.add_textbox(Inches(0.6), Inches(1.6), Inches(12), Inches(1))
            _text(box.text_frame, ["No item is rated red or amber."])
            continue
        rows, cols = len(chunk) + 1, 3
        shape = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.5), Inches(12.3), Inches(0.6) * rows)
        table = shape.table
        table.columns[0].width, table.columns[1].width = Inches(1.2), Inches(4.3)
        table.columns[2].width = Inches(6.8)
        for c, h in enumerate(["RAG", "Item", "Commentary"]):
            table.cell(0, c).text = h
        for r, e in enumerate(chunk, start=1):
            for c, text in enumerate([e["rag_text"], e["title"], _shorten(e["commentary"], 200)]):
                cell = table.cell(r, c)
                cell.text = text
                for p in cell.text_frame.paragraphs:
                    p.font.size = Pt(12)

    for heading, chart in key_charts(v):
        slide = prs.slides.add_slide(title_only)
        slide.shapes.title.text = heading
        slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(26)
        width = Inches(11)
        pic = slide.shapes.add_picture(io.BytesIO(chart_png(chart)), Inches(1.15), Inches(1.45), width=width)
        if pic.height > Inches(5.2):  # keep the picture on the slide, its proportions kept
            ratio = Inches(5.2) / pic.height
            pic.height, pic.width = Inches(5.2), Emu(int(pic.width * ratio))
        pic.left = Emu(int((prs.slide_width - pic.width) / 2))
        pic._element.nvPicPr.cNvPr.set("descr", chart_alt(chart))
        pic._element.nvPicPr.cNvPr.set("title", heading)
        if chart.get("summary"):
            slide.notes_slide.notes_text_frame.text = chart["summary"]
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
