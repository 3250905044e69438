"""The PDF's charts (render/print_charts.py): the same picture as the web page's SVG, with the
tooltips and screen-only attributes taken out and grid lines drawn as one path."""

import base64
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from carestat.charts import xmr_chart
from carestat.reports.render.print_charts import chart_img, print_svg

NS = "{http://www.w3.org/2000/svg}"


def _chart() -> str:
    labels = [f"2025-{m:02d}" for m in range(1, 13)]
    values = [Decimal(v) for v in ("60", "61", "59", "62", "60", "58", "61", "63", "60", "59", "62", "75")]
    return xmr_chart(labels, values, "OT01: people seen within 28 days & more", unit="percent",
                     target=Decimal("70"), chart_id="t").svg


def _shapes(root: ET.Element) -> dict[str, int]:
    counts: dict[str, int] = {}
    for el in root.iter():
        tag = el.tag.removeprefix(NS)
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def test_the_printed_chart_keeps_every_point_label_and_line_but_no_tooltips():
    svg = _chart()
    printed, alt = print_svg(svg)
    before, after = ET.fromstring(svg), ET.fromstring(printed)
    was, now = _shapes(before), _shapes(after)
    assert alt == "OT01: people seen within 28 days & more"
    assert now["title"] == 1  # the chart's own; each point's tooltip is gone
    assert now.get("circle", 0) == was.get("circle", 0) and now.get("polygon", 0) == was.get("polygon", 0)
    assert now["text"] == was["text"]
    assert [t.text for t in after.iter(f"{NS}text")] == [t.text for t in before.iter(f"{NS}text")]
    # every line is still drawn, as a line or as one move-and-line pair in a path
    lines_now = now.get("line", 0) + sum(p.get("d", "").count("M") for p in after.iter(f"{NS}path"))
    assert lines_now == was["line"] + sum(p.get("d", "").count("M") for p in before.iter(f"{NS}path"))
    assert now.get("line", 0) < was["line"]
    assert not re.search(r' (class|data-[a-z-]+|aria-labelledby|role)="', printed)
    assert after.get("viewBox") == before.get("viewBox")


def test_merged_lines_are_not_filled_and_keep_their_dashes():
    printed, _ = print_svg(_chart())
    root = ET.fromstring(printed)
    merged = [p for p in root.iter(f"{NS}path") if p.get("d", "").count("M") > 1]
    assert merged and all(p.get("fill") == "none" and p.get("stroke") for p in merged)


def test_the_pdf_image_carries_the_title_as_alternative_text_and_the_svg_as_its_source():
    tag = str(chart_img(_chart()))
    assert 'alt="OT01: people seen within 28 days &amp; more"' in tag
    source = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag).group(1)
    assert base64.b64decode(source).decode() == print_svg(_chart())[0]
