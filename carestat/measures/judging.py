"""A measure's judgements, chart and public (suppressed) figures, derived from its approved values.

Pages, the API and the command line all call ``judge`` so they can never disagree. Only
approved values count; values awaiting approval are listed on the page but left out here.
In the public view, a value resting on 1 to 4 people is suppressed and left out of the chart
and judgements too (so a RAG colour cannot reveal it), and breakdowns get secondary
suppression so a hidden figure cannot be recovered from the total.

Suppression blanks, it never substitutes: the latest value is the latest approved one in both
views. When that one is suppressed, the public view shows "fewer than 5" for its period and no
RAG, variation or assurance at all, rather than falling back to an earlier period's figure and
judging that as if it were current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup

from carestat.analytics.code_labels import code_label, dimension_label
from carestat.analytics.judgements import Benchmark, MeasureJudgement, judge_measure
from carestat.analytics.judgements.rag import format_value
from carestat.analytics.judgements.spc import MIN_POINTS, SHIFT_LENGTH
from carestat.analytics.judgements.suppression import Marker, publish_count, publish_rate, suppress_breakdown
from carestat.analytics.periods import parse_period, previous_period, same_period_last_year
from carestat.charts import Chart, icon_svg, sparkline, xmr_chart
from carestat.charts.svg import chart_id
from carestat.measures.models import Frequency, Measure, MeasureValue, Target, ValueStatus


@dataclass
class Point:
    period: str
    value: MeasureValue
    display: str
    suppressed: bool = False


@dataclass(frozen=True)
class SuggestedChange:
    """A process change the SPC shift rule points to, for a manager to record in one step."""

    period: str
    starts_on: dt.date
    points_after: int  # approved values from the change on; limits restart once there are 15
    reason: str

    @property
    def recalculates_now(self) -> bool:
        return self.points_after >= MIN_POINTS


@dataclass
class MeasureReport:
    measure: Measure
    public: bool
    points: list[Point]  # approved values, oldest first (unsuppressed only in the public view)
    all_values: list[MeasureValue]  # every value, newest first, including those awaiting approval
    suppressed_periods: list[str]
    latest: MeasureValue | None  # the latest approved value, in both views (it may be suppressed in public)
    target: Target | None
    benchmarks: list[Benchmark]
    judgement: MeasureJudgement | None
    chart: Chart | None
    notes: list[str] = field(default_factory=list)
    breakdowns: list[dict] = field(default_factory=list)
    # where a shift says the process changed and no change is recorded there yet
    suggested_change: SuggestedChange | None = None
    latest_point: Point | None = None  # the latest value as shown: "fewer than 5" when suppressed

    @property
    def latest_suppressed(self) -> bool:
        """The latest value is hidden (public view): it has no judgement, and no other
        period's figure stands in for it."""
        return self.latest_point is not None and self.latest_point.suppressed

    @property
    def rag(self) -> str | None:
        return self.judgement.rag.rating.value if self.judgement and self.judgement.rag.rating else None

    @property
    def rag_label(self) -> str:
        if self.judgement:
            return self.judgement.rag.label
        return "No judgement" if self.latest_suppressed else "No value"

    @property
    def variation(self):
        return self.judgement.spc.variation if self.judgement else None

    @property
    def assurance(self):
        return self.judgement.spc.assurance if self.judgement else None

    @property
    def national(self) -> Benchmark | None:
        return next((b for b in self.benchmarks if b.kind == "national"), None)

    def fmt(self, value) -> str:
        return self.measure.format_value(value)

    @property
    def latest_display(self) -> str:
        return self.latest_point.display if self.latest_point else ""


def target_for(measure: Measure, period: str, targets: list[Target]) -> Target | None:
    """The target for a period: one set for that period, else one whose period contains it."""
    exact = [t for t in targets if t.period == period]
    if exact:
        return exact[0]
    start = parse_period(period).start
    covering = [t for t in targets if parse_period(t.period).contains(start)]
    return min(covering, key=lambda t: parse_period(t.period).end - parse_period(t.period).start, default=None)


def benchmarks_for(measure: Measure) -> list[Benchmark]:
    out = []
    cat = measure.catalogue
    if cat is not None and cat.national_value is not None:
        out.append(Benchmark("national", cat.national_value, cat.national_source or "measure catalogue",
                             cat.national_period or "", cat.national_geography))
    latest: dict[tuple[str, str], object] = {}
    for b in sorted(measure.benchmarks.all(), key=lambda b: (b.year, b.pk)):  # prefetched by lists
        latest[(b.kind, b.name)] = b  # the latest year of each benchmark
    for b in latest.values():
        out.append(Benchmark(b.kind, b.value, b.source, b.year, b.name))
    return out


