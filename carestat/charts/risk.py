"""Risk charts: a risk's score history and the register's heatmap (likelihood by impact).

Like every CareStat chart, each returns the SVG and the data table that is its accessible
alternative; colour is never the only cue (bands are named in each cell's title, and the
markers differ in shape as well as colour)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .svg import AXIS_COLOUR, GRID_COLOUR, Chart, DataTable, Scale, SvgDocument, diamond

BAND_FILL = {"green": "#cce2d8", "yellow": "#fff7bf", "amber": "#fcd6c3", "red": "#f4cdc6"}
CURRENT_COLOUR = "#1d70b8"
TARGET_COLOUR = "#505a5f"
INHERENT_COLOUR = "#912b88"


@dataclass(frozen=True)
class ScorePoint:
    day: dt.date
    kind: str  # "inherent", "current" or "target"
    likelihood: int
    impact: int
    score: int
    band: str
    reason: str = ""


def _fmt(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def score_history_chart(points: Sequence[ScorePoint], *, title: str, max_score: int,
                        bands: Sequence[tuple[str, int, str]], chart_id: str | None = None,
                        width: int = 640, height: int = 260) -> Chart:
    """Current scores as a stepped line, targets as a dashed line and inherent scores as
    diamonds, over the score bands (label, first score, rag)."""
    if not points:
        raise ValueError("a score history needs at least one assessment")
    pts = sorted(points, key=lambda p: p.day)
    current = [p for p in pts if p.kind == "current"]
    target = [p for p in pts if p.kind == "target"]
    inherent = [p for p in pts if p.kind == "inherent"]
    first, last = pts[0].day, max(pts[-1].day, pts[0].day + dt.timedelta(days=1))
    if current:
        desc = (f"{len(current)} current assessments from {_fmt(current[0].day)} to {_fmt(current[-1].day)}: "
                f"the current score moved from {current[0].score} to {current[-1].score} out of {max_score}.")
    else:
        desc = "No current assessment yet."
    if target:
        desc += f" The latest target score is {target[-1].score}."
    doc = SvgDocument(width, height, title, desc, chart_id)
    left, right, top, bottom = 48, width - 16, 14, height - 40
    x = Scale(first.toordinal(), last.toordinal(), left, right)
    y = Scale(0, max_score, bottom, top)
    bounds = list(bands) + [("", max_score + 1, "")]
    for (label, lo, rag), (_, hi, _) in zip(bounds, bounds[1:], strict=False):
        band = doc.add(None, "rect", x=left, y=y(hi - 1 if hi <= max_score else max_score), width=right - left,
                       height=y(lo - 1) - y(hi - 1 if hi <= max_score else max_score), fill=BAND_FILL.get(rag, "#fff"),
                       class_="band")
        doc.titled(band, f"{label}: scores {lo} to {min(hi - 1, max_score)}")
    for tick in sorted({0, *[b[1] for b in bands], max_score}):
        doc.add(None, "line", x1=left, x2=right, y1=y(tick), y2=y(tick), stroke=GRID_COLOUR, stroke_width=1)
        doc.add(None, "text", str(tick), x=left - 6, y=y(tick) + 4, text_anchor="end")
    doc.add(None, "line", x1=left, x2=left, y1=top, y2=bottom, stroke=AXIS_COLOUR)
    doc.add(None, "line", x1=left, x2=right, y1=bottom, y2=bottom, stroke=AXIS_COLOUR)
    doc.add(None, "text", _fmt(first), x=left, y=bottom + 18, text_anchor="start")
    doc.add(None, "text", _fmt(last), x=right, y=bottom + 18, text_anchor="end")
    doc.add(None, "text", "Score", x=12, y=top + 4, transform=f"rotate(-90 12 {top + 30})")

    def steps(series: Sequence[ScorePoint]) -> str:
        out, prev = [], None
        for p in series:
            if prev is not None:
                out.append(f"{x(p.day.toordinal()):.2f},{y(prev.score):.2f}")
            out.append(f"{x(p.day.toordinal()):.2f},{y(p.score):.2f}")
            prev = p
        out.append(f"{x(last.toordinal()):.2f},{y(series[-1].score):.2f}")
        return " ".join(out)

    if target:
        doc.add(None, "polyline", points=steps(target), fill="none", stroke=TARGET_COLOUR, stroke_width=2,
                stroke_dasharray="6 4", class_="target")
    if current:
        doc.add(None, "polyline", points=steps(current), fill="none", stroke=CURRENT_COLOUR, stroke_width=2.5,
                class_="current")
        for p in current:
            dot = doc.add(None, "circle", cx=x(p.day.toordinal()), cy=y(p.score), r=4, fill=CURRENT_COLOUR)
            doc.titled(dot, f"Current {p.score} ({p.band}) on {_fmt(p.day)}")
    for p in inherent:
        mark = doc.add(None, "polygon", points=diamond(x(p.day.toordinal()), y(p.score), 5), fill=INHERENT_COLOUR)
        doc.titled(mark, f"Inherent {p.score} ({p.band}) on {_fmt(p.day)}")
    legend_y = height - 8
    doc.add(None, "line", x1=left, x2=left + 20, y1=legend_y - 4, y2=legend_y - 4, stroke=CURRENT_COLOUR,
            stroke_width=2.5)
    doc.add(None, "text", "Current", x=left + 24, y=legend_y)
    doc.add(None, "line", x1=left + 90, x2=left + 110, y1=legend_y - 4, y2=legend_y - 4, stroke=TARGET_COLOUR,
            stroke_width=2, stroke_dasharray="6 4")
    doc.add(None, "text", "Target", x=left + 114, y=legend_y)
    doc.add(None, "polygon", points=diamond(left + 180, legend_y - 4, 5), fill=INHERENT_COLOUR)
    doc.add(None, "text", "Inherent", x=left + 190, y=legend_y)
    headers = ("Date", "Kind", "Likelihood", "Impact", "Score", "Band", "Reason")
    rows = tuple({"Date": _fmt(p.day), "Kind": p.kind.capitalize(), "Likelihood": str(p.likelihood),
                  "Impact": str(p.impact), "Score": str(p.score), "Band": p.band, "Reason": p.reason} for p in pts)
    return Chart(doc.tostring(), DataTable(title, headers, rows, desc))


@dataclass(frozen=True)
class HeatmapRisk:
    ref: str
    title: str
    likelihood: int
    impact: int
    score: int
    band: str


def risk_heatmap(risks: Sequence[HeatmapRisk], *, likelihood: Sequence[str], impact: Sequence[str],
                 band_for, title: str, chart_id: str | None = None, cell: int = 92) -> Chart:
    """Likelihood (rows, highest at the top) by impact (columns), each cell coloured by its band
    and listing the references of the risks that sit there. ``band_for(score)`` returns an
    object with ``label`` and ``rag``."""
    nl, ni = len(likelihood), len(impact)
    left, top = 120, 10
    width, height = left + ni * cell + 10, top + nl * cell + 60
    where: dict[tuple[int, int], list[HeatmapRisk]] = {}
    for r in risks:
        where.setdefault((r.likelihood, r.impact), []).append(r)
    busiest = max(where.items(), key=lambda kv: (len(kv[1]), kv[0][0] * kv[0][1]), default=None)
    desc = f"{len(risks)} risk{'' if len(risks) == 1 else 's'} placed by likelihood and impact."
    if busiest:
        (bl, bi), rs = busiest
        desc += (f" The most populated cell is likelihood {bl} ({likelihood[bl - 1]}) by impact {bi} "
                 f"({impact[bi - 1]}), with {len(rs)}.")
    doc = SvgDocument(width, height, title, desc, chart_id)
    for li in range(1, nl + 1):
        cy = top + (nl - li) * cell
        doc.add(None, "text", f"{li} {likelihood[li - 1]}", x=left - 6, y=cy + cell / 2 + 4, text_anchor="end")
        for ii in range(1, ni + 1):
            cx = left + (ii - 1) * cell
            band = band_for(li * ii)
            here = where.get((li, ii), [])
            g = doc.group(None, class_="cell")
            rect = doc.add(g, "rect", x=cx, y=cy, width=cell, height=cell, fill=BAND_FILL.get(band.rag, "#fff"),
                           stroke="#ffffff", stroke_width=2)
            names = ", ".join(r.ref for r in here) or "no risks"
            doc.titled(rect, f"Likelihood {li} by impact {ii}: score {li * ii}, {band.label}; {names}")
            doc.add(g, "text", str(li * ii), x=cx + 6, y=cy + 16, font_size=11)
            for n, r in enumerate(here[:4]):
                doc.add(g, "text", r.ref, x=cx + cell / 2, y=cy + 34 + n * 15, text_anchor="middle",
                        font_weight="bold")
            if len(here) > 4:
                doc.add(g, "text", f"+{len(here) - 4} more", x=cx + cell / 2, y=cy + cell - 4, text_anchor="middle",
                        font_size=10)
    for ii in range(1, ni + 1):
        cx = left + (ii - 1) * cell + cell / 2
        doc.add(None, "text", f"{ii} {impact[ii - 1]}", x=cx, y=top + nl * cell + 18, text_anchor="middle",
                font_size=11)
    doc.add(None, "text", "Impact", x=left + ni * cell / 2, y=height - 10, text_anchor="middle", font_weight="bold")
    doc.add(None, "text", "Likelihood", x=10, y=top + 12, font_weight="bold")
    headers = ("Ref", "Risk", "Likelihood", "Impact", "Score", "Band")
    rows = tuple({"Ref": r.ref, "Risk": r.title, "Likelihood": f"{r.likelihood} {likelihood[r.likelihood - 1]}",
                  "Impact": f"{r.impact} {impact[r.impact - 1]}", "Score": str(r.score), "Band": r.band}
                 for r in sorted(risks, key=lambda r: (-r.score, r.ref)))
    return Chart(doc.tostring(), DataTable(title, headers, rows, desc))
