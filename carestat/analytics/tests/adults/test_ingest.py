"""The adult formats load through the real ingest path (load_submission into a Store)."""

from __future__ import annotations

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
