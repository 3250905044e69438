"""The measures benchmark's floor queries and polars implementation give CareStat's figures.

Checked on a few thousand generated case events, so ``bench/bench_measures_floor.py``'s
"equal" means what it says; the timings themselves belong to the benchmark, not the tests.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import polars as pl

from carestat.analytics.store import Store, build_working_day_index

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench():
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("bench_measures_floor")


def test_floor_queries_and_polars_give_carestats_figures_for_every_case_event_measure(tmp_path):
    bench = _bench()
    store_path = bench.load_store(tmp_path, 3000)
    with Store(store_path, read_only=True) as store:
        store.con.register(bench.WD_TABLE, build_working_day_index(bench.JURISDICTION))
        events = store.backend.table("current_case_events")
        ours = bench.carestat_runner(store.backend, events, store.backend.table(bench.WD_TABLE))
        floors = bench.floor_queries("current_case_events", bench.WD_TABLE)
        frame = pl.from_arrow(store.con.execute("SELECT * FROM current_case_events").arrow())
        wd = pl.from_arrow(build_working_day_index(bench.JURISDICTION))
        theirs = bench.polars_measures(frame.lazy(), wd.lazy())
        codes = bench.case_event_codes()
        assert {"OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET",
                "DOLS-NOT-COMPLETED", "WAL-PM18"} <= set(codes)
        for code in codes:
            figures = ours(code)()
            assert figures, code
            assert any(v[0] for v in figures.values()), code  # not all zero or empty
            assert floors[code](store.con) == figures, code
            assert theirs[code]() == figures, code
