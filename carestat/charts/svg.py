"""The pieces every CareStat chart is built from: an accessible SVG document, scales, ticks.

Charts are built with ElementTree, so every piece of text is escaped by the serialiser. Each
document has role="img", a <title> and <desc> it is labelled by, a viewBox (so it scales to its
container), Arial, and only presentation attributes (fill=, stroke=): no style attributes and no
script, so a strict Content-Security-Policy shows it unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "Arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#dddddd"
AXIS_COLOUR = "#505a5f"


@dataclass(frozen=True)
class DataTable:
    """The accessible alternative to a chart: a caption, column headers, one dict per row, and
    the chart's summary in words (the same text as its <desc>), to print beside the table."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    summary: str = ""


@dataclass(frozen=True)
class Chart:
    svg: str
    table: DataTable

    def __str__(self) -> str:
        return self.svg

    def __html__(self) -> str:  # lets Jinja2 insert the SVG without escaping it again
        return self.svg


def num(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chart_id(*parts: object) -> str:
    """A stable id for a chart's title and desc, so two charts on a page don't clash."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:10]
    return f"chart-{digest}"


class SvgDocument:
    def __init__(
        self, width: float, height: float, title: str, desc: str, id_: str | None = None
    ) -> None:
        self.id = id_ or chart_id(title, desc)
        self.width, self.height = width, height
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {num(width)} {num(height)}",
                "role": "img",
                "aria-labelledby": f"{self.id}-title {self.id}-desc",
                "font-family": FONT_FAMILY,
                "font-size": "12",
                "fill": TEXT_COLOUR,
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{self.id}-title"}).text = title
        ET.SubElement(self.root, "desc", {"id": f"{self.id}-desc"}).text = desc

    def add(
        self, parent: ET.Element | None, tag: str, text: str | None = None, **attrs
    ) -> ET.Element:
        """Add an element; attribute names use _ for - (stroke_width -> stroke-width)."""
        clean = {}
        for k, v in attrs.items():
            if v is None:
                continue
            name = "class" if k == "class_" else k.replace("_", "-")
            clean[name] = (
                num(v) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
            )
        el = ET.SubElement(self.root if parent is None else parent, tag, clean)
        if text is not None:
            el.text = text
        return el

    def group(self, parent: ET.Element | None = None, **attrs) -> ET.Element:
        return self.add(parent, "g", **attrs)

    def titled(self, el: ET.Element, text: str) -> ET.Element:
        """Give a shape its own tooltip / accessible name."""
        ET.SubElement(el, "title").text = text
        return el

    def tostring(self) -> str:
        return ET.tostring(self.root, encoding="unicode")


class Scale:
    """Linear map from a domain (lo, hi) to a range (r0, r1)."""

    def __init__(self, lo: float, hi: float, r0: float, r1: float) -> None:
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        self.lo, self.hi, self.r0, self.r1 = float(lo), float(hi), float(r0), float(r1)

    def __call__(self, v: float) -> float:
        return self.r0 + (float(v) - self.lo) / (self.hi - self.lo) * (self.r1 - self.r0)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering lo..hi: steps of 1, 2, 2.5 or 5 times a power of ten."""
    lo, hi = float(lo), float(hi)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 10))
    return ticks


def tick_places(ticks: Sequence[float]) -> int:
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


def diamond(x: float, y: float, r: float) -> str:
    """Points of a diamond centred on (x, y), starting at its top."""
    return f"{x:.2f},{y - r:.2f} {x + r:.2f},{y:.2f} {x:.2f},{y + r:.2f} {x - r:.2f},{y:.2f}"


def triangle(x: float, y: float, r: float) -> str:
    """Points of an upward triangle centred on (x, y), starting at its apex."""
    return f"{x:.2f},{y - r:.2f} {x + r:.2f},{y + r:.2f} {x - r:.2f},{y + r:.2f}"


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first of every month from the month of ``start`` to the month after ``end``."""
    months = []
    d = dt.date(start.year, start.month, 1)
    while d <= end:
        months.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    months.append(d)
    return months


def every_nth(n_items: int, max_labels: int) -> int:
    return max(1, math.ceil(n_items / max_labels))
