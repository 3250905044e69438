from decimal import Decimal

import pytest

from carestat.analytics.judgements.rag import (
    Polarity,
    Rating,
    ToleranceKind,
    format_difference,
    format_value,
    judge_against_target,
    tolerance_band,
)

D = Decimal
G, A, R = Rating.GREEN, Rating.AMBER, Rating.RED


# Higher is better, target 75, tolerance 5 points: green from 75 up, amber from 70 to 74.9...,
# red below 70. Each edge is tested exactly and 0.1 either side.
@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("75.1", G),  # above the target
        ("75", G),  # exactly on the target: met
        ("74.9", A),  # just below the target
        ("70.1", A),  # just inside the tolerance
        ("70", A),  # exactly on the tolerance edge: amber
        ("69.9", R),  # just outside the tolerance
    ],
)
def test_higher_is_better_is_rated_at_and_around_the_target_and_the_tolerance_edge(value, rating):
    assert judge_against_target(D(value), D(75), Polarity.HIGHER_IS_BETTER, D(5)).rating is rating


# Lower is better, target 20, tolerance 2: green up to 20, amber above 20 up to 22, red above 22.
@pytest.mark.parametrize(
    ("value", "rating"),
    [("19.9", G), ("20", G), ("20.1", A), ("21.9", A), ("22", A), ("22.1", R)],
)
def test_lower_is_better_is_rated_at_and_around_the_target_and_the_tolerance_edge(value, rating):
    assert judge_against_target(D(value), D(20), "lower_is_better", D(2)).rating is rating


# Neither, target 50, tolerance 3: green only on 50; amber within 3 either side
# (47 to 53 inclusive); red further away, on both sides.
@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("50", G),
        ("50.1", A),
        ("49.9", A),
        ("52.9", A),
        ("53", A),
        ("53.1", R),
        ("47.1", A),
        ("47", A),
        ("46.9", R),
    ],
)
def test_neither_polarity_is_rated_by_distance_from_target_either_side(value, rating):
    assert judge_against_target(D(value), D(50), Polarity.NEITHER, D(3)).rating is rating


def test_percent_of_target_tolerance_is_a_share_of_the_target():
    # 5% of a target of 80 is a band of 4 points: 76 is on the amber edge, 75.9 is red.
    assert tolerance_band(D(80), D(5), ToleranceKind.PERCENT_OF_TARGET) == D(4)

    def judge(value):
        return judge_against_target(
            D(value), D(80), "higher_is_better", 5, ToleranceKind.PERCENT_OF_TARGET
        ).rating

    assert judge("76") is A
    assert judge("75.9") is R


def test_floats_are_compared_as_decimals_so_an_exact_edge_stays_amber():
    # In binary floating point 1.1 - 1.0 is 0.10000000000000009, which is more than 0.1 and
    # would wrongly be red; as decimals the gap is exactly 0.1, on the edge, so amber.
    assert 1.1 - 1.0 > 0.1
    assert judge_against_target(1.1, 1.0, "lower_is_better", 0.1).rating is A


def test_zero_tolerance_makes_anything_short_of_target_red():
    judgement = judge_against_target(D("74.9"), D(75), "higher_is_better")
    assert judgement.rating is R
    assert judgement.explanation == (
        "74.9% is 0.1 points below the target of 75.0%, with no tolerance, so red. "
        "Higher is better."
    )


def test_amber_explanation_states_the_gap_the_tolerance_and_the_polarity():
    judgement = judge_against_target(D("72.0"), D("75.0"), "higher_is_better", D(5))
    assert judgement.rating is A
    assert judgement.difference == D("-3.0")
    assert judgement.explanation == (
        "72.0% is 3.0 points below the target of 75.0%; within the 5-point tolerance, "
        "so amber. Higher is better."
    )


def test_green_explanation_says_the_target_is_met():
    # The London borough's frontline permanent staff: 82% against a 70% target.
    judgement = judge_against_target(82, 70, "higher_is_better", 5)
    assert judgement.explanation == (
        "82.0% is 12.0 points above the target of 70.0%, so the target is met: green. "
        "Higher is better."
    )


def test_red_explanation_for_a_lower_is_better_measure_in_days():
    # 30 days against a 25-day target with 2 days' tolerance: 5 days over, beyond 2, so red.
    judgement = judge_against_target(30, 25, "lower_is_better", 2, unit="days")
    assert judgement.rating is R
    assert judgement.explanation == (
        "30.0 days is 5.0 days above the target of 25.0 days; outside the 2-day tolerance, "
        "so red. Lower is better."
    )


def test_percent_of_target_explanation_shows_the_band_in_points():
    # 5% of 75 is 3.75 points; 72 is 3 points short, inside it.
    judgement = judge_against_target(72, 75, "higher_is_better", 5, "percent_of_target")
    assert judgement.band == D("3.75")
    assert "within the 5% tolerance (3.75 points), so amber" in judgement.explanation


def test_neither_explanation_says_distance_counts_either_side():
    judgement = judge_against_target(48, 50, "neither", 3)
    assert judgement.explanation == (
        "48.0% is 2.0 points below the target of 50.0%; within the 3-point tolerance, so amber. "
        "Neither higher nor lower is better. The distance from the target counts either side."
    )


def test_a_missing_target_gives_no_rating_and_says_so():
    judgement = judge_against_target(72, None, "higher_is_better", 5)
    assert judgement.rating is None
    assert judgement.label == "No target"
    assert judgement.explanation == "No target is set, so there is no RAG rating."


def test_a_missing_value_gives_no_rating_and_says_so():
    judgement = judge_against_target(None, 75, "higher_is_better", 5)
    assert judgement.rating is None
    assert judgement.label == "No value"
    assert "no value for this period" in judgement.explanation


def test_a_negative_tolerance_is_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        judge_against_target(72, 75, "higher_is_better", -1)


def test_a_gap_too_small_for_one_decimal_place_is_shown_with_more_places():
    # 75.04 is 0.04 above 75; at one decimal place that would read "0.0 points above".
    assert format_difference(D("0.04"), "percent") == "0.04 points"
    assert judge_against_target(D("75.04"), 75, "higher_is_better").explanation.startswith(
        "75.0% is 0.04 points above the target of 75.0%"
    )


def test_counts_are_formatted_without_decimals_and_with_thousands_separators():
    assert format_value(1204, "count") == "1,204"
    assert format_value(D("18.25"), "cases per FTE") == "18.3 cases per FTE"


def test_rates_read_per_10000_or_per_100000():
    assert format_value(D("13.3184"), "rate per 100000") == "13.3 per 100,000"
    assert format_value(D("591.30"), "rate_per_100000") == "591.3 per 100,000"
    assert format_value(D("42.04"), "rate per 10000") == "42.0 per 10,000"
    assert format_difference(D("1.25"), "rate per 100000") == "1.3 per 100,000"
