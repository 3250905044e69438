"""The CareStat case-event CSV reader: validation, time zones and privacy."""

from __future__ import annotations

import datetime as dt

import pytest

from carestat.analytics.problems import UnreadableFile
from carestat.analytics.readers.case_events import london_to_utc, read_case_events

HEADER = (
    "item_id,person_id,work_type,team,priority,received_at,first_action_at,completed_at,"
    "signed_off_at,outcome,first_name"
)

MESSY = f"""
{HEADER}
A1,P1,safeguarding_concern,East,urgent,2024-03-31T01:30,2024-03-31T03:00,2024-04-02T10:00Z,2024-04-03 09:00,s42,Bob
A2,P2,ot_assessment,West,Standard,2024-10-27T01:30,,,,,Sue
A3,P1,ot_assessment,West,standard,2024-10-27T01:30+00:00,31/10/2024,,,,Ann
A3,,ot_assessment,West,weird,2024-01-01,2023-12-31,2024-01-05,2024-01-04,,Tom
A5,P5,dols_application,,urgent,,,,,,Kim
"""


@pytest.fixture
def messy(backend, write_csv, pseudonymiser):
    return read_case_events(backend.con, write_csv(MESSY), pseudonymiser=pseudonymiser)


def test_each_problem_names_row_field_and_rule(messy):
    found = {(p.location, p.field, p.rule) for p in messy.problems}
    assert found == {
        ("row 4", "first_action_at", "timestamp-format"),  # 31/10/2024 is not ISO 8601
        ("row 5", "person_id", "required"),
        ("row 5", "first_action_at", "timestamp-order"),  # acted on before received
        ("row 5", "signed_off_at", "timestamp-order"),  # signed off before completion
        ("row 5", "priority", "unknown-priority"),
        ("row 5", "item_id", "duplicate-item"),  # A3 is also row 4
        ("row 6", "team", "required"),
        ("row 6", "received_at", "required"),
    }
    dup = next(p for p in messy.problems if p.rule == "duplicate-item")
    assert dup.message == "item_id 'A3' already appears in row 4"
    assert messy.rows == 5 and messy.error_rows == 3


def test_rows_with_errors_are_left_out_unless_kept(backend, messy):
    stored = backend.con.execute(messy.select_sql()).fetchall()
    assert [r[0] for r in stored] == ["A1", "A2"]
    assert len(backend.con.execute(messy.select_sql(keep_errors=True)).fetchall()) == 5


def test_names_and_raw_person_ids_are_not_stored(backend, messy, pseudonymiser):
    rows = backend.con.execute(messy.select_sql(keep_errors=True)).fetchall()
    text = str(rows)
    assert "Bob" not in text and "'P1'" not in text
    assert rows[0][1] == pseudonymiser("P1", kind="adult")
    messy.cleanup()
    assert not backend.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_ce_%'"
    ).fetchone()[0]


def test_completed_date_is_missing_exactly_where_completed_at_is(backend, messy, write_csv,
                                                                 pseudonymiser):
    """The backlog finds never-completed items by completed_date (operational._open_at)."""
    from . import test_operational

    ops = read_case_events(backend.con, write_csv(test_operational.EVENTS),
                           pseudonymiser=pseudonymiser)
    for read in (messy, ops):
        rows = backend.con.execute(
            f"SELECT item_id, completed_at IS NULL, completed_date IS NULL "
            f"FROM ({read.select_sql()})").fetchall()
        assert rows and all(at == date for _, at, date in rows), rows
    assert sum(at for _, at, _ in rows) == 3  # D1, O4 and O5 are open


def test_local_times_follow_bst_and_offsets_are_honoured(backend, messy):
    rows = {r[0]: r for r in backend.con.execute(messy.select_sql()).fetchall()}
    a1 = rows["A1"]
    # 31 Mar 2024: clocks go forward at 01:00 GMT. 01:30 does not exist on the wall clock and
    # reads as GMT (01:30 UTC); 03:00 is BST (02:00 UTC); Z is UTC; 3 Apr 09:00 is BST.
    assert a1[5:9] == (dt.datetime(2024, 3, 31, 1, 30), dt.datetime(2024, 3, 31, 2, 0),
                       dt.datetime(2024, 4, 2, 10, 0), dt.datetime(2024, 4, 3, 8, 0))
    # 27 Oct 2024: 01:30 happens twice; the first (BST) is taken: 00:30 UTC.
    assert rows["A2"][5] == dt.datetime(2024, 10, 27, 0, 30)
    assert rows["A2"][4] == "standard"


