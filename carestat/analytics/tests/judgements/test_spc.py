"""XmR rules against hand-worked series.

Each series is built so that exactly one rule is in question; the comments show the mean,
MR-bar, limits and 2-sigma lines worked by hand. Indices are 0-based.
"""

import datetime as dt
from decimal import Decimal

import pytest

from carestat.analytics.judgements.spc import Assurance, SpcRule, Variation, xmr

D = Decimal


def marked(result, rule):
    return [p.index for p in result.points if rule in p.rules]


def signals(result):
    return [p.index for p in result.points if p.rules]


def q(value, places=4):
    return value.quantize(D(1).scaleb(-places))


# Series C: mean exactly 10, MR-bar exactly 3.5.
#   values 6,12,6,12,6,12,6 | 11,12,11,12,10,11,12,11     (15 points, sum 60 + 80 + 10 = 150)
#   moving ranges: six of 6 = 36; |11-6| = 5; then 1,1,1,2,1,1,1 = 8; total 49 over 14 -> 3.5
#   limits 10 +/- 2.66 x 3.5 = 10 +/- 9.31 -> 0.69 to 19.31
#   sigma = 3.5 / 1.128 = 3.1028...; 2 sigma lines 3.7943... and 16.2056...
SERIES_C = [6, 12, 6, 12, 6, 12, 6, 11, 12, 11, 12, 10, 11, 12, 11]


def test_mean_moving_ranges_and_limits_are_calculated_as_in_making_data_count():
    result = xmr(SERIES_C, "higher_is_better")
    seg = result.segments[0]
    assert seg.mean == D(10)
    assert seg.mr_bar == D("3.5")
    assert seg.upper_limit == D("19.31")
    assert seg.lower_limit == D("0.69")
    assert q(seg.sigma) == D("3.1028")
    assert tuple(q(v) for v in seg.two_sigma) == (D("3.7943"), D("16.2057"))
    assert tuple(q(v) for v in seg.one_sigma) == (D("6.8972"), D("13.1028"))
    assert result.points[0].moving_range is None
    assert result.points[7].moving_range == D(5)


# -- rule (b): a run of 7 or more on one side of the mean -----------------------------------


def test_seven_points_above_the_mean_are_a_shift():
    # 12,7,12,7,12,7,12,7 | 11,12,11,12,11,12,11: sum 76 + 80 = 156, mean 10.4.
    # The first 8 alternate either side of 10.4; the last 7 (indices 8-14) are all above.
    # MRs: seven of 5 = 35, |11-7| = 4, six of 1 = 6: 45/14 = 3.2143; limits 1.85 to 18.95,
    # 2 sigma lines 4.70 and 16.10: nothing outside them, and no six rising or falling.
    result = xmr([12, 7, 12, 7, 12, 7, 12, 7, 11, 12, 11, 12, 11, 12, 11], "higher_is_better")
    assert result.segments[0].mean == D("10.4")
    assert marked(result, SpcRule.SHIFT) == list(range(8, 15))
    assert signals(result) == list(range(8, 15))


def test_six_points_above_the_mean_are_not_a_shift():
    # 7,12,7,12,7,12,7,12,7 | 11,12,11,12,11,12: sum 83 + 69 = 152, mean 10.1333.
    # Only the last 6 are in a run above the mean: one short of 7.
    # MRs: eight of 5 = 40, |11-7| = 4, five of 1 = 5: 49/14 = 3.5; limits 0.82 to 19.44;
    # 2 sigma lines 3.93 and 16.34.
    result = xmr([7, 12, 7, 12, 7, 12, 7, 12, 7, 11, 12, 11, 12, 11, 12], "higher_is_better")
    assert signals(result) == []
    assert result.variation is Variation.COMMON_CAUSE


def test_a_point_exactly_on_the_mean_breaks_a_run():
    # Series C: indices 7-10 (11,12,11,12) are above the mean of 10, index 11 is exactly 10,
    # and 12-14 (11,12,11) are above again. Seven points above, but the point on the mean
    # breaks them into runs of 4 and 3, so there is no shift.
    result = xmr(SERIES_C, "higher_is_better")
    assert result.points[11].value == result.segments[0].mean
    assert marked(result, SpcRule.SHIFT) == []


