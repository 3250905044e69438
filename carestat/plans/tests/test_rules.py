import datetime as dt

import pytest

from carestat.plans.rules import (
    Judgement,
    Rag,
    RuleSettings,
    Status,
    judge_milestone,
    milestone_status,
    rag_for,
    roll_up,
    slippage_days,
    worst_rag,
    worst_status,
)

TODAY = dt.date(2026, 11, 23)
D = dt.timedelta


def status(baseline, forecast=None, actual=None, **kw):
    return milestone_status(baseline=baseline, forecast=forecast, actual=actual, today=TODAY, **kw)


def test_a_milestone_with_an_actual_date_on_or_before_today_is_complete():
    assert status(TODAY - D(40), actual=TODAY) is Status.COMPLETE


def test_an_actual_date_after_today_does_not_count_as_complete_yet():
    assert status(TODAY + D(40), actual=TODAY + D(1)) is Status.ON_TRACK


def test_a_milestone_due_yesterday_and_not_done_is_overdue_but_due_today_is_not():
    assert status(TODAY - D(1)) is Status.OVERDUE
    assert status(TODAY, percent=80) is Status.ON_TRACK


def test_the_forecast_not_the_baseline_decides_whether_it_is_overdue():
    assert status(TODAY - D(10), forecast=TODAY + D(100), percent=80) is Status.AT_RISK


def test_slipping_exactly_the_tolerance_is_on_track_and_one_day_more_is_at_risk():
    base = TODAY + D(100)
    assert status(base, forecast=base + D(14)) is Status.ON_TRACK
    assert status(base, forecast=base + D(15)) is Status.AT_RISK


def test_due_soon_with_little_progress_is_at_risk_at_the_edges():
    assert status(TODAY + D(14), percent=74) is Status.AT_RISK
    assert status(TODAY + D(14), percent=75) is Status.ON_TRACK
    assert status(TODAY + D(15), percent=0) is Status.ON_TRACK


def test_a_milestone_of_an_action_not_yet_started_is_not_started_unless_overdue():
    assert status(TODAY + D(60), started=False) is Status.NOT_STARTED
    assert status(TODAY - D(1), started=False) is Status.OVERDUE


def test_an_organisation_can_change_the_slip_tolerance():
    base = TODAY + D(100)
    assert status(base, forecast=base + D(5), rules=RuleSettings(at_risk_slip_days=4)) is Status.AT_RISK


@pytest.mark.parametrize("s,rag", [(Status.COMPLETE, Rag.BLUE), (Status.NOT_STARTED, Rag.GREY),
                                   (Status.AT_RISK, Rag.AMBER), (Status.ON_TRACK, Rag.GREEN),
                                   (Status.OVERDUE, Rag.RED)])
def test_each_status_has_its_default_rag(s, rag):
    assert rag_for(s, percent=99) is rag


def test_a_committee_that_counts_overdue_and_under_half_done_as_red_sees_amber_at_half():
    fifty = RuleSettings(overdue_red_below_percent=50)
    assert rag_for(Status.OVERDUE, percent=49, rules=fifty) is Rag.RED
    assert rag_for(Status.OVERDUE, percent=50, rules=fifty) is Rag.AMBER


def test_a_manual_override_replaces_the_rag_keeps_the_status_and_says_so():
    j = judge_milestone(baseline=TODAY - D(5), forecast=None, actual=None, today=TODAY, override="green",
                        override_reason="Agreed at board")
    assert (j.status, j.rag, j.overridden, j.override_reason) == (Status.OVERDUE, Rag.GREEN, True, "Agreed at board")


def test_roll_up_takes_the_worst_and_counts_every_milestone():
    up = roll_up([Judgement(Status.ON_TRACK, Rag.GREEN), Judgement(Status.OVERDUE, Rag.RED),
                  Judgement(Status.COMPLETE, Rag.BLUE)])
    assert (up.status, up.rag, up.counts["red"], up.counts["green"], up.counts["blue"], up.total) == (
        Status.OVERDUE, Rag.RED, 1, 1, 1, 3)
    higher = roll_up([up, roll_up([Judgement(Status.AT_RISK, Rag.AMBER)])])
    assert (higher.status, higher.rag, higher.total) == (Status.OVERDUE, Rag.RED, 4)


def test_all_complete_rolls_up_to_complete_and_complete_with_not_started_to_not_started():
    assert worst_status([Status.COMPLETE, Status.COMPLETE]) is Status.COMPLETE
    assert worst_status([Status.COMPLETE, Status.NOT_STARTED]) is Status.NOT_STARTED
    assert worst_rag([Rag.BLUE, Rag.GREY]) is Rag.GREY
    assert worst_rag([Rag.BLUE]) is Rag.BLUE
    assert worst_status([]) is None and worst_rag([]) is None


def test_slippage_runs_from_the_baseline_to_the_actual_or_forecast_date():
    assert slippage_days(TODAY, TODAY + D(10), None) == 10
    assert slippage_days(TODAY, TODAY + D(10), TODAY + D(3)) == 3
    assert slippage_days(TODAY, TODAY - D(4), None) == -4
