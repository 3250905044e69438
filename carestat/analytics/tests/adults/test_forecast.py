"""Backlog forecasts: clearance dates that simple arithmetic can check."""

from __future__ import annotations

import datetime as dt
import json

import ibis

from carestat.analytics.forecast import (
    Scenario,
    Week,
    compare_with_actuals,
    forecast_backlog,
    project_backlog,
    weekly_history,
)

MONDAY = dt.date(2025, 6, 2)


def steady_history(weeks=12, arrivals=50, completions=50, backlog=400):
    start = MONDAY - dt.timedelta(weeks=weeks)
    return [Week(start + dt.timedelta(weeks=i), arrivals, completions, backlog) for i in range(weeks)]


def test_forty_extra_a_week_clears_a_backlog_of_400_in_ten_weeks():
    # 400 waiting; 50 in and 50 out a week; +40 a week from the first projected week:
    # the backlog falls by 40 a week, 400 / 40 = 10 weeks. Week 1 starts Mon 2 June 2025,
    # so week 10 starts Mon 4 August and ends Sun 10 August.
    result = project_backlog(steady_history(), scenarios=[Scenario("Managed service", 40)])
    extra = result["scenarios"][1]
    assert extra["clears"] is True
    assert extra["clearance_date"] == "2025-08-10"
    assert [p["central"] for p in extra["projection"][:10]] == [400 - 40 * k for k in range(1, 11)]
    # steady history: every resampled week is 50/50, so the band collapses onto the line
    assert extra["projection"][4]["low"] == extra["projection"][4]["high"] == 200
    assert extra["clearance_early"] == extra["clearance_late"] == "2025-08-10"


def test_without_extra_capacity_the_backlog_does_not_clear():
    result = project_backlog(steady_history(), scenarios=[])
    current = result["scenarios"][0]
    assert current["clears"] is False
    assert current["clearance_date"] is None
    assert current["summary"] == "does not clear within 52 weeks under this capacity"
    assert current["projection"][-1]["central"] == 400


def test_extra_capacity_for_a_limited_time_from_a_date_stops_when_it_ends():
    # +40 a week from the week of Wed 18 June (week 3, Mon 16 June) for 5 weeks:
    # 400 - 5 * 40 = 200 left, then flat: it does not clear.
    scenario = Scenario("Five weeks", 40, start=dt.date(2025, 6, 18), weeks=5)
    result = project_backlog(steady_history(), scenarios=[scenario])
    path = [p["central"] for p in result["scenarios"][1]["projection"]]
    assert path[:8] == [400, 400, 360, 320, 280, 240, 200, 200]
    assert result["scenarios"][1]["clears"] is False


def test_band_comes_from_seeded_resampling_and_is_reproducible():
    history = [Week(MONDAY - dt.timedelta(weeks=12 - i), a, c, 300)
               for i, (a, c) in enumerate(zip([40, 60] * 6, [45, 55, 50, 50] * 3, strict=True))]
    one = project_backlog(history, scenarios=[Scenario("Extra", 20)], seed=7)
    two = project_backlog(history, scenarios=[Scenario("Extra", 20)], seed=7)
    assert one == two
    week5 = one["scenarios"][1]["projection"][4]
    assert week5["low"] <= week5["central"] <= week5["high"]
    assert week5["low"] < week5["high"]
    json.dumps(one)  # saved as JSON


