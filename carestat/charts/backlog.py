"""The backlog forecast chart: actual history, projected lines per scenario with a shaded
uncertainty band, a target (usually zero) line, and each scenario's clearance date marked.
A saved forecast also draws what actually happened after it (``outturn``) over its projection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from carestat.analytics.judgements.rag import Number, format_value, to_decimal

from .svg import (
    AXIS_COLOUR,
    GRID_COLOUR,
    Chart,
    DataTable,
    Scale,
    SvgDocument,
    every_nth,
    month_starts,
    nice_ticks,
    tick_places,
)

ACTUAL_COLOUR = "#0b0c0c"
TARGET_COLOUR = "#d4351c"
SCENARIO_COLOURS = ("#1d70b8", "#e46c0a", "#4c2c92", "#00703c")
SCENARIO_DASHES = ("6 3", "2 3", "10 3 2 3", "4 4")  # so scenarios differ by more than colour

Series = Sequence[tuple[dt.date, Number]]


@dataclass(frozen=True)
class Scenario:
    name: str
    projected: Series
    low: Series = ()  # lower edge of the uncertainty band, same dates as ``high``
    high: Series = ()
    clearance_date: dt.date | None = None
    already_clear: bool = False  # nothing waiting when the projection starts


def _fmt(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def backlog_forecast_chart(
    history: Series,
    scenarios: Sequence[Scenario],
    title: str,
    target: Number | None = 0,
    unit: str = "count",
    description: str | None = None,
    width: int = 720,
    height: int = 360,
    chart_id: str | None = None,
    outturn: Series = (),
) -> Chart:
    """Backlog history and per-scenario projections with bands and clearance dates.

    ``outturn``: the actual backlog after the forecast was made, drawn as the actual line
    carried on over the projection. Only weeks the data covers belong in either series.
    """
    if not history:
        raise ValueError("a backlog forecast chart needs at least one actual value")
    for s in scenarios:
        if len(s.low) != len(s.high):
            raise ValueError(f"scenario {s.name!r}: the low and high band edges differ in length")
    tgt = to_decimal(target)
    fv = lambda v: format_value(v, unit)  # noqa: E731
    all_pts = list(history) + list(outturn)
    for s in scenarios:
        all_pts += list(s.projected) + list(s.low) + list(s.high)
    dates = [d for d, _ in all_pts] + [s.clearance_date for s in scenarios if s.clearance_date]
    vals = [float(to_decimal(v)) for _, v in all_pts] + ([float(tgt)] if tgt is not None else [])

    if description is None:
        last_d, last_v = history[-1]
        parts = [f"Backlog {fv(last_v)} on {_fmt(last_d)}."]
        for s in scenarios:
            parts.append(
                f"{s.name}: "
                + (
                    "no backlog to clear."
                    if s.already_clear
                    else f"cleared by {_fmt(s.clearance_date)}."
                    if s.clearance_date
                    else "not cleared within the forecast."
                )
            )
        if outturn:
            parts.append(f"Actual since the forecast: {fv(outturn[-1][1])} on {_fmt(outturn[-1][0])}.")
        description = " ".join(parts)
    doc = SvgDocument(width, height, title, description, chart_id)
    left, right, top = 64, 16, 16
    legend_h = 28 + 20 * ((len(scenarios) + 1) // 3)
    bottom = height - 30 - legend_h
    months = month_starts(min(dates), max(dates))
    x = Scale(min(dates).toordinal(), max(dates).toordinal(), left, width - right)
    ticks = nice_ticks(min(0.0, min(vals)), max(vals))
    y = Scale(ticks[0], ticks[-1], bottom, top)
    pt = lambda d, v: f"{x(d.toordinal()):.2f},{y(to_decimal(v)):.2f}"  # noqa: E731

    axes = doc.group(class_="axes")
    tp = tick_places(ticks)
    for t in ticks:
        doc.add(axes, "line", x1=left, x2=width - right, y1=y(t), y2=y(t), stroke=GRID_COLOUR)
        doc.add(
            axes, "text", f"{t:,.{tp}f}", x=left - 6, y=y(t) + 4, text_anchor="end", class_="y-tick"
        )
    in_range = [m for m in months if min(dates) <= m <= max(dates)]
    every = every_nth(len(in_range), max(1, int((width - left - right) // 70)))
    for k, m in enumerate(in_range):
        mx = x(m.toordinal())
        doc.add(
            axes,
            "line",
            x1=mx,
            x2=mx,
            y1=bottom,
            y2=bottom + 4,
            stroke=AXIS_COLOUR,
            class_="month-tick",
        )
        if k % every == 0:
            doc.add(
                axes,
                "text",
                f"{m:%b %Y}",
                x=mx,
                y=bottom + 18,
                # a label centred on the last tick would run off the right edge
                text_anchor="end" if mx > width - right - 30 else "middle",
                class_="month-label",
            )
    doc.add(axes, "line", x1=left, x2=left, y1=top, y2=bottom, stroke=AXIS_COLOUR)
    doc.add(axes, "line", x1=left, x2=width - right, y1=bottom, y2=bottom, stroke=AXIS_COLOUR)

    for i, s in enumerate(scenarios):
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        if s.low:
            band = [pt(d, v) for d, v in s.low] + [pt(d, v) for d, v in reversed(list(s.high))]
            doc.titled(
                doc.add(
                    None,
                    "polygon",
                    points=" ".join(band),
                    fill=colour,
                    fill_opacity=0.15,
                    stroke="none",
                    class_="band",
                    data_scenario=s.name,
                ),
                f"{s.name}: uncertainty range",
            )
    if tgt is not None:
        doc.add(
            None,
            "line",
            x1=left,
            x2=width - right,
            y1=y(tgt),
            y2=y(tgt),
            stroke=TARGET_COLOUR,
            stroke_width=2,
            stroke_dasharray="8 3",
            class_="target",
        )
    for i, s in enumerate(scenarios):
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        dash = SCENARIO_DASHES[i % len(SCENARIO_DASHES)]
        g = doc.group(class_="scenario", data_scenario=s.name)
        if s.projected:
            doc.add(
                g,
                "polyline",
                points=" ".join(pt(d, v) for d, v in s.projected),
                fill="none",
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=dash,
                class_="projection",
            )
        if s.clearance_date:
            cx = x(s.clearance_date.toordinal())
            doc.add(
                g,
                "line",
                x1=cx,
                x2=cx,
                y1=top,
                y2=bottom,
                stroke=colour,
                stroke_dasharray="3 3",
                class_="clearance",
            )
            doc.titled(
                doc.add(
                    g,
                    "circle",
                    cx=cx,
                    cy=y(tgt if tgt is not None else 0),
                    r=5,
                    fill=colour,
                    class_="clearance-point",
                ),
                f"{s.name}: cleared by {_fmt(s.clearance_date)}",
            )
            doc.add(
                g,
                "text",
                f"{s.name}: {_fmt(s.clearance_date)}",
                x=cx - 4,
                y=top + 12 + 14 * i,
                text_anchor="end",
                fill=colour,
                class_="clearance-label",
            )
    doc.add(
        None,
        "polyline",
        points=" ".join(pt(d, v) for d, v in history),
        fill="none",
        stroke=ACTUAL_COLOUR,
        stroke_width=2.5,
        class_="actual",
    )
    if outturn:
        doc.add(
            None,
            "polyline",
            # carried on from the last actual before the forecast, so the line does not break
            points=" ".join(pt(d, v) for d, v in [history[-1], *outturn]),
            fill="none",
            stroke=ACTUAL_COLOUR,
            stroke_width=2.5,
            class_="outturn",
        )

    legend = doc.group(class_="legend")
    entries = [("Actual" + (", before and since the forecast" if outturn else ""), ACTUAL_COLOUR, None)]
    entries += [
        (s.name, SCENARIO_COLOURS[i % 4], SCENARIO_DASHES[i % 4]) for i, s in enumerate(scenarios)
    ]
    if tgt is not None:
        entries.append((f"Target ({fv(tgt)})", TARGET_COLOUR, "8 3"))
    lx, ly = left, height - legend_h + 8
    for text, colour, dash in entries:
        need = 44 + 7 * len(text)
        if lx + need > width - right:
            lx, ly = left, ly + 20
        doc.add(
            legend,
            "line",
            x1=lx,
            x2=lx + 24,
            y1=ly,
            y2=ly,
            stroke=colour,
            stroke_width=2,
            stroke_dasharray=dash,
        )
        doc.add(legend, "text", text, x=lx + 30, y=ly + 4)
        lx += need

    headers = ["Date", "Actual"]
    for s in scenarios:
        headers.append(f"{s.name}: projected")
        if s.low:
            headers += [f"{s.name}: low", f"{s.name}: high"]
    table: dict[dt.date, dict[str, str]] = {}

    def put(d, col, v):
        table.setdefault(d, {h: "" for h in headers})[col] = fv(v)

    for d, v in [*history, *outturn]:
        put(d, "Actual", v)
    for s in scenarios:
        for d, v in s.projected:
            put(d, f"{s.name}: projected", v)
        for d, v in s.low:
            put(d, f"{s.name}: low", v)
        for d, v in s.high:
            put(d, f"{s.name}: high", v)
    rows = tuple({**table[d], "Date": _fmt(d)} for d in sorted(table))
    return Chart(doc.tostring(), DataTable(title, tuple(headers), rows, description))
