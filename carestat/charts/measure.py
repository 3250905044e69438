"""The measure (XmR) chart and the sparkline.

Special-cause points are told apart by shape as well as colour, so the chart does not rely on
colour alone: common cause is a small grey circle, improving a larger blue circle, concerning
an orange diamond, and special cause for a measure with no better direction a purple square.
Every point has its own <title> (period, value and why it is marked), and the data table
carries the same facts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from carestat.analytics.judgements.rag import Number, format_value, to_decimal
from carestat.analytics.judgements.spc import SpcResult, SpcRule

from .svg import (
    AXIS_COLOUR,
    GRID_COLOUR,
    Chart,
    DataTable,
    Scale,
    SvgDocument,
    diamond,
    every_nth,
    nice_ticks,
    tick_places,
)

SERIES_COLOUR = "#505a5f"
MEAN_COLOUR = "#0b0c0c"
LIMIT_COLOUR = "#6f777b"
TARGET_COLOUR = "#d4351c"
BENCHMARK_COLOUR = "#00703c"

# point kind -> (shape, fill, legend label)
MARKERS = {
    "common_cause": ("circle", "#a6a6a6", "Common cause"),
    "improving": ("circle", "#005eb8", "Special cause: improving"),
    "concerning": ("diamond", "#e46c0a", "Special cause: concerning"),
    "neither": ("square", "#4c2c92", "Special cause: neither better nor worse"),
}


def draw_marker(
    doc: SvgDocument, parent: ET.Element, kind: str, x: float, y: float, **attrs
) -> ET.Element:
    shape, fill, _ = MARKERS[kind]
    if shape == "diamond":
        r = 7
        return doc.add(
            parent, "polygon", points=diamond(x, y, r), fill=fill, stroke="#ffffff", **attrs
        )
    if shape == "square":
        return doc.add(
            parent,
            "rect",
            x=x - 5,
            y=y - 5,
            width=10,
            height=10,
            fill=fill,
            stroke="#ffffff",
            **attrs,
        )
    r = 4 if kind == "common_cause" else 6
    return doc.add(parent, "circle", cx=x, cy=y, r=r, fill=fill, stroke="#ffffff", **attrs)


def _line(doc, parent, x1, x2, y, colour, dash=None, width=1.5, **attrs):
    return doc.add(
        parent,
        "line",
        x1=x1,
        x2=x2,
        y1=y,
        y2=y,
        stroke=colour,
        stroke_width=width,
        stroke_dasharray=dash,
        **attrs,
    )


def xmr_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    title: str,
    unit: str = "percent",
    spc: SpcResult | None = None,
    target: Number | None = None,
    benchmark: Number | None = None,
    benchmark_label: str = "National",
    description: str | None = None,
    width: int = 720,
    height: int = 380,
    places: int | None = None,
    chart_id: str | None = None,
) -> Chart:
    """A measure chart: values over periods with target, benchmark, mean and process limits.

    Pass ``spc`` (from ``xmr``) for the mean, limits and special-cause markers; without it
    (or with too few points for SPC) only the values, target and benchmark are drawn.
    """
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels were given for {len(values)} values")
    if not values:
        raise ValueError("a measure chart needs at least one value")
    xs = [to_decimal(v) for v in values]
    tgt, bench = to_decimal(target), to_decimal(benchmark)
    segments = spc.segments if spc and spc.enough_data else ()
    if spc is not None and len(spc.points) != len(xs):
        raise ValueError("the SPC result is for a different number of points than the values")

    fv = lambda v: format_value(v, unit, places)  # noqa: E731
    if description is None:
        parts = [f"{len(xs)} values from {labels[0]} to {labels[-1]}; latest {fv(xs[-1])}."]
        if tgt is not None:
            parts.append(f"Target {fv(tgt)}.")
        if bench is not None:
            parts.append(f"{benchmark_label} {fv(bench)}.")
        if spc is not None:
            parts.append(spc.explanation)
        description = " ".join(parts)
    doc = SvgDocument(width, height, title, description, chart_id)

    left, right, top = 64, 16, 16
    legend_h = 48
    bottom = height - 40 - legend_h
    span = [float(v) for v in xs]
    span += [float(v) for v in (tgt, bench) if v is not None]
    for s in segments:
        span += [float(s.lower_limit), float(s.upper_limit)]
    ticks = nice_ticks(min(span), max(span))
    y = Scale(ticks[0], ticks[-1], bottom, top)
    n = len(xs)
    step = (width - left - right) / n
    xpos = [left + (i + 0.5) * step for i in range(n)]

    axes = doc.group(class_="axes")
    tp = tick_places(ticks)
    for t in ticks:
        _line(doc, axes, left, width - right, y(t), GRID_COLOUR, width=1)
        label = f"{t:,.{tp}f}" + ("%" if unit == "percent" else "")
        doc.add(axes, "text", label, x=left - 6, y=y(t) + 4, text_anchor="end", class_="y-tick")
    doc.add(axes, "line", x1=left, x2=left, y1=top, y2=bottom, stroke=AXIS_COLOUR)
    doc.add(axes, "line", x1=left, x2=width - right, y1=bottom, y2=bottom, stroke=AXIS_COLOUR)
    every = every_nth(n, max(1, int((width - left - right) // 60)))
    for i in range(0, n, every):
        doc.add(
            axes,
            "text",
            str(labels[i]),
            x=xpos[i],
            y=bottom + 16,
            text_anchor="middle",
            class_="x-tick",
        )

    lines = doc.group(class_="reference-lines", fill="none")
    for s in segments:
        x1, x2 = xpos[s.start] - step / 2, xpos[s.end] + step / 2
        _line(doc, lines, x1, x2, y(s.mean), MEAN_COLOUR, class_="mean")
        _line(doc, lines, x1, x2, y(s.upper_limit), LIMIT_COLOUR, "6 4", class_="upper-limit")
        _line(doc, lines, x1, x2, y(s.lower_limit), LIMIT_COLOUR, "6 4", class_="lower-limit")
        if s.start > 0:  # a process change: mark where the limits were recalculated
            change = doc.group(lines, class_="process-change")
            doc.add(
                change,
                "line",
                x1=x1,
                x2=x1,
                y1=top,
                y2=bottom,
                stroke=MEAN_COLOUR,
                stroke_dasharray="2 2",
            )
            doc.add(
                change,
                "text",
                f"Process change ({labels[s.start]})",
                x=x1 + 4,
                y=top + 10,
                fill=MEAN_COLOUR,
                font_size=11,
            )
    if tgt is not None:
        _line(doc, lines, left, width - right, y(tgt), TARGET_COLOUR, "8 3", 2, class_="target")
    if bench is not None:
        _line(
            doc,
            lines,
            left,
            width - right,
            y(bench),
            BENCHMARK_COLOUR,
            "2 3",
            2,
            class_="benchmark",
        )

    pts = " ".join(f"{xpos[i]:.2f},{y(v):.2f}" for i, v in enumerate(xs))
    doc.add(
        None,
        "polyline",
        points=pts,
        fill="none",
        stroke=SERIES_COLOUR,
        stroke_width=1.5,
        class_="series",
    )

    markers = doc.group(class_="points")
    kinds_seen = set()
    rows = []
    for i, v in enumerate(xs):
        point = spc.points[i] if spc is not None else None
        kind = point.variation.kind if point is not None and point.variation else "common_cause"
        kinds_seen.add(kind)
        seg = segments[point.segment] if point is not None and point.segment is not None else None
        why = ""
        if point is not None and point.rules:
            why = "; ".join(r.description for r in SpcRule if r in point.rules)
        tip = f"{labels[i]}: {fv(v)}" + (
            f" ({point.variation.label.lower()}: {why})" if why else ""
        )
        el = draw_marker(
            doc,
            markers,
            kind,
            xpos[i],
            y(v),
            class_=f"point point-{kind}",
            data_index=i,
            data_variation=kind,
        )
        doc.titled(el, tip)
        rows.append(
            {
                "Period": str(labels[i]),
                "Value": fv(v),
                "Target": fv(tgt) if tgt is not None else "",
                benchmark_label: fv(bench) if bench is not None else "",
                "Mean": fv(seg.mean) if seg else "",
                "Lower process limit": fv(seg.lower_limit) if seg else "",
                "Upper process limit": fv(seg.upper_limit) if seg else "",
                "Special cause": (
                    f"{point.variation.label}: {why}" if why else ("None" if seg else "")
                ),
            }
        )

    legend = doc.group(class_="legend")
    entries = [("line", SERIES_COLOUR, None, "Value")]
    if tgt is not None:
        entries.append(("line", TARGET_COLOUR, "8 3", "Target"))
    if bench is not None:
        entries.append(("line", BENCHMARK_COLOUR, "2 3", benchmark_label))
    if segments:
        entries += [
            ("line", MEAN_COLOUR, None, "Mean"),
            ("line", LIMIT_COLOUR, "6 4", "Process limits"),
        ]
    entries += [("marker", k, None, MARKERS[k][2]) for k in MARKERS if k in kinds_seen]
    lx, ly = left, height - legend_h + 4
    for kind, colour, dash, text in entries:
        width_needed = 44 + 7 * len(text)
        if lx + width_needed > width - right:
            lx, ly = left, ly + 20
        item = doc.group(legend, class_="legend-item")
        if kind == "line":
            _line(doc, item, lx, lx + 24, ly, colour, dash, 2)
        else:
            draw_marker(doc, item, colour, lx + 12, ly)
        doc.add(item, "text", text, x=lx + 30, y=ly + 4)
        lx += width_needed

    headers = (
        "Period",
        "Value",
        "Target",
        benchmark_label,
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Special cause",
    )
    return Chart(doc.tostring(), DataTable(title, headers, tuple(rows), description))


def sparkline(
    values: Sequence[Number],
    title: str,
    labels: Sequence[str] | None = None,
    last_n: int = 12,
    unit: str = "percent",
    width: int = 100,
    height: int = 24,
    places: int | None = None,
    chart_id: str | None = None,
) -> Chart:
    """A small line of the last ``last_n`` values for a table cell, with the last point marked."""
    if not values:
        raise ValueError("a sparkline needs at least one value")
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(len(values))]
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels were given for {len(values)} values")
    xs = [to_decimal(v) for v in values][-last_n:]
    labs = labels[-last_n:]
    fv = lambda v: format_value(v, unit, places)  # noqa: E731
    desc = f"Last {len(xs)} values, {labs[0]} to {labs[-1]}: from {fv(xs[0])} to {fv(xs[-1])}."
    doc = SvgDocument(width, height, title, desc, chart_id)
    pad = 3
    x = Scale(0, max(len(xs) - 1, 1), pad, width - pad)
    y = Scale(min(xs), max(xs), height - pad, pad)
    pts = " ".join(f"{x(i):.2f},{y(v):.2f}" for i, v in enumerate(xs))
    doc.add(
        None,
        "polyline",
        points=pts,
        fill="none",
        stroke=SERIES_COLOUR,
        stroke_width=1.5,
        class_="series",
    )
    last = doc.add(
        None, "circle", cx=x(len(xs) - 1), cy=y(xs[-1]), r=2.5, fill="#005eb8", class_="last-point"
    )
    doc.titled(last, f"{labs[-1]}: {fv(xs[-1])}")
    rows = tuple({"Period": str(lab), "Value": fv(v)} for lab, v in zip(labs, xs, strict=True))
    return Chart(doc.tostring(), DataTable(title, ("Period", "Value"), rows, desc))
