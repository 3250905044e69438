"""Operational measures from case events, against figures worked out by hand.

The period is 2024-25 Q4 (1 January to 31 March 2025). Clocks went forward on 30 March
2025, so the period ends at 1 April 00:00 BST = 31 March 23:00 UTC. Timestamps below are
Europe/London local unless they carry an offset.
"""

from __future__ import annotations

import datetime as dt

import pytest

from carestat.analytics.measures.base import compute_measures
from carestat.analytics.measures.operational import (
    _targeted_work_types,
    period_bounds,
    target_for,
)
from carestat.analytics.readers.case_events import read_case_events

from .conftest import SAFEGUARDING_TARGETS, context, q4_2024_25

HEADER = "item_id,person_id,work_type,team,priority,received_at,first_action_at,completed_at,signed_off_at,outcome"

# Safeguarding targets: urgent 24h, standard 3 days to first action; 5 days to sign-off.
EVENTS = f"""
{HEADER}
S1,P1,safeguarding_concern,East,urgent,2025-01-10T09:00,2025-01-10T20:00,2025-01-12T09:00,2025-01-14T09:00,s42
S2,P2,safeguarding_concern,East,urgent,2025-02-03T09:00,2025-02-04T10:00,2025-02-05T09:00,2025-02-10T09:00,nfa
S3,P3,safeguarding_concern,West,standard,2025-02-10T09:00,2025-02-12T09:00,2025-02-13T09:00,,nfa
S4,P4,safeguarding_concern,West,standard,2025-03-31T22:30,2025-04-01T08:00,2025-04-01T09:00,2025-04-02T09:00,s42
S5,P5,safeguarding_concern,West,standard,2024-12-31T23:30,2025-01-01T09:00,2025-01-02T09:00,2025-01-03T09:00,nfa
O1,P6,ot_assessment,West,standard,2024-11-01T09:00,2024-11-20T09:00,2025-01-15T12:00,,equipment
O2,P7,ot_assessment,West,standard,2025-01-06T09:00,,2025-02-05T09:00,,equipment
O3,P8,ot_assessment,West,standard,2025-02-01T09:00,,2025-03-13T09:00,,adaptation
O4,P9,ot_assessment,West,standard,2024-10-01T09:00,,,,
O5,P10,ot_assessment,West,standard,2025-03-20T09:00,,,,
D1,P11,dols_application,Central,urgent,2025-02-01T09:00,,,,
D2,P12,dols_application,Central,standard,2025-01-01T09:00,,2025-03-01T09:00,,granted
"""


@pytest.fixture
def results(backend, write_csv, pseudonymiser):
    read = read_case_events(backend.con, write_csv(EVENTS), pseudonymiser=pseudonymiser)
    assert read.ok, [str(p) for p in read.problems]
    backend.con.execute(f"CREATE TABLE case_events AS {read.select_sql()}")
    read.cleanup()
    table = backend.table("case_events")
    ctx = context(
        {"case_events": table}, q4_2024_25(), {"ops_targets": SAFEGUARDING_TARGETS}, backend
    )
    out = compute_measures(
        backend,
        ctx,
        ["OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET",
         "DOLS-NOT-COMPLETED"],
    )
    return {(r.code, r.breakdown): r for r in out}


def test_period_ends_at_local_midnight_in_bst():
    start, end = period_bounds(context({}, q4_2024_25()))
    assert start == dt.datetime(2025, 1, 1, 0, 0)  # GMT: local midnight is UTC midnight
    assert end == dt.datetime(2025, 3, 31, 23, 0)  # 1 April 00:00 BST


def test_backlog_counts_item_received_before_period_end_and_completed_just_after(results):
    # Open at 31 Mar 23:00 UTC: S4 (received 31 Mar 22:30 BST, completed 1 Apr 09:00),
    # O4 and O5 (never completed), D1 (never completed) = 4. D2, O1-O3, S1-S3, S5 completed.
    assert results[("OPS-BACKLOG", ())].numerator == 4
    by_type = {r.breakdown: r.numerator for (c, b), r in results.items() if c == "OPS-BACKLOG"}
    assert by_type[(("work_type", "safeguarding_concern"),)] == 1
    assert by_type[(("work_type", "ot_assessment"),)] == 2
    assert by_type[(("work_type", "dols_application"),)] == 1
    assert by_type[(("team", "West"),)] == 3  # S4, O4, O5


def test_dols_not_completed_counts_only_dols_applications(results):
    assert results[("DOLS-NOT-COMPLETED", ())].numerator == 1  # D1
    assert results[("DOLS-NOT-COMPLETED", (("priority", "urgent"),))].numerator == 1


def test_median_wait_uses_nearest_rank_over_items_completed_in_period(results):
    # Completed in period (local calendar days from receipt):
    # S1 10->12 Jan = 2, S2 3->5 Feb = 2, S3 10->13 Feb = 3, S5 31 Dec->2 Jan = 2,
    # O1 1 Nov->15 Jan = 30+31+14 = 75, O2 6 Jan->5 Feb = 30, O3 1 Feb->13 Mar = 28+12 = 40,
    # D2 1 Jan->1 Mar = 31+28 = 59. S4 completed after the period end, so not counted.
    # Sorted: 2,2,2,3,30,40,59,75 (n=8): median rank ceil(4) = 4 -> 3; p90 rank ceil(7.2) = 8 -> 75.
    r = results[("OPS-WAIT-MEDIAN", ())]
    assert r.value == 3
    assert r.extra["p90_days"] == 75
    assert r.extra["items_completed"] == 8
    # Oldest open item: O4, 1 Oct 2024 -> 31 Mar 2025 = 31+30+31+31+28+30 = 181 days.
    assert r.extra["longest_current_wait_days"] == 181