def test_the_same_run_without_the_point_on_the_mean_is_a_shift():
    # Series C with index 11 raised from 10 to 11: sum 151, mean 10.0667; indices 7-14
    # (8 points, all 11 or 12) are now one run above the mean.
    series = SERIES_C.copy()
    series[11] = 11
    assert marked(xmr(series, "higher_is_better"), SpcRule.SHIFT) == list(range(7, 15))


# -- rule (c): 6 or more consecutively rising or falling ------------------------------------


def test_six_rising_points_are_a_trend():
    # 10,12,10,12,10,12,10,12,10 | 8,9,10,11,12,13: indices 9-14 rise 5 times (6 points).
    # Sum 98 + 63 = 161, mean 10.7333; MRs: eight of 2 = 16, |8-10| = 2, five of 1 = 5:
    # 23/14 = 1.6429; limits 6.36 to 15.10; 2 sigma lines 7.82 and 13.65, so 8 and 13 are
    # inside them. Runs either side of the mean are at most 4 long.
    result = xmr([10, 12, 10, 12, 10, 12, 10, 12, 10, 8, 9, 10, 11, 12, 13], "higher_is_better")
    assert marked(result, SpcRule.TREND) == list(range(9, 15))
    assert signals(result) == list(range(9, 15))
    assert result.variation is Variation.IMPROVING_HIGH


def test_five_rising_points_are_not_a_trend():
    # 10,12 x5 | 8,9,10,11,12: only 5 rising points (indices 10-14).
    # Sum 110 + 50 = 160, mean 10.6667; MRs: nine of 2 = 18, |8-12| = 4, four of 1 = 4:
    # 26/14 = 1.8571; limits 5.73 to 15.61; 2 sigma lines 7.37 and 13.96.
    result = xmr([10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 8, 9, 10, 11, 12], "higher_is_better")
    assert signals(result) == []


def test_six_falling_points_are_a_trend_that_is_concerning_when_higher_is_better():
    # The mirror image of the rising series (24 minus each value): 14,12,...,14 | 16,15,...,11.
    series = [24 - v for v in [10, 12, 10, 12, 10, 12, 10, 12, 10, 8, 9, 10, 11, 12, 13]]
    result = xmr(series, "higher_is_better")
    assert marked(result, SpcRule.TREND) == list(range(9, 15))
    assert result.variation is Variation.CONCERNING_LOW


def test_an_equal_value_breaks_a_trend():
    # 10,12 x4 | 8,9,10,10,11,12,13: six values climb from 8 to 13 but 10 repeats, leaving
    # rises of 3 points (8,9,10) and 4 points (10,11,12,13).
    # Sum 88 + 73 = 161, mean 10.7333; MRs 14 + 4 + 5 = 23: 1.6429 (as above), so 8 and 13
    # are inside the 2 sigma lines of 7.82 and 13.65; runs below the mean are 4 long.
    result = xmr([10, 12, 10, 12, 10, 12, 10, 12, 8, 9, 10, 10, 11, 12, 13], "higher_is_better")
    assert signals(result) == []


# -- rule (a): a point outside the process limits -------------------------------------------

BASE_18 = [10, 12] * 9  # sum 198, seventeen moving ranges of 2 = 34


def test_a_point_above_the_upper_limit_is_special_cause():
    # BASE_18 + 20: mean 218/19 = 11.4737; MRs 34 + |20-12| = 42 over 18 = 2.3333;
    # upper limit 11.4737 + 6.2067 = 17.6804 < 20.
    result = xmr(BASE_18 + [20], "lower_is_better")
    assert q(result.segments[0].upper_limit) == D("17.6804")
    assert marked(result, SpcRule.OUTSIDE_LIMITS) == [18]
    assert signals(result) == [18]
    assert result.variation is Variation.CONCERNING_HIGH


def test_a_point_just_inside_the_upper_limit_is_not_outside():
    # BASE_18 + 17: mean 215/19 = 11.3158; MRs 34 + 5 = 39 over 18 = 2.1667;
    # upper limit 11.3158 + 5.7633 = 17.0791 > 17. The 2 sigma line is 15.1574, so 17 is beyond
    # it, but alone (the two points before it are 10 and 12), so rule (d) does not fire either.
    result = xmr(BASE_18 + [17], "lower_is_better")
    assert q(result.segments[0].upper_limit) == D("17.0791")
    assert signals(result) == []
    assert result.variation is Variation.COMMON_CAUSE


