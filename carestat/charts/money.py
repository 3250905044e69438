"""Budget against forecast by year: grouped bars, one group per financial year, with the data
table and a summary in words for people who cannot see the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .svg import AXIS_COLOUR, GRID_COLOUR, Chart, DataTable, Scale, SvgDocument, nice_ticks

COLOURS = ("#505a5f", "#1d70b8", "#e46c0a", "#4c2c92", "#00703c", "#d4351c")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal]  # one per year, in the order of ``years``


def _k(v) -> str:
    return f"£{Decimal(v) / 1000:,.0f}k"


def money_by_year_chart(years: Sequence[str], series: Sequence[Series], title: str, *, width: int = 720,
                        height: int = 340) -> Chart:
    """Bars for each series (budget first, then forecasts or scenarios) in each year."""
    left, right, top, bottom = 80, 20, 20, 70
    top_value = max([float(v) for s in series for v in s.values] + [1.0])
    ticks = nice_ticks(0, top_value)
    y = Scale(0, max(ticks[-1], top_value), height - bottom, top)
    summary = "; ".join(f"{year}: " + ", ".join(f"{s.name} {_k(s.values[i])}" for s in series)
                        for i, year in enumerate(years))
    doc = SvgDocument(width, height, title, summary)
    grid = doc.group(stroke=GRID_COLOUR)
    for t in ticks:
        doc.add(grid, "line", x1=left, x2=width - right, y1=y(t), y2=y(t))
        doc.add(None, "text", _k(t), x=left - 6, y=y(t) + 4, text_anchor="end")
    doc.add(None, "line", x1=left, x2=width - right, y1=y(0), y2=y(0), stroke=AXIS_COLOUR)
    band = (width - left - right) / max(len(years), 1)
    bar = band * 0.8 / max(len(series), 1)
    for i, year in enumerate(years):
        x0 = left + i * band + band * 0.1
        for j, s in enumerate(series):
            v = float(s.values[i])
            rect = doc.add(None, "rect", x=x0 + j * bar, y=y(v), width=bar - 2, height=max(y(0) - y(v), 0),
                           fill=COLOURS[j % len(COLOURS)])
            doc.titled(rect, f"{year} {s.name}: {_k(v)}")
        doc.add(None, "text", year, x=left + i * band + band / 2, y=height - bottom + 18, text_anchor="middle")
    for j, s in enumerate(series):  # the legend
        lx = left + j * 160
        doc.add(None, "rect", x=lx, y=height - 30, width=12, height=12, fill=COLOURS[j % len(COLOURS)])
        doc.add(None, "text", s.name, x=lx + 16, y=height - 20)
    table = DataTable(caption=title, headers=("Year", *[s.name for s in series]),
                      rows=tuple({"Year": year, **{s.name: _k(s.values[i]) for s in series}}
                                 for i, year in enumerate(years)),
                      summary=summary)
    return Chart(doc.tostring(), table)
