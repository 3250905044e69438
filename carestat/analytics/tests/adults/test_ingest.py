"""The adult formats load through the real ingest path (load_submission into a Store)."""

from __future__ import annotations

import re

import pytest

from carestat.analytics.ingest import SubmissionRejected, load_submission
from carestat.analytics.measures import operational  # noqa: F401
from carestat.analytics.measures.base import compute_measures
from carestat.analytics.readers import case_events
from carestat.analytics.store import Store

from . import test_adults, test_case_events, test_operational, test_workforce
from .conftest import SAFEGUARDING_TARGETS, context, q4_2024_25


@pytest.fixture(autouse=True)
def _registrations():
    """Registering formats changes module-level declarations; undo it after each test."""
    from carestat.analytics import ingest
    from carestat.analytics import store as store_module

    saved = [(d, dict(d)) for d in (store_module.DATA_TABLES, store_module.FORMAT_TABLES,
                                     store_module.NATURAL_KEYS, ingest._EXTRA_FORMATS)]
    unique = set(store_module.UNIQUE_WITHIN_SUBMISSION)
    yield
    for d, copy in saved:
        d.clear()
        d.update(copy)
    store_module.UNIQUE_WITHIN_SUBMISSION.clear()
    store_module.UNIQUE_WITHIN_SUBMISSION.update(unique)


@pytest.fixture
def store(tmp_path):
    case_events.register()
    with Store(tmp_path / "org.duckdb") as s:
        yield s


def test_case_events_load_once_and_feed_the_measures(store, write_csv, pseudonymiser):
    path = write_csv(test_operational.EVENTS)
    result = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    assert result.format == "case_events" and result.rows == {"case_events": 12}
    again = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    assert again.duplicate
    tables = store.current_tables()
    ctx = context({"case_events": tables["case_events"]}, q4_2024_25(),
                  {"ops_targets": SAFEGUARDING_TARGETS})
    backlog = compute_measures(store.backend, ctx, ["OPS-BACKLOG"])[0]
    assert backlog.numerator == 4  # as in test_operational


def test_case_events_are_stored_open_items_apart_then_by_work_type_and_receipt(
    store, write_csv, pseudonymiser
):
    """The stored order lets DuckDB skip row groups (case_events.STORED_ORDER): items
    completed first, by work type and then receipt; the open ones (D1, O4, O5) after them."""
    load_submission(store, write_csv(test_operational.EVENTS), pseudonymiser=pseudonymiser,
                    jurisdiction="england")
    stored = [r[0] for r in store.con.execute(
        "SELECT item_id FROM case_events ORDER BY rowid").fetchall()]
    assert stored == ["D2", "O1", "O2", "O3", "S5", "S1", "S2", "S3", "S4", "D1", "O4", "O5"]


def test_case_events_with_errors_are_rejected_or_loaded_without_the_bad_rows(
    store, write_csv, pseudonymiser
):
    path = write_csv(test_case_events.MESSY)
    with pytest.raises(SubmissionRejected):
        load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    assert store.con.execute("SELECT count(*) FROM case_events").fetchone()[0] == 0
    result = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england",
                             accept_with_errors=True)
    assert result.rows == {"case_events": 2}
    assert result.quarantined_records == 3


def test_a_repeated_file_with_errors_is_a_duplicate_though_it_is_read_while_hashed(
    store, write_csv, pseudonymiser
):
    path = write_csv(test_case_events.MESSY)
    first = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england",
                            accept_with_errors=True)
    again = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    assert again.duplicate and again.submission_id == first.submission_id
    assert again.report.problems == []
    assert store.con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    # the staging tables of the second reading, which hold raw identifiers, are gone
    assert store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_ce_%'").fetchone()[0] == 0