# -- rule (d): two of three beyond 2 sigma on the same side ---------------------------------


def test_two_of_three_beyond_two_sigma_on_the_same_side_are_special_cause():
    # BASE_18 + 16, 13, 16: mean 243/21 = 11.5714; MRs 34 + 4 + 3 + 3 = 44 over 20 = 2.2;
    # sigma 1.9504, upper 2 sigma line 15.4721: both 16s are beyond it, 13 is not;
    # upper limit 17.4234, so neither 16 is outside the limits.
    result = xmr(BASE_18 + [16, 13, 16], "higher_is_better")
    assert q(result.segments[0].two_sigma[1]) == D("15.4721")
    assert marked(result, SpcRule.TWO_OF_THREE) == [18, 20]
    assert signals(result) == [18, 20]  # the 13 between them is not marked
    assert result.variation is Variation.IMPROVING_HIGH


def test_two_of_three_beyond_two_sigma_on_opposite_sides_are_not_special_cause():
    # BASE_18 + 16, 11, 6: mean 231/21 = 11 exactly; MRs 34 + 4 + 5 + 5 = 48 over 20 = 2.4;
    # sigma 2.1277, 2 sigma lines 6.7447 and 15.2553: 16 is beyond the upper and 6 beyond the
    # lower, but on opposite sides. Limits 4.616 to 17.384 hold both.
    result = xmr(BASE_18 + [16, 11, 6], "higher_is_better")
    assert result.segments[0].mean == D(11)
    assert q(result.segments[0].two_sigma[0]) == D("6.7447")
    assert signals(result) == []


# -- too few points ------------------------------------------------------------------------


def test_fewer_than_fifteen_points_fall_back_to_target_and_trend():
    result = xmr(SERIES_C[:14], "higher_is_better", target=12)
    assert not result.enough_data
    assert result.explanation == (
        "Not enough data points for SPC (14 of 15); judged on target and trend instead."
    )
    assert result.variation is None and result.assurance is None
    assert result.variation_icon is None and result.assurance_icon is None
    assert result.segments == ()
    assert len(result.points) == 14


def test_fifteen_points_are_enough():
    assert xmr(SERIES_C, "higher_is_better").enough_data


# -- recalculating limits after a process change --------------------------------------------

BEFORE = [10, 12] * 7 + [10]  # 15 points, sum 164, mean 10.9333, MR-bar 2
AFTER = [20, 22] * 7 + [20]  # 15 points, sum 314, mean 20.9333, MR-bar 2


def test_without_a_change_point_a_step_change_shows_as_shifts():
    result = xmr(BEFORE + AFTER, "higher_is_better")
    # one mean of 478/30 = 15.9333: all 15 before are below it, all 15 after above.
    assert marked(result, SpcRule.SHIFT) == list(range(30))


def test_limits_are_recalculated_from_a_change_point_and_rules_run_per_segment():
    result = xmr(BEFORE + AFTER, "higher_is_better", change_points=[15])
    first, second = result.segments
    assert (first.start, first.end, second.start, second.end) == (0, 14, 15, 29)
    assert q(first.mean) == D("10.9333") and first.mr_bar == D(2)
    # the jump of 10 between index 14 and 15 is not a moving range of either segment
    assert q(second.mean) == D("20.9333") and second.mr_bar == D(2)
    assert result.points[15].moving_range is None
    assert second.upper_limit == second.mean + D("5.32")
    assert signals(result) == []
    assert result.variation is Variation.COMMON_CAUSE
    assert "(recalculated from 15)" in result.explanation


