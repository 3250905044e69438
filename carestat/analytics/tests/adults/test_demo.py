"""Demoshire's adult demo data loads cleanly and tells the story the demo needs."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from carestat.analytics.demo.adults import write_adults_demo
from carestat.analytics.forecast import weekly_history
from carestat.analytics.measures import adults, operational, workforce  # noqa: F401
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.readers.case_events import read_case_events
from carestat.analytics.readers.cld import read_cld
from carestat.analytics.readers.workforce import read_workforce

from .conftest import context


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_adults_demo(tmp_path_factory.mktemp("demo"), seed=7)


def test_demo_is_deterministic_for_a_seed(demo, tmp_path):
    again = write_adults_demo(tmp_path, seed=7)
    assert again["case_events"].read_bytes() == demo["case_events"].read_bytes()
    assert again["cld"][-1]["path"].read_bytes() == demo["cld"][-1]["path"].read_bytes()


def test_demo_case_events_load_and_show_the_backlogs(demo, backend, pseudonymiser):
    read = read_case_events(backend.con, demo["case_events"], pseudonymiser=pseudonymiser)
    assert read.ok, [str(p) for p in read.problems[:5]]
    assert 15000 < read.rows < 40000
    backend.con.execute(f"CREATE TABLE case_events AS {read.select_sql()}")
    events = backend.table("case_events")
    ot = weekly_history(backend, events, "ot_assessment", until=demo["extract_date"])
    peak = max(w.backlog for w in ot)
    assert peak > 300  # builds while demand outruns the team
    assert ot[-1].backlog < peak / 4  # and the managed service clears it
    settings = {"ops_targets": demo["ops_targets"]}
    year3 = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    r = {(m.code, m.breakdown): m for m in compute_measures(
        backend, context({"case_events": events}, year3, settings),
        ["DOLS-NOT-COMPLETED", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET"])}
    assert r[("DOLS-NOT-COMPLETED", ())].numerator > 100
    sg = r[("OPS-WITHIN-TARGET", (("work_type", "safeguarding_concern"),))]
    assert 80 < sg.value < 100
    signoff = r[("OPS-SIGNOFF-TARGET", (("work_type", "safeguarding_concern"),))]
    assert 60 < signoff.value < 100


def test_demo_cld_and_workforce_load_and_compute(demo, backend, pseudonymiser):
    tables = []
    for sid, sub in enumerate(demo["cld"], start=1):
        read = read_cld(sub["path"], pseudonymiser=pseudonymiser, loaded_on=sub["loaded_on"])
        assert read.ok, [str(p) for p in read.problems[:5]]
        t = read.table
        tables.append(t.add_column(0, "submission_id", pa.array([sid] * t.num_rows, pa.int32())))
    year = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    ctx = context({"cld_events": ibis.memtable(pa.concat_tables(tables))}, year)
    r = {m.code: m for m in compute_measures(backend, ctx, ["ASCOF-2A", "ASCOF-2E", "ASCOF-3D"])
         if not m.breakdown}
    assert all(r[c].denominator > 20 for c in r)
    assert 40 < r["ASCOF-2E"].value < 95
    censuses = [read_workforce(p, pseudonymiser=pseudonymiser) for p in demo["workforce"]]
    assert all(c.ok for c in censuses), [str(p) for c in censuses for p in c.problems][:5]
    last = censuses[-1]
    period = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    ctx = context({k: ibis.memtable(v) for k, v in last.tables.items()}, period)
    w = {m.code: m.value for m in compute_measures(backend, ctx, [
        "CSWW-AGENCY-RATE", "CSWW-VACANCY-RATE", "CSWW-TURNOVER-RATE", "CSWW-CASELOAD"])}
    assert w["CSWW-AGENCY-RATE"] == pytest.approx(17.8, abs=2)
    assert w["CSWW-VACANCY-RATE"] == pytest.approx(18.9, abs=2)
    assert w["CSWW-TURNOVER-RATE"] == pytest.approx(15.9, abs=3)
    assert w["CSWW-CASELOAD"] == pytest.approx(16.0, abs=1.5)
