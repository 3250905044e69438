from decimal import Decimal

from carestat.analytics.judgements import (
    Benchmark,
    Comparison,
    Direction,
    Rating,
    Variation,
    judge_measure,
)

D = Decimal
NATIONAL = Benchmark("national", D(70), "DfE social work workforce 2025", "2024-25")

# Two years of monthly values: 12 alternating 80/84 then 12 alternating 81/85.
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
VALUES = [80, 84] * 6 + [81, 85] * 6


def test_a_measure_is_judged_on_target_trend_benchmark_and_spc_together():
    judgement = judge_measure(
        VALUES,
        MONTHS,
        "higher_is_better",
        target=70,
        tolerance=5,
        periods_per_year=12,
        benchmarks=[NATIONAL],
    )
    # latest 85 against a 70 target: met
    assert judgement.rag.rating is Rating.GREEN
    # previous month (2025-11) was 81: up 4, improving
    assert judgement.travel.previous_period.direction is Direction.IMPROVING
    assert judgement.travel.previous_period.compared_with == "the previous period (2025-11)"
    # same month last year (index 23 - 12 = 11, 2024-12) was 84: up 1, improving
    assert judgement.travel.same_period_last_year.comparison == D(84)
    assert judgement.travel.same_period_last_year.compared_with == (
        "the same period last year (2024-12)"
    )
    assert judgement.benchmarks[0].comparison is Comparison.BETTER
    # 24 points: mean (82 x 12 + 83 x 12) / 24 = 82.5; MR-bar: 22 ranges of 4 and one of
    # |81 - 84| = 3, 91/23 = 3.9565; lower limit 82.5 - 10.5243 = 71.98 > target 70, so met.
    assert judgement.spc.enough_data
    assert judgement.spc.segments[0].mean == D("82.5")
    assert judgement.spc.assurance_icon == "assurance-pass"
    assert judgement.spc.variation is Variation.COMMON_CAUSE
    assert len(judgement.explanations) == 5


def test_with_under_fifteen_points_the_measure_is_judged_on_target_and_trend_only():
    judgement = judge_measure(VALUES[:6], MONTHS[:6], "higher_is_better", target=82, tolerance=1)
    # latest 84 against 82: met; previous 80: improving; no value a year ago
    assert judgement.rag.rating is Rating.GREEN
    assert judgement.travel.previous_period.direction is Direction.IMPROVING
    assert judgement.travel.same_period_last_year.direction is None
    assert judgement.spc.variation is None
    assert judgement.explanations[-1] == (
        "Not enough data points for SPC (6 of 15); judged on target and trend instead."
    )