def test_median_wait_by_work_type(results):
    ot = results[("OPS-WAIT-MEDIAN", (("work_type", "ot_assessment"),))]
    # 30, 40, 75: median rank 2 -> 40; p90 rank ceil(2.7) = 3 -> 75; O4 open 181 days.
    assert (ot.value, ot.extra["p90_days"], ot.extra["longest_current_wait_days"]) == (40, 75, 181)
    sg = results[("OPS-WAIT-MEDIAN", (("work_type", "safeguarding_concern"),))]
    # 2, 2, 2, 3: median rank 2 -> 2; p90 rank ceil(3.6) = 4 -> 3; S4 open 0 days (31 Mar).
    assert (sg.value, sg.extra["p90_days"], sg.extra["longest_current_wait_days"]) == (2, 3, 0)


def test_within_target_applies_each_priority_its_own_target(results):
    # Received in period with a target: S1 (11h <= 24h yes), S2 (25h > 24h no),
    # S3 (standard: 48h <= 72h yes, though it would fail the urgent 24h),
    # S4 (received 31 Mar 22:30 BST, acted on 1 Apr 08:00 BST: 9.5h yes) -> 3 of 4.
    # S5 was received before the period; OT and DoLS have no target and are left out.
    r = results[("OPS-WITHIN-TARGET", ())]
    assert (r.numerator, r.denominator, r.value) == (3, 4, 75.0)
    urgent = results[("OPS-WITHIN-TARGET", (("priority", "urgent"),))]
    standard = results[("OPS-WITHIN-TARGET", (("priority", "standard"),))]
    assert (urgent.numerator, urgent.denominator) == (1, 2)
    assert (standard.numerator, standard.denominator) == (2, 2)


def test_signoff_target_counts_missing_signoff_as_not_met(results):
    # S1 4 days yes; S2 7 days no; S3 never signed off no; S4 31 Mar 21:30 UTC ->
    # 2 Apr 08:00 UTC = 1 day 10.5h yes -> 2 of 4.
    r = results[("OPS-SIGNOFF-TARGET", ())]
    assert (r.numerator, r.denominator, r.value) == (2, 4, 50.0)
    assert r.extra["signoff_missing"] == 1


def test_target_lookup_prefers_the_most_specific_setting():
    targets = {
        "safeguarding_concern": {"urgent": {"first_action_hours": 24}, "*": {"signoff_days": 5}},
        "*": {"*": {"first_action_days": 10}, "urgent": {"first_action_hours": 48}},
    }
    assert target_for(targets, "safeguarding_concern", "urgent", "first_action") == 24 * 3600
    assert target_for(targets, "safeguarding_concern", "standard", "first_action") == 10 * 86400
    assert target_for(targets, "review", "urgent", "first_action") == 48 * 3600
    assert target_for(targets, "safeguarding_concern", "urgent", "signoff") == 5 * 86400
    assert target_for(targets, "review", "standard", "signoff") is None


def test_only_work_types_with_a_target_are_read_for_the_target_measures():
    """The target measures filter on these work types (a filter DuckDB's scan applies
    itself); None when a "*" work-type entry gives every work type a target."""
    assert _targeted_work_types(SAFEGUARDING_TARGETS, "signoff") == ["safeguarding_concern"]
    assert _targeted_work_types(SAFEGUARDING_TARGETS, "first_action") == ["safeguarding_concern"]
    targets = {"review": {"urgent": {"signoff_days": 2}}, "ot_assessment": {"*": {}},
               "*": {"*": {"first_action_days": 10}}}
    assert _targeted_work_types(targets, "signoff") == ["review"]
    assert _targeted_work_types(targets, "first_action") is None
    assert _targeted_work_types({"*": {"urgent": {"signoff_days": 1}}}, "signoff") is None
    assert _targeted_work_types({}, "signoff") == []


def test_one_query_rolled_up_gives_what_one_query_per_breakdown_gives(
    backend, write_csv, pseudonymiser
):
    """The runner groups once by every breakdown and rolls up; the definitions asked for one
    breakdown at a time (and on in-memory tables, which the compiled-SQL cache leaves to
    Ibis) give the same figures."""
    import ibis

    from carestat.analytics.measures.base import REGISTRY

    read = read_case_events(backend.con, write_csv(EVENTS), pseudonymiser=pseudonymiser)
    table = ibis.memtable(backend.con.execute(read.select_sql()).to_arrow_table())
    read.cleanup()
    ctx = context({"case_events": table}, q4_2024_25(), {"ops_targets": SAFEGUARDING_TARGETS},
                  backend)
    codes = ["OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET",
             "DOLS-NOT-COMPLETED"]
    got = {(r.code, r.breakdown): r for r in compute_measures(backend, ctx, codes)}
    assert compute_measures(backend, ctx, codes) == list(got.values())  # repeatable
    expected = {}
    for code in codes:
        definition = REGISTRY[code]
        for by in ([], *([b] for b in definition.breakdowns)):
            frame = backend.execute(definition.compute(ctx, by))
            for row in frame.to_dict("records"):
                key = (code, tuple((b, str(row[b])) for b in by))
                expected[key] = {k: (None if v != v else v) for k, v in row.items()
                                 if k not in by}
    assert set(got) == set(expected)
    for key, row in expected.items():
        r = got[key]
        assert r.numerator == row.get("numerator"), key
        assert r.denominator == row.get("denominator"), key
        if "value" in row:
            assert r.value == row["value"], key
        assert {k: r.extra[k] for k in r.extra} == {
            k: v for k, v in row.items() if k not in {"numerator", "denominator", "value"}}, key