def test_each_person_is_keyed_once_and_every_row_gets_the_key_of_its_own_identifier(
    store, write_csv, pseudonymiser
):
    people = ["P1", " p1 ", "p1", "Zoë-1", "ZOË-1", "O'Brien", "tab\tinside", "P2"]
    lines = [test_case_events.HEADER]
    for n in range(40):
        who = people[n % len(people)]
        quoted = '"' + who + '"' if "," in who or " " in who else who
        lines.append(f"I{n},{quoted},ot_assessment,East,standard,2024-05-01T09:00,,,,,")
    path = write_csv("\n".join(lines) + "\n")
    result = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    stored = dict(store.con.execute("SELECT item_id, person_key FROM case_events").fetchall())
    assert result.rows == {"case_events": 40}
    assert stored == {f"I{n}": pseudonymiser(people[n % len(people)], kind="adult")
                      for n in range(40)}
    assert len(set(stored.values())) == 5  # P1 three ways, Zoë two ways, O'Brien, tab, P2


def test_rows_breaking_rules_and_repeated_items_are_left_out_and_counted_once(
    store, write_csv, pseudonymiser
):
    lines = [test_case_events.HEADER,
             "A,P1,review,T,standard,2024-06-01,,,,,",
             "B,P1,review,T,sometimes,2024-06-02,2024-06-01,,,,",  # two rules broken
             "A,P2,review,T,standard,2024-06-03,,,,,",  # repeats A
             "A,P2,review,T,,2024-06-04,,,,,",  # repeats A and has no priority
             "C,,review,T,standard,not a date,,,,,"]  # three rules broken
    path = write_csv("\n".join(lines) + "\n")
    with pytest.raises(SubmissionRejected) as refused:
        load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
    found = {(p.location, p.field, p.rule) for p in refused.value.report.errors}
    assert found == {
        ("row 3", "priority", "unknown-priority"), ("row 3", "first_action_at", "timestamp-order"),
        ("row 4", "item_id", "duplicate-item"), ("row 5", "item_id", "duplicate-item"),
        ("row 5", "priority", "required"), ("row 6", "person_id", "required"),
        ("row 6", "received_at", "timestamp-format")}
    result = load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england",
                             accept_with_errors=True)
    assert result.rows == {"case_events": 1} and result.quarantined_records == 4
    assert store.con.execute("SELECT item_id, person_key FROM case_events").fetchall() == [
        ("A", pseudonymiser("P1", kind="adult"))]


def test_a_load_says_how_long_each_of_its_stages_took(store, write_csv, pseudonymiser, tmp_path):
    from carestat.analytics.demo.children import write_children_demo

    result = load_submission(store, write_csv(test_operational.EVENTS), pseudonymiser=pseudonymiser,
                             jurisdiction="england")
    stages = {"hash", "read", "checks", "keying", "store", "total"}
    assert stages <= set(result.timings)
    assert all(seconds >= 0 for seconds in result.timings.values())
    write_children_demo(tmp_path / "demo", seed=1, years=(2024,), cin_children=60, lac_children=10)
    [cin] = sorted((tmp_path / "demo").glob("CIN_Census_*.xml"))
    result = load_submission(store, cin, pseudonymiser=pseudonymiser, jurisdiction="england",
                             accept_with_errors=True)
    assert stages <= set(result.timings)
    assert all(seconds >= 0 for seconds in result.timings.values())


def test_workforce_sample_loads_with_its_xsd_errors_quarantined(tmp_path, pseudonymiser):
    from carestat.analytics.readers import workforce

    workforce.register()
    with Store(tmp_path / "org.duckdb") as store:
        sample = test_workforce.SAMPLE
        with pytest.raises(SubmissionRejected):
            load_submission(store, sample, pseudonymiser=pseudonymiser, jurisdiction="england")
        result = load_submission(store, sample, pseudonymiser=pseudonymiser,
                                 jurisdiction="england", accept_with_errors=True)
        # 12 workers lack QualInst: quarantined; 30 - 12 = 18 stored
        assert result.rows == {"csww_workers": 18, "csww_la": 1}
        assert result.quarantined_records == 12


