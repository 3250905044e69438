"""Projections as charts: bars per year for each series (placements, needs or scenarios), with
the data table and a summary in words for people who cannot see the chart."""

from __future__ import annotations

from collections.abc import Sequence

from carestat.charts.money import COLOURS
from carestat.charts.svg import AXIS_COLOUR, GRID_COLOUR, Chart, DataTable, Scale, SvgDocument, nice_ticks


def whole(v) -> str:
    return f"{float(v):,.0f}"


def by_year_chart(years: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str, *,
                  fmt=whole, width: int = 720, height: int = 340) -> Chart:
    """Grouped bars: one group per year, one bar per series."""
    left, right, top, bottom = 80, 20, 20, 70 + 18 * ((len(series) - 1) // 4)
    top_value = max([float(v) for _n, vs in series for v in vs] + [1.0])
    ticks = nice_ticks(0, top_value)
    y = Scale(0, max(ticks[-1], top_value), height - bottom, top)
    summary = "; ".join(f"{year}: " + ", ".join(f"{name} {fmt(vs[i])}" for name, vs in series)
                        for i, year in enumerate(years))
    doc = SvgDocument(width, height, title, summary)
    grid = doc.group(stroke=GRID_COLOUR)
    for t in ticks:
        doc.add(grid, "line", x1=left, x2=width - right, y1=y(t), y2=y(t))
        doc.add(None, "text", fmt(t), x=left - 6, y=y(t) + 4, text_anchor="end")
    doc.add(None, "line", x1=left, x2=width - right, y1=y(0), y2=y(0), stroke=AXIS_COLOUR)
    band = (width - left - right) / max(len(years), 1)
    bar = band * 0.8 / max(len(series), 1)
    for i, year in enumerate(years):
        x0 = left + i * band + band * 0.1
        for j, (name, vs) in enumerate(series):
            v = float(vs[i])
            rect = doc.add(None, "rect", x=x0 + j * bar, y=y(v), width=max(bar - 2, 1),
                           height=max(y(0) - y(v), 0), fill=COLOURS[j % len(COLOURS)])
            doc.titled(rect, f"{year} {name}: {fmt(v)}")
        doc.add(None, "text", str(year), x=left + i * band + band / 2, y=height - bottom + 18, text_anchor="middle")
    for j, (name, _vs) in enumerate(series):  # the legend, four to a row
        lx = left + (j % 4) * 160
        ly = height - bottom + 36 + 18 * (j // 4)
        doc.add(None, "rect", x=lx, y=ly, width=12, height=12, fill=COLOURS[j % len(COLOURS)])
        doc.add(None, "text", name[:24], x=lx + 16, y=ly + 10)
    table = DataTable(caption=title, headers=("Year", *[n for n, _ in series]),
                      rows=tuple({"Year": str(year), **{n: fmt(vs[i]) for n, vs in series}}
                                 for i, year in enumerate(years)),
                      summary=summary)
    return Chart(doc.tostring(), table)
