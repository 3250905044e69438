"""Direction of travel: against the previous period and the same period last year.

A change no bigger than the "no meaningful change" threshold (inclusive, absolute, in the
measure's units: percentage points for a percentage) is "no change"; with the default
threshold of 0 only an identical value is "no change". Bigger changes are improving or
worsening by the measure's polarity; for a measure where neither direction is better the
direction is reported as higher or lower without a judgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .rag import (
    Number,
    Polarity,
    format_difference,
    format_value,
    plain_number,
    to_decimal,
    unit_words,
)


class Direction(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no_change"
    HIGHER = "higher"  # neither polarity: moved up, no judgement
    LOWER = "lower"  # neither polarity: moved down, no judgement


@dataclass(frozen=True)
class TrendJudgement:
    direction: Direction | None  # None when there is nothing to compare with
    current: Decimal | None
    comparison: Decimal | None
    change: Decimal | None  # current - comparison, signed
    compared_with: str  # "the previous period (2025-26 Q1)"
    explanation: str


@dataclass(frozen=True)
class DirectionOfTravel:
    previous_period: TrendJudgement
    same_period_last_year: TrendJudgement


def _threshold_words(threshold: Decimal, unit: str) -> str:
    word = unit_words(unit)[1]
    if word == "points":
        return f"{plain_number(threshold)}-point"
    if word.startswith("per "):  # a rate: "the 5 per 100,000 no-meaningful-change band"
        return f"{plain_number(threshold)} {word}"
    if word:
        return f"{plain_number(threshold)}-{word.rstrip('s')}"
    return plain_number(threshold)


def judge_trend(
    current: Number | None,
    comparison: Number | None,
    polarity: Polarity | str,
    compared_with: str = "the previous period",
    threshold: Number = 0,
    unit: str = "percent",
    places: int | None = None,
) -> TrendJudgement:
    """Compare ``current`` with one earlier value and say whether that is better or worse."""
    polarity = Polarity(polarity)
    cur, cmp_ = to_decimal(current), to_decimal(comparison)
    thr = to_decimal(threshold)
    if thr < 0:
        raise ValueError(f"the no-meaningful-change threshold must not be negative (got {thr})")
    if cur is None or cmp_ is None:
        missing = "this period" if cur is None else compared_with
        return TrendJudgement(
            None,
            cur,
            cmp_,
            None,
            compared_with,
            f"There is no value for {missing}, so there is no direction of travel.",
        )
    change = cur - cmp_
    fc, fp = format_value(cur, unit, places), format_value(cmp_, unit, places)
    if change == 0:
        moved = f"{fc} is unchanged from {fp} in {compared_with}"
    else:
        updown = "up" if change > 0 else "down"
        gap = format_difference(change, unit, places)
        moved = f"{fc} is {updown} {gap} from {fp} in {compared_with}"

    if abs(change) <= thr:
        direction = Direction.NO_CHANGE
        if change == 0:
            words = f"{moved}, so no change."
        else:
            words = (
                f"{moved}; within the {_threshold_words(thr, unit)} no-meaningful-change "
                "threshold, so no change."
            )
    elif polarity is Polarity.NEITHER:
        direction = Direction.HIGHER if change > 0 else Direction.LOWER
        words = f"{moved}, so {direction.value}."
    else:
        better = (change > 0) == (polarity is Polarity.HIGHER_IS_BETTER)
        direction = Direction.IMPROVING if better else Direction.WORSENING
        words = f"{moved}, so {direction.value}."
    return TrendJudgement(
        direction, cur, cmp_, change, compared_with, f"{words} {polarity.sentence}"
    )


def judge_direction_of_travel(
    current: Number | None,
    polarity: Polarity | str,
    previous: Number | None = None,
    same_period_last_year: Number | None = None,
    previous_label: str | None = None,
    last_year_label: str | None = None,
    threshold: Number = 0,
    unit: str = "percent",
    places: int | None = None,
) -> DirectionOfTravel:
    """Both comparisons a committee asks for: since last period, and since this time last year."""
    prev_words = "the previous period" + (f" ({previous_label})" if previous_label else "")
    year_words = "the same period last year" + (f" ({last_year_label})" if last_year_label else "")
    return DirectionOfTravel(
        judge_trend(current, previous, polarity, prev_words, threshold, unit, places),
        judge_trend(current, same_period_last_year, polarity, year_words, threshold, unit, places),
    )
