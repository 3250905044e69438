"""Charts as PNG pictures for the formats that cannot hold SVG (Word, PowerPoint), with the
words a screen reader gives for them.

CairoSVG draws the same SVG the web page and PDF show, so every format's chart is the same
picture; the alternative text is the chart's title and its description (the summary of what
it shows), the same words the SVG carries for the web page and the tagged PDF."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

CHART_PIXELS = 1200  # about 180 dpi across an A4 page's text, sharp on a 16:9 slide


@lru_cache(maxsize=256)
def _png(svg: str) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode(), output_width=CHART_PIXELS, background_color="white")


def chart_png(chart: dict) -> bytes:
    """The chart's SVG drawn as a PNG (the same SVG gives the same bytes)."""
    return _png(chart["svg"])


def _text_of(svg: str, tag: str) -> str:
    found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", svg, flags=re.S)
    if not found:
        return ""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def chart_alt(chart: dict) -> str:
    """The chart's alternative text: its title, then what it shows."""
    title = _text_of(chart["svg"], "title") or chart.get("caption", "")
    summary = chart.get("summary") or _text_of(chart["svg"], "desc")
    return f"{title}. {summary}".strip() if summary else title


def chart_name(chart: dict) -> str:
    return "chart-" + hashlib.sha256(chart["svg"].encode()).hexdigest()[:12] + ".png"
