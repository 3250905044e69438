"""Judgements on a measure's values: against target (RAG), direction of travel, benchmarks,
statistical process control, and small-number suppression for publication.

Plain Python with no Django import; every judgement carries a plain-English explanation.
``judge_measure`` runs the four judgements a measure page shows on one series, so the page, the
API and reports all judge a measure the same way.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from .benchmark import (
    Benchmark,
    BenchmarkJudgement,
    BenchmarkKind,
    Comparison,
    judge_against_benchmark,
    judge_against_benchmarks,
)
from .rag import (
    Polarity,
    RagJudgement,
    Rating,
    ToleranceKind,
    format_difference,
    format_value,
    judge_against_target,
    tolerance_band,
)
from .spc import Assurance, SpcPoint, SpcResult, SpcRule, SpcSegment, Variation, xmr
from .suppression import (
    Marker,
    Published,
    SuppressedTable,
    SuppressionReason,
    publish_count,
    publish_rate,
    suppress_breakdown,
    suppress_table,
)
from .trend import (
    Direction,
    DirectionOfTravel,
    TrendJudgement,
    judge_direction_of_travel,
    judge_trend,
)


@dataclass(frozen=True)
class MeasureJudgement:
    """Everything a committee asks of a measure's latest value, each part explained in words."""

    rag: RagJudgement
    travel: DirectionOfTravel
    benchmarks: tuple[BenchmarkJudgement, ...]
    spc: SpcResult
    unit: str = "percent"
    places: int | None = None

    @property
    def disagreement(self) -> str | None:
        """One sentence when the RAG rating and SPC assurance point opposite ways (the latest
        value meets the target but the limits say it will be missed, or the reverse), saying
        why both hold; None when they agree or either is missing."""
        rating, assurance, spc = self.rag.rating, self.spc.assurance, self.spc
        if rating is None or assurance is None:
            return None
        met = rating is Rating.GREEN and assurance is Assurance.CONSISTENTLY_MISSED
        missed = rating is Rating.RED and assurance is Assurance.CONSISTENTLY_MET
        if not (met or missed):
            return None
        seg = spc.current_segment
        if seg is None:
            raise ValueError("an SPC result with an assurance judgement must have process limits")
        limits = (
            f"{format_value(seg.lower_limit, self.unit, self.places)} to "
            f"{format_value(seg.upper_limit, self.unit, self.places)}"
        )
        first = (
            f"The latest value meets the target ({rating.value}) but the process limits ({limits}) "
            "say it will be consistently missed"
            if met
            else f"The latest value misses the target ({rating.value}) but the process limits "
            f"({limits}) say it will be consistently met"
        )
        shift = spc.shift_start
        if shift is not None:
            return (
                f"{first}, because those limits span the shift that began in {shift.label}: record "
                "a process change there to calculate limits for the process as it is now."
            )
        return (
            f"{first}: this value is {'better' if met else 'worse'} than the process usually "
            "delivers, so treat it as one period, not yet a change."
        )

    @property
    def explanations(self) -> list[str]:
        """The explanations in the order a page shows them: target, trend, benchmarks, SPC."""
        return [
            self.rag.explanation,
            self.travel.previous_period.explanation,
            self.travel.same_period_last_year.explanation,
            *(b.explanation for b in self.benchmarks),
            self.spc.explanation,
        ]


def judge_measure(
    values: Sequence,
    labels: Sequence[Hashable],
    polarity: Polarity | str,
    target=None,
    tolerance=0,
    tolerance_kind: ToleranceKind | str = ToleranceKind.ABSOLUTE,
    periods_per_year: int | None = None,
    no_change_threshold=0,
    benchmarks: Sequence[Benchmark] = (),
    similar_within=0,
    change_points: Sequence = (),
    unit: str = "percent",
    places: int | None = None,
) -> MeasureJudgement:
    """Judge the latest value of a series (oldest first) against target, its own history,
    benchmarks and, with 15 or more points, statistical process control.

    ``periods_per_year`` (12 monthly, 4 quarterly, 1 yearly) finds the same period last year;
    without it that comparison says there is no value. ``target`` is the latest period's target
    and is also the target for SPC assurance.
    """
    if not values or len(values) != len(labels):
        raise ValueError("judge_measure needs one label per value and at least one value")
    n = len(values)
    year_ago = n - 1 - periods_per_year if periods_per_year else -1
    travel = judge_direction_of_travel(
        values[-1],
        polarity,
        previous=values[-2] if n >= 2 else None,
        same_period_last_year=values[year_ago] if year_ago >= 0 else None,
        previous_label=str(labels[-2]) if n >= 2 else None,
        last_year_label=str(labels[year_ago]) if year_ago >= 0 else None,
        threshold=no_change_threshold,
        unit=unit,
        places=places,
    )
    return MeasureJudgement(
        judge_against_target(values[-1], target, polarity, tolerance, tolerance_kind, unit, places),
        travel,
        tuple(
            judge_against_benchmarks(values[-1], benchmarks, polarity, similar_within, unit, places)
        ),
        xmr(values, polarity, labels, target, change_points, unit, places),
        unit,
        places,
    )


__all__ = [
    "MeasureJudgement",
    "judge_measure",
    "Assurance",
    "Benchmark",
    "BenchmarkJudgement",
    "BenchmarkKind",
    "Comparison",
    "Direction",
    "DirectionOfTravel",
    "Marker",
    "Polarity",
    "Published",
    "RagJudgement",
    "Rating",
    "SpcPoint",
    "SpcResult",
    "SpcRule",
    "SpcSegment",
    "SuppressedTable",
    "SuppressionReason",
    "ToleranceKind",
    "TrendJudgement",
    "Variation",
    "format_difference",
    "format_value",
    "judge_against_benchmark",
    "judge_against_benchmarks",
    "judge_against_target",
    "judge_direction_of_travel",
    "judge_trend",
    "publish_count",
    "publish_rate",
    "suppress_breakdown",
    "suppress_table",
    "tolerance_band",
    "xmr",
]