def _published(measure: Measure, v: MeasureValue) -> tuple[str, bool]:
    shown = format_value(v.value, measure.unit)
    if measure.unit == "count":
        p = publish_count(int(v.value))
        return p.display, p.suppressed
    n = int(v.numerator) if v.numerator is not None else None
    d = int(v.denominator) if v.denominator is not None else None
    p = publish_rate(v.value, n, d, marker=Marker.WORDS, display=shown)
    return p.display, p.suppressed


def _breakdown_tables(measure: Measure, value: MeasureValue, public: bool) -> list[dict]:
    """The latest value's breakdowns, one table per dimension; suppressed in the public view."""
    by_dim: dict[str, list[dict]] = {}
    for row in value.breakdown or []:
        if len(row.get("by", {})) != 1:
            continue
        (dim, cat), = row["by"].items()
        by_dim.setdefault(dim, []).append({"category": str(cat), **row})
    tables = []
    for dim, rows in by_dim.items():
        counts = {r["category"]: int(r["numerator"] or 0) for r in rows}
        total = int(value.numerator) if value.numerator is not None else sum(counts.values())
        total = max(total, sum(counts.values()))
        out_rows = []
        if public:
            st = suppress_breakdown(counts, total)
            for r in rows:
                cell = st.cells[r["category"]]
                out_rows.append({"category": r["category"], "label": code_label(dim, r["category"]),
                                 "count": cell.display,
                                 "value": "fewer than 5" if cell.suppressed else (
                                     format_value(r["value"], measure.unit) if r["value"] is not None else ""),
                                 "suppressed": cell.suppressed, "reason": st.reasons.get(r["category"])})
            total_cell = st.cells["Total"]
            tables.append({"dimension": dim, "name": dimension_label(dim), "rows": out_rows,
                           "total": total_cell.display,
                           "secondary": sorted(code_label(dim, k) for k in st.secondary)})
        else:
            for r in rows:
                out_rows.append({"category": r["category"], "label": code_label(dim, r["category"]),
                                 "count": f"{counts[r['category']]:,}",
                                 "value": format_value(r["value"], measure.unit) if r["value"] is not None else "",
                                 "suppressed": False, "reason": None})
            tables.append({"dimension": dim, "name": dimension_label(dim), "rows": out_rows, "total": f"{total:,}",
                           "secondary": []})
    return tables


def judge(measure: Measure, *, public: bool = False, chart: bool = True, as_of: str | None = None) -> MeasureReport:
    """Judge a measure's latest approved value (or its value for ``as_of``, judged on the
    history up to then) and draw its chart."""
    if "values" in getattr(measure, "_prefetched_objects_cache", {}):
        # A list judging many measures read every value at once (selectors.measure_rows).
        all_values = sorted(measure.values.all(), key=lambda v: v.period_start, reverse=True)
        if as_of:
            all_values = [v for v in all_values if v.period_start <= parse_period(as_of).start]
    else:
        qs = measure.values.select_related("entered_by", "approved_by").order_by("-period_start")
        if as_of:
            qs = qs.filter(period_start__lte=parse_period(as_of).start)
        all_values = list(qs)
    approved = [v for v in reversed(all_values) if v.status == ValueStatus.APPROVED]
    points, suppressed, last = [], [], None
    for v in approved:
        display, hidden = _published(measure, v) if public else (format_value(v.value, measure.unit), False)
        last = Point(v.period, v, display, hidden)
        if hidden:
            suppressed.append(v.period)
            continue
        points.append(last)
    targets = list(measure.targets.all())
    benchmarks = benchmarks_for(measure)
    notes: list[str] = []
    if last is None:
        return MeasureReport(measure, public, [], all_values, suppressed, None, None, benchmarks, None, None,
                             ["There are no approved values yet, so there is nothing to judge."])
    latest = last.value
    target = target_for(measure, latest.period, targets)
    if last.suppressed:
        return _suppressed_latest(measure, last, points, all_values, suppressed, target, benchmarks, chart)
    labels = [p.period for p in points]
    values = [p.value.value for p in points]
    tolerance = target.effective_tolerance if target else measure.tolerance
    tolerance_kind = target.effective_tolerance_kind if target else measure.tolerance_kind
    periods_per_year = Frequency(measure.frequency).periods_per_year
    # the engine finds last year by position; only let it when that position is last year's label
    year_ago = len(labels) - 1 - periods_per_year
    if year_ago < 0 or labels[year_ago] != same_period_last_year(parse_period(labels[-1])).label:
        periods_per_year = None
    change_points, starts, recorded = [], [parse_period(p).start for p in labels], set()
    for change in measure.process_changes.all():  # prefetched by lists
        later = [i for i, s in enumerate(starts) if s >= change.starts_on]
        if later:
            recorded.add(later[0])
        if later and later[0] > 0:
            change_points.append(later[0])
    kwargs = dict(polarity=measure.polarity, target=target.value if target else None, tolerance=tolerance,
                  tolerance_kind=tolerance_kind, periods_per_year=periods_per_year, benchmarks=benchmarks,
                  unit=measure.unit)
    try:
        judgement = judge_measure(values, labels, change_points=change_points, **kwargs)
    except ValueError:
        judgement = judge_measure(values, labels, **kwargs)
        notes.append("A process change is recorded, but there are not yet 15 values after it, so the "
                     "process limits are still calculated over the whole series.")
    if suppressed:
        notes.append(f"{len(suppressed)} period{'s' if len(suppressed) != 1 else ''} ({', '.join(suppressed)}) "
                     "rest on fewer than 5 and are suppressed: left out of the chart and the judgements.")
    elif not _consecutive(labels):
        notes.append("Some periods have no approved value; the chart and comparisons use the periods that do.")
    drawn = None
    if chart:
        # a count's national figure is context: on the same axis it would flatten the council's line
        national = next((b for b in benchmarks if b.kind == "national"), None) \
            if measure.benchmarks_compared else None
        drawn = xmr_chart(labels, values, f"{measure.code}: {measure.title}", unit=measure.unit,
                          spc=judgement.spc, target=target.value if target else None,
                          benchmark=national.value if national else None, benchmark_label="National",
                          chart_id=chart_id(measure.pk, public))
    breakdowns = _breakdown_tables(measure, latest, public) if latest.breakdown else []
    shift = judgement.spc.shift_start
    suggested = None
    if shift is not None and shift.index not in recorded:
        side = "above" if shift.value > judgement.spc.segments[shift.segment].mean else "below"
        suggested = SuggestedChange(
            shift.label, starts[shift.index], len(labels) - shift.index,
            f"The values moved {side} the mean from {shift.label} and stayed there ({SHIFT_LENGTH} or more "
            "periods in a row: an SPC shift), so the process changed then.")
    return MeasureReport(measure, public, points, all_values, suppressed, latest, target, benchmarks, judgement,
                         drawn, notes, breakdowns, suggested, last)


