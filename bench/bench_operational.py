"""Benchmark: 10 million case events ingested, every operational measure and a forecast.

Run: ``uv run python bench/bench_operational.py [--rows N] [--keep DIR]``

CareStat's path (``load_submission`` into an organisation's store, as ``carestat ingest``
does: DuckDB read, SQL validation, pseudonymisation of each distinct person, one INSERT inside the load's
transaction, the current view; then the Ibis measures and a forecast) runs first so its
peak memory (ru_maxrss, which only grows) is measured alone; then a plain pandas
implementation of the same steps runs in the same process and both sets of figures are
compared. Targets on a 2-core machine: CareStat under 60 s and 2 GB peak. The speed against
pandas is printed for reference: issue 14 replaced the old "5 times pandas" target with the
floor and polars (bench_ingest_floor.py, bench_measures_floor.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from carestat.analytics.forecast import Scenario, forecast_backlog
from carestat.analytics.ingest import load_submission
from carestat.analytics.measures import operational  # noqa: F401  (registers the measures)
from carestat.analytics.measures.base import MeasureContext, Period, compute_measures
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.store import Store

SECRET = "benchmark-secret-0123456789"
PERIOD = Period("2025-26-Q1", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
TARGETS = {
    "safeguarding_concern": {
        "urgent": {"first_action_hours": 24},
        "standard": {"first_action_days": 3},
        "*": {"signoff_days": 5},
    },
    "*": {"*": {"first_action_days": 10}},
}
OPS_CODES = ["OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET",
             "DOLS-NOT-COMPLETED"]
WORK_TYPES = ["ot_assessment", "care_act_assessment", "dols_application", "safeguarding_concern",
              "review"]


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """Write ``rows`` synthetic events straight to CSV from DuckDB (no Python rows)."""
    con = duckdb.connect()
    con.execute(f"SELECT setseed({1 / (seed + 1)})")
    types = "[" + ", ".join(f"'{w}'" for w in WORK_TYPES) + "]"
    con.execute(
        f"""
        COPY (
          WITH base AS (
            SELECT i,
                   TIMESTAMP '2023-04-01' + to_seconds(CAST(random() * 3 * 365 * 86400 AS BIGINT)) AS rec,
                   random() AS u1, random() AS u2, random() AS u3
            FROM range({rows}) t(i)
          ), timed AS (
            SELECT *,
                   rec + to_seconds(CAST(u1 * u1 * 5 * 86400 AS BIGINT)) AS act,
                   CASE WHEN u2 < 0.9
                        THEN rec + to_seconds(CAST((3 + u2 * 60) * 86400 * u3 AS BIGINT) + 86400)
                   END AS done
            FROM base
          )
          SELECT 'W' || i AS item_id,
                 'P' || CAST(hash(i % {max(rows // 4, 1)}) % 100000000 AS VARCHAR) AS person_id,
                 {types}[1 + CAST(u3 * 5 AS INTEGER) % 5] AS work_type,
                 'Team ' || (1 + i % 12) AS team,
                 CASE WHEN u1 < 0.3 THEN 'urgent' ELSE 'standard' END AS priority,
                 strftime(rec, '%Y-%m-%dT%H:%M') AS received_at,
                 strftime(act, '%Y-%m-%dT%H:%M') AS first_action_at,
                 strftime(done, '%Y-%m-%dT%H:%M') AS completed_at,
                 CASE WHEN done IS NOT NULL AND u2 < 0.8
                      THEN strftime(done + INTERVAL 2 HOUR, '%Y-%m-%dT%H:%M') END AS signed_off_at,
                 CASE WHEN done IS NOT NULL THEN 'completed' END AS outcome
          FROM timed
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )
    con.close()


def carestat_path(csv: Path, workdir: Path) -> dict:
    """The real path: load_submission into an organisation's store, then its current table."""
    timings = {}
    c0 = cpu_s()
    t0 = time.perf_counter()
    path = workdir / "store.duckdb"
    path.unlink(missing_ok=True)
    store = Store(path)
    con = store.con
    con.execute("SET memory_limit = '1500MB'")
    con.execute(f"SET temp_directory = '{workdir / 'spill'}'")
    marks = []

    def progress(done, total, message):
        marks.append((time.perf_counter() - t0, message))

    loaded = load_submission(store, csv, format="case_events", pseudonymiser=Pseudonymiser(SECRET),
                             jurisdiction="england", accept_with_errors=True, progress=progress)
    timings["ingest"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    backend = store.backend
    events = store.current_tables()["case_events"]
    ctx = MeasureContext(PERIOD, {"case_events": events}, settings={"ops_targets": TARGETS})
    results = compute_measures(backend, ctx, OPS_CODES)
    timings["measures"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    forecast = forecast_backlog(backend, events, "ot_assessment", as_of=PERIOD.end,
                                scenarios=[Scenario("Managed service", 40 * 400, PERIOD.end, 26)])
    timings["forecast"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    timings["cpu"] = cpu_s() - c0
    headline = {r.code: (r.numerator, r.denominator, r.value, dict(r.extra))
                for r in results if not r.breakdown}
    store.close()
    return {"timings": timings, "rows": loaded.rows["case_events"],
            "errors": loaded.quarantined_records, "steps": marks,
            "headline": headline, "forecast": forecast["scenarios"][0]["summary"]}


def pandas_path(csv: Path) -> dict:
    import numpy as np
    import pandas as pd

    timings = {}
    c0 = cpu_s()
    t0 = time.perf_counter()
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
    # validation: required, format, order, duplicates, priority
    for c in ("item_id", "person_id", "work_type", "team", "priority", "received_at"):
        df[c].isna().sum()
    for c in ("received_at", "first_action_at", "completed_at", "signed_off_at"):
        local = pd.to_datetime(df[c], format="%Y-%m-%dT%H:%M", errors="coerce")
        df[c] = (local.dt.tz_localize("Europe/London", ambiguous=True, nonexistent="shift_forward")
                 .dt.tz_convert("UTC").dt.tz_localize(None))
    bad_order = ((df.first_action_at < df.received_at) | (df.completed_at < df.received_at)
                 | (df.signed_off_at < df.completed_at))
    dup = df.item_id.duplicated()
    bad_prio = ~df.priority.isin(["urgent", "high", "standard", "low"])
    df = df[~(bad_order | dup | bad_prio)]
    secret = SECRET.encode()
    uniq = df.person_id.unique()
    keys = {p: hmac.new(secret, f"adult:{p.strip().upper()}".encode(), hashlib.sha256).hexdigest()[:20]
            for p in uniq}
    df["person_key"] = df.person_id.map(keys)
    df = df.drop(columns=["person_id"])
    rec_local = df.received_at.dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    done_local = df.completed_at.dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    df["received_date"] = rec_local.dt.normalize().dt.tz_localize(None)
    df["completed_date"] = done_local.dt.normalize().dt.tz_localize(None)
    timings["ingest"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    start = pd.Timestamp("2025-04-01 00:00") - pd.Timedelta(hours=1)  # BST
    end = pd.Timestamp("2025-07-01 00:00") - pd.Timedelta(hours=1)
    out = {}
    open_ = df[(df.received_at < end) & (df.completed_at.isna() | (df.completed_at >= end))]
    out["OPS-BACKLOG"] = len(open_)
    for b in ("work_type", "team", "priority"):
        open_.groupby(b).size()
    out["DOLS-NOT-COMPLETED"] = int((open_.work_type == "dols_application").sum())
    done = df[(df.completed_at >= start) & (df.completed_at < end)]
    wait = (done.completed_date - done.received_date).dt.days
    out["OPS-WAIT-MEDIAN"] = float(np.sort(wait.to_numpy())[(len(wait) * 50 + 99) // 100 - 1])
    for b in ("work_type", "team", "priority"):
        wait.groupby(done[b]).median()
    rec = df[(df.received_at >= start) & (df.received_at < end)]
    tgt = np.where(rec.work_type == "safeguarding_concern",
                   np.where(rec.priority == "urgent", 24 * 3600, 3 * 86400), 10 * 86400)
    secs = (rec.first_action_at - rec.received_at).dt.total_seconds()
    met = (secs <= tgt)
    out["OPS-WITHIN-TARGET"] = (int(met.sum()), len(rec))
    for b in ("work_type", "team", "priority"):
        met.groupby(rec[b]).mean()
    sg = rec[rec.work_type == "safeguarding_concern"]
    s_ok = (sg.signed_off_at - sg.received_at).dt.total_seconds() <= 5 * 86400
    out["OPS-SIGNOFF-TARGET"] = (int(s_ok.sum()), len(sg))
    for b in ("work_type", "team", "priority"):
        s_ok.groupby(sg[b]).mean()
    timings["measures"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    ot = df[df.work_type == "ot_assessment"]
    weekly_a = ot.received_date.dt.to_period("W-SUN").value_counts()
    weekly_c = ot.completed_date.dt.to_period("W-SUN").value_counts()
    weekly_a.sub(weekly_c, fill_value=0).sort_index().cumsum()
    timings["forecast"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    timings["cpu"] = cpu_s() - c0
    return {"timings": timings, "headline": out}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="directory to keep the generated CSV in")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        csv = workdir / f"case_events_{args.rows}.csv"
        t = time.perf_counter()
        if not csv.exists():
            generate(csv, args.rows)
        print(f"generated {args.rows:,} events ({csv.stat().st_size / 1e9:.2f} GB) "
              f"in {time.perf_counter() - t:.1f} s")
        print(f"load average before the run: {os.getloadavg()[0]:.1f} (2 cores)")
        base_rss = peak_mb()
        ours = carestat_path(csv, workdir)
        our_peak = peak_mb()
        print("\nCareStat (DuckDB + Ibis):")
        for k, v in ours["timings"].items():
            print(f"  {k:<9} {v:7.2f} s" + (" (CPU time, user + system)" if k == "cpu" else ""))
        print(f"  peak memory {our_peak:,.0f} MB (process before ingest: {base_rss:,.0f} MB)")
        print(f"  rows stored {ours['rows']:,}, rows with errors left out {ours['errors']:,}")
        for at, message in ours["steps"]:
            print(f"    {at:6.1f} s  {message}")
        for code, (n, d, v, extra) in ours["headline"].items():
            print(f"  {code:<20} value={v} numerator={n} denominator={d} {extra or ''}")
        print(f"  forecast (ot_assessment, current capacity): {ours['forecast']}")
        ok_time = ours["timings"]["total"] < 60
        ok_mem = our_peak < 2048
        print(f"\n{'PASS' if ok_time else 'FAIL'}: total {ours['timings']['total']:.1f} s (target < 60 s)")
        print(f"{'PASS' if ok_mem else 'FAIL'}: peak {our_peak:,.0f} MB (target < 2,048 MB)")
        if args.skip_pandas:
            return 0 if ok_time and ok_mem else 1
        theirs = pandas_path(csv)
        print("\npandas:")
        for k, v in theirs["timings"].items():
            ratio = v / ours["timings"][k] if ours["timings"][k] else float("inf")
            print(f"  {k:<9} {v:7.2f} s   ({ratio:.1f}x CareStat's time)")
        print(f"  peak memory (whole process) {peak_mb():,.0f} MB")
        for code, v in theirs["headline"].items():
            print(f"  {code:<20} {v}")
        ratio = theirs["timings"]["total"] / ours["timings"]["total"]
        # Issue 14 replaced the old "5x pandas" target with the floor and polars, judged by
        # bench_ingest_floor.py and bench_measures_floor.py; pandas stays here as a reference.
        print(f"\nINFO: CareStat is {ratio:.1f}x pandas's speed, load and measures together (no target: "
              "bench_ingest_floor.py and bench_measures_floor.py judge against the floor and polars)")
        return 0 if ok_time and ok_mem else 1


if __name__ == "__main__":
    sys.exit(main())
