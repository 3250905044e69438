"""The share of case-file audits graded good or better, one bar per round, with the data
table and a summary in words for people who cannot see the chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .svg import AXIS_COLOUR, GRID_COLOUR, Chart, DataTable, Scale, SvgDocument

BAR = "#1d70b8"


def share_good_chart(labels: Sequence[str], percents: Sequence[Decimal | None], title: str, *, width: int = 720,
                     height: int = 320) -> Chart:
    left, right, top, bottom = 50, 20, 20, 60
    y = Scale(0, 100, height - bottom, top)
    shown = [f"{p}%" if p is not None else "none done" for p in percents]
    summary = "; ".join(f"{label}: {s}" for label, s in zip(labels, shown, strict=True))
    doc = SvgDocument(width, height, title, summary)
    grid = doc.group(stroke=GRID_COLOUR)
    for t in (0, 25, 50, 75, 100):
        doc.add(grid, "line", x1=left, x2=width - right, y1=y(t), y2=y(t))
        doc.add(None, "text", f"{t}%", x=left - 6, y=y(t) + 4, text_anchor="end")
    doc.add(None, "line", x1=left, x2=width - right, y1=y(0), y2=y(0), stroke=AXIS_COLOUR)
    band = (width - left - right) / max(len(labels), 1)
    for i, (label, p) in enumerate(zip(labels, percents, strict=True)):
        v = float(p or 0)
        rect = doc.add(None, "rect", x=left + i * band + band * 0.2, y=y(v), width=band * 0.6,
                       height=max(y(0) - y(v), 0), fill=BAR)
        doc.titled(rect, f"{label}: {shown[i]}")
        doc.add(None, "text", label, x=left + i * band + band / 2, y=height - bottom + 18, text_anchor="middle")
    table = DataTable(caption=title, headers=("Round", "Good or better"),
                      rows=tuple({"Round": label, "Good or better": s} for label, s in zip(labels, shown, strict=True)),
                      summary=summary)
    return Chart(doc.tostring(), table)