def _suppressed_latest(measure: Measure, last: Point, points: list[Point], all_values: list[MeasureValue],
                       suppressed: list[str], target: Target | None, benchmarks: list[Benchmark],
                       chart: bool) -> MeasureReport:
    """The public view when the latest approved value is suppressed: "fewer than 5" for its
    period and nothing judged. Judging the last published value instead would show an older
    period's RAG as this one's, and a RAG or variation computed with the hidden value could
    reveal it. The chart keeps the published values, with no process limits (those would judge
    the older point as if it were the latest)."""
    earlier = [p for p in suppressed if p != last.period]
    notes = [f"The value for {last.period} rests on fewer than 5, so it is suppressed: it has no RAG "
             "rating or judgement in the public view, and no earlier figure is shown in its place."]
    if earlier:
        notes.append(f"{len(earlier)} earlier period{'s' if len(earlier) != 1 else ''} ({', '.join(earlier)}) "
                     f"{'are' if len(earlier) != 1 else 'is'} suppressed too and left out of the chart.")
    drawn = None
    if chart and points:
        national = next((b for b in benchmarks if b.kind == "national"), None)
        labels, values = [p.period for p in points], [p.value.value for p in points]
        description = (f"{len(points)} published value{'s' if len(points) != 1 else ''} from {labels[0]} to "
                       f"{labels[-1]}. The value for {last.period} is fewer than 5 and is not drawn.")
        drawn = xmr_chart(labels, values, f"{measure.code}: {measure.title}", unit=measure.unit,
                          target=target.value if target else None, benchmark=national.value if national else None,
                          benchmark_label="National", description=description, chart_id=chart_id(measure.pk, True))
    return MeasureReport(measure, True, points, all_values, suppressed, last.value, target, benchmarks, None, drawn,
                         notes, [], None, last)


def _consecutive(labels: list[str]) -> bool:
    for a, b in zip(labels, labels[1:], strict=False):
        if previous_period(parse_period(b)).label != a:
            return False
    return True


def spark(report: MeasureReport) -> Chart | None:
    if len(report.points) < 2:
        return None
    return sparkline([p.value.value for p in report.points], f"Recent values of {report.measure.code}",
                     labels=[p.period for p in report.points], unit=report.measure.unit,
                     chart_id=chart_id("spark", report.measure.pk, report.public))


def value_rows_for_public(report: MeasureReport) -> list[dict]:
    """The value history as it may be published."""
    rows = []
    for v in report.all_values:
        if v.status != ValueStatus.APPROVED:
            continue
        display, hidden = _published(report.measure, v)
        rows.append({"period": v.period, "display": display, "suppressed": hidden,
                     "numerator": "" if hidden or v.numerator is None else f"{v.numerator.normalize():f}",
                     "denominator": "" if hidden or v.denominator is None else f"{v.denominator.normalize():f}"})
    return rows


def decimal_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def icon(key: str, size: int = 32) -> Markup:
    """A Making Data Count icon as inline SVG (its markup is built by the chart library)."""
    return Markup(icon_svg(key, size))  # noqa: S704 - SVG built with ElementTree, text escaped