@pytest.mark.parametrize("year", [2019, 2024, 2025, 2030])
def test_wall_clock_conversion_matches_zoneinfo_around_each_change(
    year, backend, write_csv, pseudonymiser
):
    # every half hour across both changes of the year, and a summer and a winter value
    stamps = []
    for month in (3, 10):
        last = dt.date(year, month, 31)
        sunday = last - dt.timedelta(days=(last.weekday() + 1) % 7)
        base = dt.datetime(sunday.year, sunday.month, sunday.day) - dt.timedelta(hours=2)
        stamps += [base + dt.timedelta(minutes=30 * i) for i in range(12)]
    stamps += [dt.datetime(year, 7, 1, 12), dt.datetime(year, 1, 15, 12)]
    lines = [HEADER] + [
        f"X{i},P,review,T,standard,{s.isoformat(timespec='minutes')},,,,,"
        for i, s in enumerate(stamps)
    ]
    read = read_case_events(backend.con, write_csv("\n".join(lines)), pseudonymiser=pseudonymiser)
    got = [r[5] for r in backend.con.execute(read.select_sql()).fetchall()]
    assert got == [london_to_utc(s) for s in stamps]


def test_offsets_in_any_iso_form_give_the_same_instant(backend, write_csv, pseudonymiser):
    forms = ["2024-06-01T10:00+01:00", "2024-06-01T10:00+0100", "2024-06-01T09:00Z",
             "2024-06-01T04:00-05", "2024-06-01 10:00", "2024-06-01T10:00:00.000"]
    lines = [HEADER] + [f"X{i},P,review,T,standard,{f},,,,," for i, f in enumerate(forms)]
    read = read_case_events(backend.con, write_csv("\n".join(lines)), pseudonymiser=pseudonymiser)
    got = {r[5] for r in backend.con.execute(read.select_sql()).fetchall()}
    assert got == {dt.datetime(2024, 6, 1, 9, 0)}


def test_a_file_without_the_required_columns_is_unreadable(backend, write_csv, pseudonymiser):
    path = write_csv("id,person,type\n1,2,3\n")
    with pytest.raises(UnreadableFile, match="missing column"):
        read_case_events(backend.con, path, pseudonymiser=pseudonymiser)


def test_priorities_can_be_set_per_council(backend, write_csv, pseudonymiser):
    path = write_csv(f"{HEADER}\nA,P,review,T,P1,2024-06-01,,,,,\n")
    read = read_case_events(backend.con, path, pseudonymiser=pseudonymiser,
                            priorities=("p1", "p2"))
    assert read.ok


def test_rows_with_errors_but_no_duplicates_are_left_out(backend, write_csv, pseudonymiser):
    path = write_csv(
        f"{HEADER}\nA,P,review,T,standard,2024-06-01,,,,,\n"
        "B,P,review,T,standard,2024-06-02,2024-06-01,,,,\nC,P,review,T,standard,2024-06-03,,,,,\n"
    )
    read = read_case_events(backend.con, path, pseudonymiser=pseudonymiser)
    assert [(p.location, p.rule) for p in read.problems] == [("row 3", "timestamp-order")]
    assert [r[0] for r in backend.con.execute(read.select_sql()).fetchall()] == ["A", "C"]


def test_person_ids_sql_cannot_key_are_keyed_in_python(backend, write_csv, pseudonymiser):
    text = (f"{HEADER}\nB1,Zoë-1,ot_assessment,East,standard,2024-05-01T09:00,,,,,\n"
            f"B2, p7 ,ot_assessment,East,standard,2024-05-01T09:00,,,,,\n")
    read = read_case_events(backend.con, write_csv(text), pseudonymiser=pseudonymiser)
    keys = dict((r[0], r[1]) for r in backend.con.execute(read.select_sql()).fetchall())
    assert keys == {"B1": pseudonymiser("Zoë-1", kind="adult"),
                    "B2": pseudonymiser("P7", kind="adult")}
    assert None not in keys.values()


# ---- the wall-clock fast path and the full path ------------------------------------------

def _both_paths(backend, path, pseudonymiser):
    """(problems, stored rows with errors left out and kept) read each way, and the reads."""
    out = []
    for fast in (True, False):
        read = read_case_events(backend.con, path, pseudonymiser=pseudonymiser, fast_path=fast)
        problems = [(p.location, p.field, p.rule, p.message) for p in read.problems]
        stored = backend.con.execute(read.select_sql()).fetchall()
        kept = backend.con.execute(read.select_sql(keep_errors=True)).fetchall()
        out.append(((problems, stored, kept, read.rows, read.error_rows,
                     read.received_from, read.received_to), read))
        read.cleanup()
    (fast, fast_read), (full, full_read) = out
    assert not full_read.fast_path
    return fast, full, fast_read