def test_cld_submissions_load_and_overlapping_ones_stay_current(tmp_path, pseudonymiser):
    from carestat.analytics.readers import cld

    cld.register()
    with Store(tmp_path / "org.duckdb") as store:
        for name in test_adults.SUBMISSIONS:
            path = tmp_path / f"cld_{name}.csv"
            test_adults.write_submission(path, name)
            load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")
        current = [s for s in store.submissions("cld") if s["status"] == "current"]
        assert len(current) == 3
        rows = store.con.execute("SELECT count(*) FROM current_cld_events").fetchone()[0]
        assert rows > len(test_adults.EVENTS)  # repeated across submissions; the main table dedups


HEADER = "item_id,person_id,work_type,team,priority,received_at,completed_at\n"


def test_a_newer_extract_updates_the_items_it_repeats(store, tmp_path, pseudonymiser):
    """One current extract: current_case_events is a view of its rows (no copy). Two: the
    latest row per item_id, whichever extract it came from."""

    def load(name, rows):
        path = tmp_path / name
        path.write_text(HEADER + "".join(r + "\n" for r in rows))
        return load_submission(store, path, pseudonymiser=pseudonymiser, jurisdiction="england")

    def current():
        kind = store.con.execute(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_name = 'current_case_events'").fetchone()[0]
        rows = store.con.execute(
            "SELECT item_id, completed_at IS NOT NULL FROM current_case_events ORDER BY item_id"
        ).fetchall()
        return kind, rows

    load("march.csv", ["A1,P1,ot_assessment,North,standard,2025-03-01T09:00,",
                       "A2,P2,ot_assessment,North,standard,2025-03-02T09:00,"])
    assert current() == ("VIEW", [("A1", False), ("A2", False)])
    load("april.csv", ["A2,P2,ot_assessment,North,standard,2025-03-02T09:00,2025-04-03T10:00",
                       "A3,P3,ot_assessment,North,urgent,2025-04-04T09:00,"])
    assert current() == ("BASE TABLE", [("A1", False), ("A2", True), ("A3", False)])
    assert store.con.execute("SELECT count(*) FROM case_events").fetchone() == (4,)


def test_a_current_table_rebuilt_from_several_submissions_keeps_the_stored_order(
    store, write_csv, pseudonymiser
):
    """Two current submissions (two periods) make ``current_case_events`` a table rebuilt by
    a window query; it is written in the stored order too, so the measures' zone maps apply."""
    load_submission(store, write_csv(test_operational.EVENTS), pseudonymiser=pseudonymiser,
                    jurisdiction="england")
    header, *rows = test_operational.EVENTS.strip().splitlines()
    three_years_before = [re.sub(r"\b(20\d\d)-", lambda m: f"{int(m.group(1)) - 3}-", row) for row in rows]
    earlier = "\n".join([header, *(f"N{row}" for row in three_years_before)]) + "\n"
    load_submission(store, write_csv(earlier), pseudonymiser=pseudonymiser, jurisdiction="england")
    assert store.con.execute("SELECT count(*) FROM submissions WHERE status = 'current'").fetchone()[0] == 2
    kind = store.con.execute("SELECT table_type FROM information_schema.tables "
                             "WHERE table_name = 'current_case_events'").fetchone()[0]
    assert kind == "BASE TABLE"
    as_stored = [r[0] for r in store.con.execute(
        "SELECT item_id FROM current_case_events ORDER BY rowid").fetchall()]
    in_order = [r[0] for r in store.con.execute(
        "SELECT item_id FROM current_case_events ORDER BY completed_at IS NULL, work_type, received_at").fetchall()]
    assert len(as_stored) == 2 * len(rows) and as_stored == in_order
    # closed items first, the earlier period's before the later's within a work type; open ones last
    assert as_stored[:2] == ["ND2", "D2"] and as_stored[-4:] == ["NO4", "NO5", "O4", "O5"]
