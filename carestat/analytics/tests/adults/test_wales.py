"""WAL-PM18, adult protection enquiries completed within 7 working days, from case events,
worked by hand on Wales's calendar. 2024-25; bank holidays used: Good Friday 29 March and
Easter Monday 1 April 2024, early May bank holiday Monday 6 May 2024."""

from __future__ import annotations

import datetime as dt

from carestat.analytics.measures.base import compute_measures
from carestat.analytics.periods import Period
from carestat.analytics.readers.case_events import read_case_events
from carestat.analytics.store import build_working_day_index

from .conftest import context

HEADER = "item_id,person_id,work_type,team,priority,received_at,first_action_at,completed_at,signed_off_at,outcome"
EVENTS = f"""
{HEADER}
E1,P1,adult_protection_enquiry,East,standard,2024-05-01T09:00,,2024-05-10T16:00,,
E2,P2,adult_protection_enquiry,East,standard,2024-05-01T09:00,,2024-05-13T16:00,,
E3,P3,adult_protection_enquiry,West,standard,2024-05-01T09:00,,2024-05-14T16:00,,
E5,P5,adult_protection_enquiry,West,standard,2024-03-28T09:00,,2024-04-09T16:00,,
E6,P6,adult_protection_enquiry,West,standard,2024-06-03T09:00,,,,
E7,P7,adult_protection_enquiry,West,standard,2025-03-20T09:00,,2025-04-02T10:00,,
E8,P8,safeguarding_concern,West,standard,2024-05-01T09:00,,2024-05-30T10:00,,
"""


def _results(backend, write_csv, pseudonymiser, jurisdiction="wales"):
    read = read_case_events(backend.con, write_csv(EVENTS), pseudonymiser=pseudonymiser)
    assert read.ok, [str(p) for p in read.problems]
    backend.con.execute(f"CREATE TABLE case_events AS {read.select_sql()}")
    read.cleanup()
    backend.con.register("_wd", build_working_day_index(jurisdiction, dt.date(2023, 1, 1), dt.date(2026, 12, 31)))
    backend.con.execute("CREATE TABLE working_days AS SELECT * FROM _wd")
    ctx = context({"case_events": backend.table("case_events")}, Period("2024-25", dt.date(2024, 4, 1),
                  dt.date(2025, 3, 31)), {}, backend)
    ctx = ctx.__class__(period=ctx.period, tables=ctx.tables, working_days=backend.table("working_days"),
                        settings=ctx.settings, backend=backend)
    return {r.breakdown: r for r in compute_measures(backend, ctx, ["WAL-PM18"])}


def test_pm18_counts_enquiries_completed_within_7_working_days_skipping_bank_holidays(
        backend, write_csv, pseudonymiser):
    results = _results(backend, write_csv, pseudonymiser)
    # E1: after Wed 1 May: 2, 3, (6 May bank holiday), 7, 8, 9, 10 = 6 working days: in time
    # E2: ... 13 May = 7 (8 if 6 May counted): in time.  E3: 14 May = 8: late
    # E5: after Thu 28 Mar: (Good Friday, Easter Monday) 2, 3, 4, 5, 8, 9 Apr = 6: in time
    # E6 open, E7 completed in 2025-26, E8 another work type: not counted
    headline = results[()]
    assert (headline.numerator, headline.denominator, headline.value) == (3, 4, 75.0)
    assert {r.breakdown: (r.numerator, r.denominator) for k, r in results.items() if k} == {
        (("team", "East"),): (2, 2), (("team", "West"),): (1, 2)}