def test_a_wall_clock_file_takes_the_fast_path_with_the_full_paths_rows_and_problems(
        backend, write_csv, pseudonymiser):
    # every rule but timestamp-format broken somewhere, and BST edges: all wall-clock values
    path = write_csv(f"""
{HEADER}
A1,P1,safeguarding_concern,East,urgent,2024-03-31T01:30,2024-03-31T03:00,2024-04-02T10:00,2024-04-03 09:00,s42,Bob
A2,P2,ot_assessment,West,Standard,2024-10-27T01:30,,,,,Sue
A3,P1,ot_assessment,West,standard,2024-10-27T00:59,2024-10-27,,,,Ann
A3,,ot_assessment,West,weird,2024-01-01,2023-12-31,2024-01-05,2024-01-04,,Tom
A5,P5,dols_application,,urgent,,,,,,Kim
A6,P6,review,North,low,2024-06-30T23:30,2024-07-01T00:10:59.5,2024-07-02T09:3,,,Lee
""")
    fast, full, read = _both_paths(backend, path, pseudonymiser)
    assert read.fast_path
    assert fast == full
    assert {p[2] for p in fast[0]} == {"required", "timestamp-order", "unknown-priority",
                                       "duplicate-item"}


@pytest.mark.parametrize("odd", [
    "2024-5-1T09:30",  # not zero-padded
    " 2024-05-01T09:30", "2024-05-01T09:30 ",  # spaces
    "24-05-01T09:30", "02024-05-01T09:30", "-2024-05-01T09:30",  # years
    "2024-05-01T09:30Z", "2024-05-01T10:30+01:00", "2024-05-01T04:30-0500",  # offsets
    "2024-02-30T09:30", "2024-05-01T24:00", "2024-05-01t09:30", "31/10/2024", "soon",
])
@pytest.mark.parametrize("column", [5, 6, 7, 8])  # received_at ... signed_off_at
def test_any_other_value_gives_the_full_paths_rows_and_problems(
        odd, column, backend, write_csv, pseudonymiser):
    good = ["B1", "P1", "review", "T", "standard", "2024-05-01T08:00", "2024-05-01T08:00",
            "2024-05-02T08:00", "2024-05-03T08:00", "done"]
    row = list(good)
    row[0], row[column] = "B2", odd
    path = write_csv(f"{HEADER}\n{','.join(good)},x\n{','.join(row)},y\n")
    fast, full, read = _both_paths(backend, path, pseudonymiser)
    assert fast == full
    if odd == "2024-05-01T24:00":  # the full path reads it as midnight, a wall-clock value
        return
    assert not read.fast_path  # each of these made the reader start again on the full path


def test_a_file_the_csv_reader_refuses_is_unreadable_on_either_path(
        backend, write_csv, pseudonymiser):
    path = write_csv(f'{HEADER}\nA1,P1,review,T,standard,2024-05-01T08:00,,,,,x\nA2,"P2\n')
    for fast in (True, False):
        with pytest.raises(UnreadableFile, match="could not be parsed"):
            read_case_events(backend.con, path, pseudonymiser=pseudonymiser, fast_path=fast)


def test_every_repeat_of_an_item_id_after_the_first_is_reported_against_the_first(
        backend, write_csv, pseudonymiser):
    ids = ["D1", "D2", "D1", "D3", "D1", "D2"] + [f"U{i}" for i in range(200)]
    lines = [HEADER] + [f"{i},P,review,T,standard,2024-06-01T09:00,,,,," for i in ids]
    read = read_case_events(backend.con, write_csv("\n".join(lines)), pseudonymiser=pseudonymiser)
    dups = [(p.location, p.message) for p in read.problems if p.rule == "duplicate-item"]
    assert dups == [("row 4", "item_id 'D1' already appears in row 2"),
                    ("row 6", "item_id 'D1' already appears in row 2"),
                    ("row 7", "item_id 'D2' already appears in row 3")]
    assert read.error_rows == 3
    stored = [r[0] for r in backend.con.execute(read.select_sql()).fetchall()]
    assert sorted(stored) == sorted(["D1", "D2", "D3"] + [f"U{i}" for i in range(200)])
