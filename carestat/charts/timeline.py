"""The milestone timeline: baseline against forecast and actual dates, one row per milestone.

Markers differ in shape as well as colour: baseline is a hollow diamond, forecast (revised)
an orange triangle, actual a filled green circle. A line joins the baseline to the latest
date (actual if complete, else forecast): red when that is later than the baseline (slippage),
green when earlier. Slippage in the table is in calendar days; working days depend on the
organisation's jurisdiction calendar and are the caller's to add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .svg import (
    AXIS_COLOUR,
    GRID_COLOUR,
    Chart,
    DataTable,
    Scale,
    SvgDocument,
    diamond,
    every_nth,
    month_starts,
    triangle,
)

BASELINE_COLOUR = "#0b0c0c"
FORECAST_COLOUR = "#e46c0a"
ACTUAL_COLOUR = "#00703c"
SLIP_COLOUR = "#d4351c"
EARLY_COLOUR = "#00703c"
TODAY_COLOUR = "#1d70b8"


@dataclass(frozen=True)
class TimelineMilestone:
    name: str
    baseline: dt.date
    forecast: dt.date | None = None
    actual: dt.date | None = None

    @property
    def latest(self) -> dt.date:
        return self.actual or self.forecast or self.baseline

    @property
    def slippage_days(self) -> int:
        """Calendar days from the baseline to the actual (if done) or forecast date."""
        return (self.latest - self.baseline).days


def _fmt(d: dt.date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else ""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def milestone_timeline(
    milestones: Sequence[TimelineMilestone],
    today: dt.date,
    title: str,
    description: str | None = None,
    width: int = 760,
    row_height: int = 28,
    label_width: int = 220,
    chart_id: str | None = None,
) -> Chart:
    """A timeline chart of milestones with a 'today' line and month ticks, plus its data table."""
    if not milestones:
        raise ValueError("a milestone timeline needs at least one milestone")
    dates = [today]
    for m in milestones:
        dates += [d for d in (m.baseline, m.forecast, m.actual) if d]
    months = month_starts(min(dates), max(dates))
    start, end = months[0], months[-1]

    slipped = sum(1 for m in milestones if m.slippage_days > 0)
    if description is None:
        description = (
            f"{len(milestones)} milestones from {_fmt(min(dates))} to {_fmt(max(dates))}; "
            f"{slipped} later than their baseline date. Today is {_fmt(today)}."
        )
    top, axis_h, legend_h, right = 24, 24, 30, 16
    height = top + axis_h + row_height * len(milestones) + legend_h
    doc = SvgDocument(width, height, title, description, chart_id)
    plot_top = top + axis_h
    plot_bottom = plot_top + row_height * len(milestones)
    x = Scale(start.toordinal(), end.toordinal(), label_width, width - right)

    axis = doc.group(class_="axes")
    every = every_nth(len(months), max(1, int((width - label_width - right) // 70)))
    for k, mth in enumerate(months):
        doc.add(
            axis,
            "line",
            x1=x(mth.toordinal()),
            x2=x(mth.toordinal()),
            y1=plot_top,
            y2=plot_bottom,
            stroke=GRID_COLOUR,
            class_="month-tick",
        )
        if k % every == 0 and k < len(months) - 1:
            doc.add(
                axis,
                "text",
                f"{mth:%b %Y}",
                x=x(mth.toordinal()) + 3,
                y=plot_top - 8,
                class_="month-label",
            )
    doc.add(
        axis, "line", x1=label_width, x2=width - right, y1=plot_top, y2=plot_top, stroke=AXIS_COLOUR
    )

    rows_g = doc.group(class_="milestones")
    rows = []
    for i, m in enumerate(milestones):
        cy = plot_top + row_height * (i + 0.5)
        g = doc.group(rows_g, class_="milestone", data_index=i)
        doc.titled(
            doc.add(g, "text", _shorten(m.name, 34), x=8, y=cy + 4, class_="milestone-name"), m.name
        )
        bx = x(m.baseline.toordinal())
        if m.latest != m.baseline:
            colour = SLIP_COLOUR if m.slippage_days > 0 else EARLY_COLOUR
            doc.add(
                g,
                "line",
                x1=bx,
                x2=x(m.latest.toordinal()),
                y1=cy,
                y2=cy,
                stroke=colour,
                stroke_width=3,
                class_="slippage",
            )
        r = 6
        doc.titled(
            doc.add(
                g,
                "polygon",
                class_="baseline",
                fill="#ffffff",
                stroke=BASELINE_COLOUR,
                stroke_width=2,
                points=diamond(bx, cy, r),
            ),
            f"{m.name}: baseline {_fmt(m.baseline)}",
        )
        if m.forecast:
            fx = x(m.forecast.toordinal())
            doc.titled(
                doc.add(
                    g,
                    "polygon",
                    class_="forecast",
                    fill=FORECAST_COLOUR,
                    points=triangle(fx, cy, r),
                ),
                f"{m.name}: forecast {_fmt(m.forecast)}",
            )
        if m.actual:
            doc.titled(
                doc.add(
                    g,
                    "circle",
                    class_="actual",
                    cx=x(m.actual.toordinal()),
                    cy=cy,
                    r=5,
                    fill=ACTUAL_COLOUR,
                ),
                f"{m.name}: completed {_fmt(m.actual)}",
            )
        rows.append(
            {
                "Milestone": m.name,
                "Baseline date": _fmt(m.baseline),
                "Forecast date": _fmt(m.forecast),
                "Actual date": _fmt(m.actual),
                "Slippage (days)": str(m.slippage_days),
            }
        )

    tx = x(today.toordinal())
    today_g = doc.group(class_="today")
    doc.add(
        today_g,
        "line",
        x1=tx,
        x2=tx,
        y1=plot_top - 4,
        y2=plot_bottom,
        stroke=TODAY_COLOUR,
        stroke_width=2,
        stroke_dasharray="4 3",
    )
    doc.add(
        today_g,
        "text",
        f"Today {_fmt(today)}",
        x=tx,
        y=top - 8,
        text_anchor="middle",
        fill=TODAY_COLOUR,
    )

    legend = doc.group(class_="legend")
    ly = plot_bottom + 18
    items = [
        ("baseline", "Baseline date"),
        ("forecast", "Forecast date"),
        ("actual", "Actual date"),
        ("slippage", "Slippage"),
    ]
    lx = label_width
    for kind, text in items:
        if kind == "baseline":
            doc.add(
                legend,
                "polygon",
                fill="#ffffff",
                stroke=BASELINE_COLOUR,
                stroke_width=2,
                points=diamond(lx, ly, 6),
            )
        elif kind == "forecast":
            doc.add(
                legend,
                "polygon",
                fill=FORECAST_COLOUR,
                points=triangle(lx, ly, 6),
            )
        elif kind == "actual":
            doc.add(legend, "circle", cx=lx, cy=ly, r=5, fill=ACTUAL_COLOUR)
        else:
            doc.add(
                legend,
                "line",
                x1=lx - 8,
                x2=lx + 8,
                y1=ly,
                y2=ly,
                stroke=SLIP_COLOUR,
                stroke_width=3,
            )
        doc.add(legend, "text", text, x=lx + 12, y=ly + 4)
        lx += 20 + 7 * len(text)

    headers = ("Milestone", "Baseline date", "Forecast date", "Actual date", "Slippage (days)")
    return Chart(doc.tostring(), DataTable(title, headers, tuple(rows), description))
