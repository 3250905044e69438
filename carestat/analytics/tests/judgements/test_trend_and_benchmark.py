from decimal import Decimal

import pytest

from carestat.analytics.judgements.benchmark import (
    Benchmark,
    BenchmarkKind,
    Comparison,
    judge_against_benchmark,
    judge_against_benchmarks,
)
from carestat.analytics.judgements.trend import Direction, judge_direction_of_travel, judge_trend

D = Decimal

NATIONAL_REREFERRALS = Benchmark(
    BenchmarkKind.NATIONAL, D("22.6"), "DfE Children in need 2025", "2024-25"
)


# -- direction of travel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "current", "previous", "direction"),
    [
        ("higher_is_better", "72", "70", Direction.IMPROVING),
        ("higher_is_better", "68", "70", Direction.WORSENING),
        ("lower_is_better", "68", "70", Direction.IMPROVING),
        ("lower_is_better", "72", "70", Direction.WORSENING),
        ("neither", "72", "70", Direction.HIGHER),
        ("neither", "68", "70", Direction.LOWER),
        ("higher_is_better", "70", "70", Direction.NO_CHANGE),
    ],
)
def test_direction_follows_the_measures_polarity(polarity, current, previous, direction):
    assert judge_trend(D(current), D(previous), polarity).direction is direction


def test_a_change_exactly_at_the_threshold_is_no_meaningful_change():
    # threshold 0.5 points: a 0.5 change is within it (inclusive), 0.6 is not.
    assert judge_trend(D("70.5"), D(70), "higher_is_better", threshold=D("0.5")).direction is (
        Direction.NO_CHANGE
    )
    assert judge_trend(D("70.6"), D(70), "higher_is_better", threshold=D("0.5")).direction is (
        Direction.IMPROVING
    )


def test_direction_of_travel_compares_with_last_period_and_last_year_in_words():
    travel = judge_direction_of_travel(
        72,
        "higher_is_better",
        previous=70,
        same_period_last_year="72.2",
        previous_label="2025-26 Q1",
        last_year_label="2024-25 Q2",
        threshold="0.5",
    )
    # 72 - 70 = +2.0 points: beyond 0.5, and higher is better, so improving.
    assert travel.previous_period.change == D(2)
    assert travel.previous_period.explanation == (
        "72.0% is up 2.0 points from 70.0% in the previous period (2025-26 Q1), so improving. "
        "Higher is better."
    )
    # 72 - 72.2 = -0.2 points: within the 0.5 threshold, so no change.
    assert travel.same_period_last_year.direction is Direction.NO_CHANGE
    assert travel.same_period_last_year.explanation == (
        "72.0% is down 0.2 points from 72.2% in the same period last year (2024-25 Q2); "
        "within the 0.5-point no-meaningful-change threshold, so no change. Higher is better."
    )


def test_a_missing_comparison_value_gives_no_direction():
    travel = judge_direction_of_travel(72, "higher_is_better", previous=70)
    assert travel.same_period_last_year.direction is None
    assert travel.same_period_last_year.explanation == (
        "There is no value for the same period last year, so there is no direction of travel."
    )


def test_a_lower_is_better_fall_in_days_is_described_as_improving():
    judgement = judge_trend(18, 25, "lower_is_better", unit="days")
    assert judgement.explanation == (
        "18.0 days is down 7.0 days from 25.0 days in the previous period, so improving. "
        "Lower is better."
    )


# -- benchmarks ---------------------------------------------------------------------------


def test_re_referrals_above_national_are_worse_because_lower_is_better():
    judgement = judge_against_benchmark(D(25), NATIONAL_REREFERRALS, "lower_is_better")
    # 25.0 - 22.6 = 2.4 points higher.
    assert judgement.comparison is Comparison.WORSE
    assert judgement.difference == D("2.4")
    assert judgement.explanation == (
        "25.0% is worse than national (22.6%, DfE Children in need 2025, 2024-25): "
        "2.4 points higher. Lower is better."
    )


def test_re_referrals_below_national_are_better():
    judgement = judge_against_benchmark(D("20.1"), NATIONAL_REREFERRALS, "lower_is_better")
    assert judgement.comparison is Comparison.BETTER


def test_a_value_within_the_similarity_margin_is_similar_to_the_benchmark():
    # 23.6 - 22.6 = 1.0 point, exactly on a 1-point margin (inclusive), so similar.
    judgement = judge_against_benchmark(D("23.6"), NATIONAL_REREFERRALS, "lower_is_better", 1)
    assert judgement.comparison is Comparison.SIMILAR
    assert judgement.explanation == (
        "23.6% is similar to national (22.6%, DfE Children in need 2025, 2024-25): "
        "1.0 point higher, within 1.0 point. Lower is better."
    )
    # 23.7 is 1.1 points higher: beyond the margin, so worse.
    assert judge_against_benchmark(
        D("23.7"), NATIONAL_REREFERRALS, "lower_is_better", 1
    ).comparison is (Comparison.WORSE)


def test_neither_polarity_benchmarks_say_higher_or_lower_without_judging():
    judgement = judge_against_benchmark(D(30), NATIONAL_REREFERRALS, "neither")
    assert judgement.comparison is Comparison.HIGHER
    assert "30.0% is higher than national" in judgement.explanation


def test_each_benchmark_kind_is_judged_and_named():
    benchmarks = [
        NATIONAL_REREFERRALS,
        Benchmark("regional", D("21.0"), "DfE Children in need 2025", "2024-25", "North West"),
        Benchmark("comparator", D("25.5"), "LAIT", "2024-25"),
    ]
    judgements = judge_against_benchmarks(D("24.0"), benchmarks, "lower_is_better")
    assert [j.comparison for j in judgements] == [
        Comparison.WORSE,
        Comparison.WORSE,
        Comparison.BETTER,
    ]
    assert judgements[1].explanation.startswith("24.0% is worse than North West (21.0%")
    assert judgements[2].explanation.startswith("24.0% is better than comparator group (25.5%")


def test_a_rate_within_its_threshold_names_the_band_in_rate_words():
    words = judge_trend(D("552"), D("548.3"), "lower_is_better", threshold=D(5),
                        unit="rate per 100000").explanation
    assert "within the 5 per 100,000 no-meaningful-change" in words
    assert "552.0 per 100,000 is up 3.7 per 100,000 from 548.3 per 100,000" in words


def test_a_count_is_never_compared_with_a_national_count_only_shown_beside_it():
    england = Benchmark("national", D(123790), "NHS England, DoLS 2023-24", "2023-24", "England")
    judgement = judge_against_benchmark(D(0), england, "lower_is_better", unit="count")
    assert judgement.comparison is None and judgement.difference is None and not judgement.compared
    assert "better" not in judgement.explanation and "lower" not in judgement.explanation
    assert judgement.explanation.startswith("For context only: England 123,790 (NHS England, DoLS 2023-24")


def test_shares_and_rates_compare_with_benchmarks_and_counts_and_days_do_not():
    from carestat.analytics.judgements.rag import compares_with_benchmarks

    assert [compares_with_benchmarks(u) for u in
            ("percent", "rate per 100000", "rate_per_100000", "cases per FTE", "cases_per_fte")] == [True] * 5
    assert [compares_with_benchmarks(u) for u in ("count", "days", "people")] == [False] * 3