def test_a_change_point_can_be_given_as_a_period_label_or_a_date():
    # monthly periods labelled by their first day: January 2023 (index 0) to June 2025 (29)
    labels = [dt.date(2023 + (m // 12), m % 12 + 1, 1) for m in range(30)]
    assert labels[14] == dt.date(2024, 3, 1) and labels[15] == dt.date(2024, 4, 1)
    # a process change on 15 March 2024 takes effect from the first period on or after it,
    # April 2024 (index 15), not March (which started before the change)
    by_date = xmr(
        BEFORE + AFTER, "higher_is_better", labels=labels, change_points=[dt.date(2024, 3, 15)]
    )
    assert by_date.segments[1].start == 15
    assert "(recalculated from 2024-04-01)" in by_date.explanation
    by_label = xmr(
        BEFORE + AFTER,
        "higher_is_better",
        labels=[str(d) for d in labels],
        change_points=["2024-04-01"],
    )
    assert by_label.segments[1].start == 15


def test_a_change_point_leaving_too_few_points_is_refused_with_a_reason():
    with pytest.raises(
        ValueError, match="leaves a segment of 10 points; SPC limits need at least 15"
    ):
        xmr(BEFORE + AFTER, "higher_is_better", change_points=[20])


# -- variation summaries by polarity ---------------------------------------------------------

SHIFT_UP = [12, 7, 12, 7, 12, 7, 12, 7, 11, 12, 11, 12, 11, 12, 11]  # shift above, indices 8-14
SHIFT_DOWN = [20 - v for v in SHIFT_UP]  # the mirror image: shift below the mean


@pytest.mark.parametrize(
    ("series", "polarity", "variation", "icon"),
    [
        (SHIFT_UP, "higher_is_better", Variation.IMPROVING_HIGH, "variation-improving-high"),
        (SHIFT_UP, "lower_is_better", Variation.CONCERNING_HIGH, "variation-concerning-high"),
        (SHIFT_UP, "neither", Variation.NEITHER_HIGH, "variation-neither-high"),
        (SHIFT_DOWN, "higher_is_better", Variation.CONCERNING_LOW, "variation-concerning-low"),
        (SHIFT_DOWN, "lower_is_better", Variation.IMPROVING_LOW, "variation-improving-low"),
        (SHIFT_DOWN, "neither", Variation.NEITHER_LOW, "variation-neither-low"),
        (SERIES_C, "higher_is_better", Variation.COMMON_CAUSE, "variation-common-cause"),
    ],
)
def test_variation_summary_follows_the_latest_point_and_the_polarity(
    series, polarity, variation, icon
):
    result = xmr(series, polarity)
    assert result.variation is variation
    assert result.variation_icon == icon


def test_every_point_of_a_signal_carries_the_variation_of_the_signal():
    result = xmr(SHIFT_UP, "lower_is_better")
    kinds = [p.variation.kind for p in result.points]
    assert kinds == ["common_cause"] * 8 + ["concerning"] * 7


def test_a_special_cause_explanation_names_the_rule():
    result = xmr(SHIFT_UP, "higher_is_better", labels=[f"P{i}" for i in range(15)])
    assert result.explanation.startswith(
        "Special cause improving variation (higher): the latest point (P14) is special cause "
        "(a run of 7 or more points on one side of the mean)."
    )


# -- assurance against a target --------------------------------------------------------------
# Series C: limits 0.69 to 19.31.


@pytest.mark.parametrize(
    ("polarity", "target", "assurance", "icon"),
    [
        ("higher_is_better", "0.5", Assurance.CONSISTENTLY_MET, "assurance-pass"),
        ("higher_is_better", "20", Assurance.CONSISTENTLY_MISSED, "assurance-fail"),
        ("higher_is_better", "10", Assurance.HIT_AND_MISS, "assurance-hit-miss"),
        ("higher_is_better", "19.31", Assurance.HIT_AND_MISS, "assurance-hit-miss"),  # on the limit
        ("lower_is_better", "20", Assurance.CONSISTENTLY_MET, "assurance-pass"),
        ("lower_is_better", "0.5", Assurance.CONSISTENTLY_MISSED, "assurance-fail"),
        ("lower_is_better", "0.69", Assurance.HIT_AND_MISS, "assurance-hit-miss"),  # on the limit
        ("neither", "20", Assurance.CONSISTENTLY_MISSED, "assurance-fail"),
        ("neither", "0.5", Assurance.CONSISTENTLY_MISSED, "assurance-fail"),
        ("neither", "10", Assurance.HIT_AND_MISS, "assurance-hit-miss"),
    ],
)
def test_assurance_compares_the_target_with_the_process_limits(polarity, target, assurance, icon):
    result = xmr(SERIES_C, polarity, target=D(target))
    assert result.assurance is assurance
    assert result.assurance_icon == icon


def test_no_target_means_no_assurance():
    result = xmr(SERIES_C, "higher_is_better")
    assert result.assurance is None
    assert "No target is set, so there is no assurance judgement." in result.explanation


def test_assurance_explanation_gives_the_target_and_limits():
    result = xmr(SERIES_C, "higher_is_better", target=20)
    assert result.explanation.endswith(
        "Mean 10.0%, process limits 0.7% to 19.3%. The target of 20.0% is outside the process "
        "limits on the bad side, so it will be consistently missed unless the process changes."
    )


def test_assurance_uses_the_limits_of_the_latest_segment():
    # Before the change the limits are 5.61 to 16.25 and after it 15.61 to 26.25: a target of
    # 15 is within the old limits but below the new lower limit, so consistently met.
    result = xmr(BEFORE + AFTER, "higher_is_better", target=15, change_points=[15])
    assert result.assurance is Assurance.CONSISTENTLY_MET


def test_a_gap_in_the_series_is_refused():
    with pytest.raises(ValueError, match="needs a value for every period"):
        xmr(SERIES_C[:14] + [None], "higher_is_better")


def test_a_flat_series_has_zero_width_limits_and_no_signals():
    # every value 50: mean 50, every moving range 0, so the limits collapse onto the mean;
    # no point is strictly outside them or strictly either side of the mean.
    result = xmr([50] * 15, "higher_is_better", target=60)
    seg = result.segments[0]
    assert (seg.mean, seg.mr_bar, seg.lower_limit, seg.upper_limit) == (50, 0, 50, 50)
    assert signals(result) == []
    assert result.assurance is Assurance.CONSISTENTLY_MISSED


def test_too_few_points_before_a_change_point_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="Only 10 points come before the process change at 10"):
        xmr(BEFORE + AFTER, "higher_is_better", change_points=[10])


def test_an_unknown_change_label_is_refused():
    with pytest.raises(ValueError, match="'2030-01' is not one of the period labels"):
        xmr(SERIES_C, "higher_is_better", labels=LABELS_15, change_points=["2030-01"])


LABELS_15 = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02", "2025-03"]


# A step: 20 points near 60 then 18 near 78 (the demo's OT-28DAYS); both halves are shifts
# about the overall mean, and only the second starts after the first point.
# Over all 38 the mean is 68.5 and the limits 63.3 to 73.8, below the target of 75; from the
# step on, the mean is 78 and the limits 73.8 to 82.2, around it.
STEP = [60 + d for d in (-1, 1, 0, -1, 1) * 4] + [78 + d for d in ((-1, 1, 0, -1, 1) * 4)[:18]]


def test_a_shift_after_a_step_names_the_first_point_of_the_new_level():
    result = xmr(STEP, "higher_is_better", labels=[f"m{i}" for i in range(len(STEP))], target=75)
    assert result.shift_start is not None and result.shift_start.index == 20
    assert result.assurance is Assurance.CONSISTENTLY_MISSED  # limits span both levels
    # with a change there the current limits describe the new level alone
    after = xmr(STEP, "higher_is_better", target=75, change_points=[20])
    assert after.shift_start is None and after.assurance is Assurance.HIT_AND_MISS


def test_rag_and_assurance_that_disagree_are_explained_in_one_sentence():
    from carestat.analytics.judgements import judge_measure

    labels = [f"m{i}" for i in range(len(STEP))]
    j = judge_measure(STEP, labels, "higher_is_better", target=75, tolerance=5)
    assert j.rag.rating.value == "green" and j.spc.assurance is Assurance.CONSISTENTLY_MISSED
    sentence = j.disagreement
    assert sentence.count(". ") == 0 and sentence.endswith(".")
    assert sentence.startswith("The latest value meets the target (green) but the process limits (")
    assert "the shift that began in m20: record a process change there" in sentence
    assert judge_measure(STEP, labels, "higher_is_better", target=75, tolerance=5,
                         change_points=[20]).disagreement is None
