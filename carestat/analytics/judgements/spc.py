"""Statistical process control: XmR charts as in NHS England's "Making Data Count".

Method, per segment (a segment is the whole series, or the part between process changes):

- mean of the values; moving ranges |x[i] - x[i-1]| within the segment (never across a change
  point); MR-bar, the mean moving range; natural process limits mean +/- 2.66 x MR-bar;
  sigma = MR-bar / 1.128, giving 1-sigma and 2-sigma lines. Moving ranges are not screened
  for outliers.
- Special-cause rules, each evaluated within its segment only:
  (a) OUTSIDE_LIMITS: a point strictly above the upper or strictly below the lower limit
      (a point exactly on a limit is inside);
  (b) SHIFT: 7 or more consecutive points strictly on one side of the mean. A point exactly on
      the mean breaks the run (it counts for neither side and the count restarts after it);
  (c) TREND: 6 or more consecutive points each strictly higher (or each strictly lower) than
      the one before, i.e. 5 successive rises or falls. An equal value breaks the trend;
  (d) TWO_OF_THREE: in any 3 consecutive points, 2 or 3 are strictly beyond 2 sigma on the
      same side of the mean. Only the points beyond 2 sigma are marked, not the third point.
  Every point belonging to a signal is marked with each rule it belongs to.
- A special-cause point is high or low: by its side of the mean for rules (a), (b) and (d),
  by the direction of the trend if only rule (c) applies. With the polarity that makes it
  improving or concerning (or "neither" high or low for a measure without a better direction).
- Summary variation is that of the latest point (so the icon tells the committee whether the
  most recent figure is part of a signal); assurance compares the target with the limits of
  the latest segment: higher-is-better target below the lower limit is "consistently met",
  above the upper limit "consistently missed", otherwise (including exactly on a limit)
  "hit and miss"; lower-is-better is the mirror image; for neither polarity a target outside
  the limits on either side is "consistently missed".
- Fewer than 15 points in the series: no limits, no icons, and a message saying to judge on
  target and trend instead. A process change that would leave a segment with fewer than 15
  points is refused with a clear error: recalculate once 15 points are available after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .rag import Number, Polarity, format_value, to_decimal

MIN_POINTS = 15
LIMIT_FACTOR = Decimal("2.66")
SIGMA_DIVISOR = Decimal("1.128")
SHIFT_LENGTH = 7
TREND_LENGTH = 6


class SpcRule(StrEnum):
    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"

    @property
    def description(self) -> str:
        return {
            SpcRule.OUTSIDE_LIMITS: "a point outside the process limits",
            SpcRule.SHIFT: f"a run of {SHIFT_LENGTH} or more points on one side of the mean",
            SpcRule.TREND: f"{TREND_LENGTH} or more points consecutively rising or falling",
            SpcRule.TWO_OF_THREE: "two of three points beyond two sigma on the same side",
        }[self]


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVING_HIGH = "improving_high"
    IMPROVING_LOW = "improving_low"
    CONCERNING_HIGH = "concerning_high"
    CONCERNING_LOW = "concerning_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"

    @property
    def icon(self) -> str:
        return "variation-" + self.value.replace("_", "-")

    @property
    def kind(self) -> str:
        """common_cause, improving, concerning or neither: what the chart colours by."""
        return "common_cause" if self is Variation.COMMON_CAUSE else self.value.split("_")[0]

    @property
    def label(self) -> str:
        return {
            Variation.COMMON_CAUSE: "Common cause variation",
            Variation.IMPROVING_HIGH: "Special cause improving variation (higher)",
            Variation.IMPROVING_LOW: "Special cause improving variation (lower)",
            Variation.CONCERNING_HIGH: "Special cause concerning variation (higher)",
            Variation.CONCERNING_LOW: "Special cause concerning variation (lower)",
            Variation.NEITHER_HIGH: "Special cause variation, higher (neither better nor worse)",
            Variation.NEITHER_LOW: "Special cause variation, lower (neither better nor worse)",
        }[self]


class Assurance(StrEnum):
    CONSISTENTLY_MET = "consistently_met"
    CONSISTENTLY_MISSED = "consistently_missed"
    HIT_AND_MISS = "hit_and_miss"

    @property
    def icon(self) -> str:
        return {
            Assurance.CONSISTENTLY_MET: "assurance-pass",
            Assurance.CONSISTENTLY_MISSED: "assurance-fail",
            Assurance.HIT_AND_MISS: "assurance-hit-miss",
        }[self]

    @property
    def label(self) -> str:
        return {
            Assurance.CONSISTENTLY_MET: "Target consistently met",
            Assurance.CONSISTENTLY_MISSED: "Target consistently missed",
            Assurance.HIT_AND_MISS: "Target hit and miss",
        }[self]


@dataclass(frozen=True)
class SpcSegment:
    start: int  # index of the first point
    end: int  # index of the last point (inclusive)
    mean: Decimal
    mr_bar: Decimal
    sigma: Decimal
    upper_limit: Decimal
    lower_limit: Decimal

    @property
    def one_sigma(self) -> tuple[Decimal, Decimal]:
        return self.mean - self.sigma, self.mean + self.sigma

    @property
    def two_sigma(self) -> tuple[Decimal, Decimal]:
        return self.mean - 2 * self.sigma, self.mean + 2 * self.sigma

    def __len__(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class SpcPoint:
    index: int
    label: Hashable
    value: Decimal
    segment: int | None  # index into SpcResult.segments; None without enough data
    moving_range: Decimal | None  # None for a segment's first point
    rules: frozenset[SpcRule]
    variation: Variation | None  # None without enough data

    @property
    def is_special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class SpcResult:
    enough_data: bool
    polarity: Polarity
    target: Decimal | None
    points: tuple[SpcPoint, ...]
    segments: tuple[SpcSegment, ...]
    variation: Variation | None
    assurance: Assurance | None
    explanation: str

    @property
    def variation_icon(self) -> str | None:
        return self.variation.icon if self.variation else None

    @property
    def assurance_icon(self) -> str | None:
        return self.assurance.icon if self.assurance else None

    @property
    def current_segment(self) -> SpcSegment | None:
        return self.segments[-1] if self.segments else None

    @property
    def shift_start(self) -> SpcPoint | None:
        """The first point of the latest shift (rule b) in the current segment, unless the run
        begins the segment: where the process changed, so where limits should restart.

        A shift means the limits span two processes; recording a process change here gives
        each its own limits, and the assurance judgement then describes the current one.
        """
        seg = self.current_segment
        if seg is None:
            return None
        start = None
        for p in self.points[seg.start : seg.end + 1]:
            prev = self.points[p.index - 1] if p.index > seg.start else None
            side = (p.value > seg.mean) - (p.value < seg.mean)
            continues = (prev is not None and SpcRule.SHIFT in prev.rules
                         and side == (prev.value > seg.mean) - (prev.value < seg.mean))
            if SpcRule.SHIFT in p.rules and not continues:
                start = p
        return start if start is not None and start.index > seg.start else None


def _segment_starts(
    n: int, labels: Sequence[Hashable], change_points: Sequence[int | dt.date | Hashable]
) -> list[int]:
    starts = {0}
    for cp in change_points:
        if isinstance(cp, int) and not isinstance(cp, bool):
            index = cp
        elif isinstance(cp, dt.date):
            # the first period whose label (a date) is on or after the change date
            later = [i for i, lab in enumerate(labels) if isinstance(lab, dt.date) and lab >= cp]
            if not later:
                raise ValueError(f"no point is on or after the process change on {cp}")
            index = later[0]
        else:
            if cp not in labels:
                raise ValueError(f"process change {cp!r} is not one of the period labels")
            index = list(labels).index(cp)
        if not 0 <= index < n:
            raise ValueError(f"process change at index {index} is outside the series of {n} points")
        starts.add(index)
    return sorted(starts)


def _make_segment(values: list[Decimal], start: int, end: int) -> SpcSegment:
    xs = values[start : end + 1]
    # a Decimal start, so an empty sum is Decimal 0 rather than int 0
    mean = sum(xs, Decimal(0)) / len(xs)
    mrs = [abs(b - a) for a, b in zip(xs, xs[1:], strict=False)]
    mr_bar = sum(mrs, Decimal(0)) / len(mrs)
    sigma = mr_bar / SIGMA_DIVISOR
    return SpcSegment(
        start, end, mean, mr_bar, sigma, mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar
    )


def _rules_for_segment(
    values: list[Decimal],
    seg: SpcSegment,
    rules: dict[int, set[SpcRule]],
    trend_dir: dict[int, int],
) -> None:
    idx = range(seg.start, seg.end + 1)
    for i in idx:
        if values[i] > seg.upper_limit or values[i] < seg.lower_limit:
            rules[i].add(SpcRule.OUTSIDE_LIMITS)

    # (b) runs on one side; 0 (on the mean) breaks a run
    def side(i: int) -> int:
        return (values[i] > seg.mean) - (values[i] < seg.mean)

    run: list[int] = []
    for i in [*idx, None]:
        if i is not None and run and side(i) == side(run[-1]) and side(i) != 0:
            run.append(i)
            continue
        if len(run) >= SHIFT_LENGTH and side(run[0]) != 0:
            for j in run:
                rules[j].add(SpcRule.SHIFT)
        run = [i] if i is not None else []

    # (c) trends: runs of strictly rising (or falling) steps; an equal value breaks the trend
    trend: list[int] = []
    direction = 0
    for i in [*idx, None]:
        step = (
            0
            if i is None or i == seg.start
            else (values[i] > values[i - 1]) - (values[i] < values[i - 1])
        )
        if i is not None and trend and step != 0 and step == direction:
            trend.append(i)
            continue
        if len(trend) >= TREND_LENGTH:
            for j in trend:
                rules[j].add(SpcRule.TREND)
                trend_dir[j] = direction
        if i is None:
            break
        # a new trend starts at the previous point when this step rises or falls
        if step != 0 and i > seg.start:
            trend, direction = [i - 1, i], step
        else:
            trend, direction = [i], 0

    # (d) two of three beyond two sigma on the same side
    low2, high2 = seg.two_sigma
    for w in range(seg.start, seg.end - 1):
        window = [w, w + 1, w + 2]
        for beyond in (
            [j for j in window if values[j] > high2],
            [j for j in window if values[j] < low2],
        ):
            if len(beyond) >= 2:
                for j in beyond:
                    rules[j].add(SpcRule.TWO_OF_THREE)


def _variation(
    value: Decimal, seg: SpcSegment, rules: set[SpcRule], trend_dir: int, polarity: Polarity
) -> Variation:
    if not rules:
        return Variation.COMMON_CAUSE
    if rules - {SpcRule.TREND}:
        high = value > seg.mean
    else:
        high = trend_dir > 0
    if polarity is Polarity.NEITHER:
        return Variation.NEITHER_HIGH if high else Variation.NEITHER_LOW
    improving = high == (polarity is Polarity.HIGHER_IS_BETTER)
    if improving:
        return Variation.IMPROVING_HIGH if high else Variation.IMPROVING_LOW
    return Variation.CONCERNING_HIGH if high else Variation.CONCERNING_LOW


def _assurance(target: Decimal, seg: SpcSegment, polarity: Polarity) -> Assurance:
    if seg.lower_limit <= target <= seg.upper_limit:
        return Assurance.HIT_AND_MISS
    if polarity is Polarity.NEITHER:
        return Assurance.CONSISTENTLY_MISSED
    target_below = target < seg.lower_limit
    if target_below == (polarity is Polarity.HIGHER_IS_BETTER):
        return Assurance.CONSISTENTLY_MET
    return Assurance.CONSISTENTLY_MISSED


def xmr(
    values: Sequence[Number],
    polarity: Polarity | str,
    labels: Sequence[Hashable] | None = None,
    target: Number | None = None,
    change_points: Sequence[int | dt.date | Hashable] = (),
    unit: str = "percent",
    places: int | None = None,
    min_points: int = MIN_POINTS,
) -> SpcResult:
    """Run an XmR analysis of a series, oldest first, and summarise variation and assurance.

    ``change_points`` start a new segment (a process change) at an index, at a period label,
    or at the first label (a ``date``) on or after a date; each segment gets its own mean and
    limits and the rules are evaluated within each segment.
    """
    polarity = Polarity(polarity)
    given = [to_decimal(v) for v in values]
    xs = [v for v in given if v is not None]
    if len(xs) != len(given):
        raise ValueError("SPC needs a value for every period; leave gaps out of the series")
    labels = list(labels) if labels is not None else list(range(len(xs)))
    if len(labels) != len(xs):
        raise ValueError(f"{len(labels)} labels were given for {len(xs)} values")
    tgt = to_decimal(target)
    n = len(xs)

    if n < min_points:
        return SpcResult(
            False,
            polarity,
            tgt,
            tuple(SpcPoint(i, labels[i], xs[i], None, None, frozenset(), None) for i in range(n)),
            (),
            None,
            None,
            f"Not enough data points for SPC ({n} of {min_points}); "
            "judged on target and trend instead.",
        )

    starts = _segment_starts(n, labels, change_points)
    bounds = list(zip(starts, [s - 1 for s in starts[1:]] + [n - 1], strict=True))
    for s, e in bounds:
        if e - s + 1 < min_points:
            raise ValueError(
                f"The process change at {labels[s]} leaves a segment of {e - s + 1} points; "
                f"SPC limits need at least {min_points}. Recalculate once {min_points} points "
                "are available after the change."
                if s > 0
                else f"Only {e - s + 1} points come before the process change at "
                f"{labels[e + 1]}; SPC limits need at least {min_points} in each segment."
            )
    segments = tuple(_make_segment(xs, s, e) for s, e in bounds)
    rules: dict[int, set[SpcRule]] = {i: set() for i in range(n)}
    trend_dir: dict[int, int] = {}
    seg_of: dict[int, int] = {}
    for k, seg in enumerate(segments):
        _rules_for_segment(xs, seg, rules, trend_dir)
        for i in range(seg.start, seg.end + 1):
            seg_of[i] = k

    points: list[SpcPoint] = []
    for i in range(n):
        seg = segments[seg_of[i]]
        mr = abs(xs[i] - xs[i - 1]) if i > seg.start else None
        var = _variation(xs[i], seg, rules[i], trend_dir.get(i, 0), polarity)
        points.append(SpcPoint(i, labels[i], xs[i], seg_of[i], mr, frozenset(rules[i]), var))

    # the loop leaves var as the latest point's variation, which is never None here
    last, seg, last_variation = points[-1], segments[-1], var
    if last.rules:
        why = ", ".join(r.description for r in SpcRule if r in last.rules)
        var_words = (
            f"{last_variation.label}: the latest point ({last.label}) is special cause ({why})."
        )
    else:
        var_words = (
            f"{last_variation.label}: the latest point ({last.label}) is within the process "
            "limits and not part of any special-cause pattern."
        )
    low, high = (
        format_value(seg.lower_limit, unit, places),
        format_value(seg.upper_limit, unit, places),
    )
    limits = f"Mean {format_value(seg.mean, unit, places)}, process limits {low} to {high}" + (
        f" (recalculated from {labels[seg.start]})." if seg.start > 0 else "."
    )
    assurance = None
    if tgt is None:
        ass_words = "No target is set, so there is no assurance judgement."
    else:
        assurance = _assurance(tgt, seg, polarity)
        ft = format_value(tgt, unit, places)
        if assurance is Assurance.HIT_AND_MISS:
            ass_words = (
                f"The target of {ft} is within the process limits, so it will be hit and "
                "missed at random unless the process changes."
            )
        elif assurance is Assurance.CONSISTENTLY_MET:
            ass_words = (
                f"The target of {ft} is outside the process limits on the good side, so it "
                "will be consistently met unless the process changes."
            )
        else:
            ass_words = (
                f"The target of {ft} is outside the process limits"
                + ("" if polarity is Polarity.NEITHER else " on the bad side")
                + ", so it will be consistently missed unless the process changes."
            )
    return SpcResult(
        True,
        polarity,
        tgt,
        tuple(points),
        segments,
        last_variation,
        assurance,
        f"{var_words} {limits} {ass_words}",
    )