def test_forecast_from_events_and_comparison_with_actuals(backend):
    # 3 items a week arrive (Mon, Tue, Wed) for 4 weeks from Mon 5 May 2025; one a week is
    # completed (the Monday arrival, on Friday). Backlog at each week's end: 2, 4, 6, 8.
    rows = []
    for w in range(4):
        monday = dt.date(2025, 5, 5) + dt.timedelta(weeks=w)
        for d in range(3):
            day = monday + dt.timedelta(days=d)
            done = monday + dt.timedelta(days=4) if d == 0 else None
            rows.append({"work_type": "ot_assessment", "received_date": day, "completed_date": done})
    events = ibis.memtable(rows, schema={"work_type": "string", "received_date": "date",
                                         "completed_date": "date"})
    history = weekly_history(backend, events, "ot_assessment", until=dt.date(2025, 6, 4))
    assert [(w.arrivals, w.completions, w.backlog) for w in history] == [
        (3, 1, 2), (3, 1, 4), (3, 1, 6), (3, 1, 8)]
    saved = forecast_backlog(backend, events, "ot_assessment", as_of=dt.date(2025, 6, 4),
                             scenarios=[Scenario("Extra", 3)], horizon_weeks=6)
    # mean 3 in, 1 out; with +3 the backlog falls by 1 a week from 8: 7, 6, 5, ...
    assert [p["central"] for p in saved["scenarios"][1]["projection"]] == [7, 6, 5, 4, 3, 2]
    compared = compare_with_actuals(json.loads(json.dumps(saved)),
                                    {dt.date(2025, 6, 2): 8, "2025-06-09": 5})
    assert [(w["actual"], w["forecast"], w["error"]) for w in compared["weeks"]] == [
        (8, 7, 1), (5, 6, -1)]
    assert compared["mean_error"] == 0
    assert compared["mean_absolute_error"] == 1


def _weekday_events(weeks: int, first_monday: dt.date, last_day_offset: int = 4):
    """5 items a week received Monday, completed Friday, for ``weeks`` weeks."""
    rows = []
    for w in range(weeks):
        monday = first_monday + dt.timedelta(weeks=w)
        for _ in range(5):
            rows.append({"work_type": "ot_assessment", "received_date": monday,
                         "completed_date": monday + dt.timedelta(days=last_day_offset)})
    return ibis.memtable(rows, schema={"work_type": "string", "received_date": "date", "completed_date": "date"})


def test_a_week_counts_as_covered_once_the_data_reaches_its_friday():
    from carestat.analytics.forecast import covered_until

    assert covered_until(dt.date(2025, 5, 30)) == dt.date(2025, 6, 2)  # Friday: its week is covered
    assert covered_until(dt.date(2025, 6, 1)) == dt.date(2025, 6, 2)  # Sunday
    assert covered_until(dt.date(2025, 5, 28)) == dt.date(2025, 5, 26)  # Wednesday: only the weeks before


def test_a_forecast_asked_for_months_after_the_data_starts_from_where_the_data_ends(backend):
    from carestat.analytics.forecast import events_end

    events = _weekday_events(12, dt.date(2025, 3, 10))  # last completion Friday 30 May 2025
    assert events_end(backend, events) == dt.date(2025, 5, 30)
    result = forecast_backlog(backend, events, "ot_assessment", as_of=dt.date(2025, 8, 6))
    # June and July have no data: counting those ten weeks as empty would make demand
    # (5 x 2 + 0 x 10) / 12, under 1 a week
    assert result["mean_weekly_arrivals"] == 5 and result["lookback_weeks"] == 12
    assert result["first_projected_week"] == "2025-06-02" and result["as_of"] == "2025-06-02"
    assert result["history"][-1]["week_start"] == "2025-05-26" and result["stale"] is True
    # a date within the data is used as asked, with no warning
    within = forecast_backlog(backend, events, "ot_assessment", as_of=dt.date(2025, 5, 14))
    assert within["first_projected_week"] == "2025-05-12" and within["warnings"] == [] and not within["stale"]


def test_a_backlog_already_at_zero_has_nothing_to_clear_not_a_clearance_week():
    result = project_backlog(steady_history(backlog=0))
    current = result["scenarios"][0]
    assert result["already_clear"] and current["already_clear"] and not current["clears"]
    assert current["clearance_date"] is current["clearance_early"] is current["clearance_late"] is None
    assert current["summary"].startswith("no backlog to clear: none was waiting on 2025-06-02")
