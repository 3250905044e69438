"""Wales's children's measures against hand-worked figures, on Wales's calendar (2023-24).

Bank holidays in Wales used below: 2024: 29 March (Good Friday), 1 April (Easter Monday).
St David's Day (Friday 1 March 2024) is not a bank holiday in Wales: it is a working day.
"""

from __future__ import annotations

import datetime as dt

from carestat.analytics.calendar import calendar_for
from carestat.analytics.measures.children import compute_children_measures

from .conftest import D, cin_child, referral, write_903, write_cin
from .test_measures import _looked_after_children


def headline(store, code, period="2023-24"):
    [r] = [r for r in compute_children_measures(store, period, "wales", [code]) if not r.breakdown]
    return r.numerator, r.denominator, r.value


def test_the_welsh_calendar_keeps_st_davids_day_as_a_working_day_and_skips_good_friday():
    wales = calendar_for("wales")
    assert wales.is_working_day(dt.date(2024, 3, 1))
    assert not wales.is_working_day(dt.date(2024, 3, 29))
    # Tue 30 Jan to Thu 28 Mar 2024: Jan 31 (1), Feb (21 weekdays: 22), Mar 1 (23), 4-8 (28),
    # 11-15 (33), 18-22 (38), 25-28 (42)
    assert wales.working_days_between(dt.date(2024, 1, 30), dt.date(2024, 3, 28)) == 42


def _assessments():
    return [
        # referral Tue 30 Jan 2024, authorised Thu 28 Mar: 42 working days from referral: on time
        cin_child("W1", referral(D(2024, 1, 30), assessments=[(D(2024, 2, 20), D(2024, 3, 28))])),
        # referral Mon 29 Jan: 43 working days, St David's Day counted: late. (Were 1 March a
        # holiday it would be 42.) From the assessment's start (1 March) it is only 19: the
        # Welsh measure counts from the referral.
        cin_child("W2", referral(D(2024, 1, 29), assessments=[(D(2024, 3, 1), D(2024, 3, 28))])),
        # authorised on Good Friday 29 March: still 42 working days, the bank holiday skipped
        # (43 counting every weekday): on time
        cin_child("W3", referral(D(2024, 1, 30), assessments=[(D(2024, 2, 1), D(2024, 3, 29))]), sex="2"),
        # authorised Tue 2 April 2024: in 2024-25, not counted
        cin_child("W4", referral(D(2024, 3, 4), assessments=[(D(2024, 3, 5), D(2024, 4, 2))])),
    ]


def test_pm24_counts_42_working_days_from_the_referral_on_the_welsh_calendar(load, store, tmp_path):
    children = _assessments()
    load(write_cin(tmp_path, 2024, children), jurisdiction="wales")
    load(write_cin(tmp_path, 2025, children), jurisdiction="wales")
    # W1, W2, W3 authorised in 2023-24; W1 and W3 on time: 2 / 3
    assert headline(store, "WAL-PM24") == (2, 3, 66.666667)


def test_pm24_and_englands_45_day_measure_differ_on_the_same_assessments(load, store, tmp_path):
    load(write_cin(tmp_path, 2024, _assessments()), jurisdiction="wales")
    [england] = [r for r in compute_children_measures(store, "2023-24", "wales", ["CIN-ASSESS-45WD"])
                 if not r.breakdown]
    # from the assessments' starts every one of the three is within 45 working days
    assert (england.numerator, england.denominator) == (3, 3)


def test_pm33_counts_children_looked_after_with_three_or_more_placements(load, store, tmp_path):
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()), jurisdiction="wales")
    # L4 (4 placements) and L5 (3) of the 8 looked after on 31 March 2024
    assert headline(store, "WAL-PM33") == (2, 8, 25.0)
