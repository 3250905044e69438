"""Benchmark: measures against their floor (one DuckDB query), polars and Spark (issue 14).

    uv run python bench/bench_measures_floor.py [--rows N | --store PATH] [--keep DIR]
                                                [--no-spark] [--no-children] [--runs 3]

Operational measures (every measure over the case-event table) on a stored table of
``--rows`` generated case events (10 million by default, loaded through ``load_submission``
as ``carestat ingest`` does), or on an existing organisation store (``--store``, such as the
one ``bench_ingest_floor.py --keep`` leaves), three ways over the same stored rows:

- CareStat: ``compute_measures`` (Ibis on the store's DuckDB connection), headline and every
  breakdown, as the measures pages ask for them.
- The floor: one hand-written DuckDB query per measure over the same stored table, headline
  and breakdowns together, returning the same numbers: one aggregate at the finest grain
  (every breakdown at once; a histogram of waits for the median), then GROUPING SETS over
  that small result. (GROUPING SETS straight over the rows was slower: it hashes every
  row once per breakdown.)
- polars: a lazy polars implementation over the same rows exported from the store to Parquet
  (the export and polars's read are timed and printed apart from the measures).

Every result is checked equal to CareStat's, figure by figure. Times are the median of
``--runs`` runs after one warm-up run each (a running server reuses its compiled queries).
Targets: each measure and the total within 2x the floor, and faster than polars. Then
Spark in local mode computes the same measures with the same Ibis definitions from the
Parquet export, printed beside DuckDB. Then the children's measures (a 50,000-child CIN
census and an SSDA903 set, as bench_children.py generates them): CareStat against polars
over the store's current tables, checked equal; target faster than polars.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # when imported by the tests rather than run as a script
    sys.path.insert(0, str(HERE))

# The same period, targets, work types and key as bench_operational, whose generator makes the rows.
from bench_operational import PERIOD, SECRET, TARGETS, WORK_TYPES  # noqa: E402

from carestat.analytics.measures import operational, wales  # noqa: E402,F401  (registers them)
from carestat.analytics.measures.base import (  # noqa: E402
    REGISTRY,
    MeasureContext,
    _clean,
    _derive_value,
    compute_measures,
)
from carestat.analytics.measures.operational import period_bounds, target_for  # noqa: E402
from carestat.analytics.store import build_working_day_index  # noqa: E402

# The generated data has no adult protection enquiries: WAL-PM18 counts safeguarding
# concerns instead, so it has rows to count.
SETTINGS = {"ops_targets": TARGETS, "adult_protection_work_type": "safeguarding_concern"}
PRIORITIES = ("urgent", "high", "standard", "low")
JURISDICTION = "england"
WD_TABLE = "bench_working_days"
# Above this many rows polars and Spark scan the Parquet export in each measure instead of
# holding the rows in memory (10 million rows take about 1.1 GB in polars).
IN_MEMORY_ROWS = 20_000_000


def case_event_codes() -> list[str]:
    """Every registered measure that reads only the case-event table."""
    return sorted(code for code, d in REGISTRY.items()
                  if d.needs == (operational.TABLE,))


# -- results in one comparable form ---------------------------------------------------------
Figures = dict[tuple[str, tuple[tuple[str, str], ...]], tuple]


def figures_from_rows(code: str, by: list[str], rows: list[dict]) -> Figures:
    """Rows as ``compute_measures`` turns them into results: the same cleaning and values."""
    unit = REGISTRY[code].unit
    out: Figures = {}
    for row in rows:
        numerator = _clean(row.get("numerator"))
        denominator = _clean(row.get("denominator"))
        value = _clean(row.get("value")) if "value" in row else None
        if value is None:
            value = _derive_value(unit, numerator, denominator)
        extra = tuple(sorted((k, _clean(v)) for k, v in row.items()
                             if k not in {"numerator", "denominator", "value", *by}))
        key = (code, tuple((b, str(_clean(row[b]))) for b in by))
        out[key] = (None if value is None else float(value), numerator, denominator, extra)
    return out


def figures_from_results(results) -> Figures:
    return {(r.code, r.breakdown): (r.value, r.numerator, r.denominator,
                                    tuple(sorted(r.extra.items()))) for r in results}


def differences(ours: Figures, theirs: Figures, limit: int = 5) -> list:
    keys = sorted(set(ours) | set(theirs), key=repr)
    return [(k, ours.get(k), theirs.get(k)) for k in keys if ours.get(k) != theirs.get(k)][:limit]


# -- the floor: one hand-written DuckDB query per measure ------------------------------------
def _grouping_sets(dims: tuple[str, ...]) -> str:
    return "GROUPING SETS ((), " + ", ".join(f"({d})" for d in dims) + ")"


def _split_levels(code: str, dims: tuple[str, ...], cur) -> Figures:
    """Rows of a GROUPING SETS query (with a ``_level`` column) as figures per breakdown."""
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    out: Figures = {}
    for level, by in enumerate([[], *([d] for d in dims)]):
        mine = [{k: v for k, v in r.items() if k == "_level" or k not in dims or k in by}
                for r in rows if r["_level"] == level]
        for r in mine:
            del r["_level"]
        out.update(figures_from_rows(code, by, mine))
    return out


def _level(dims: tuple[str, ...]) -> str:
    """0 for the headline, i for the i-th dimension (from GROUPING(dims) bit masks)."""
    full = (1 << len(dims)) - 1
    cases = " ".join(f"WHEN {full ^ (1 << (len(dims) - 1 - i))} THEN {i + 1}"
                     for i in range(len(dims)))
    return f"CASE grouping({', '.join(dims)}) WHEN {full} THEN 0 {cases} END AS _level"


def _sql_int(value: int | None) -> str:
    return "NULL" if value is None else str(value)


def _target_case(kind: str, targets: dict) -> str:
    """Each row's target in seconds, as short a CASE as we can write by hand: by work type,
    then by priority only where a priority's target differs from its work type's usual one
    (a CASE over every work type and priority, 20 branches, cost more than CareStat's)."""
    other = target_for(targets, "\x00", "\x00", kind)
    whens = []
    for wt in WORK_TYPES:
        usual = target_for(targets, wt, "\x00", kind)
        inner = [f"WHEN '{pr}' THEN {_sql_int(secs)}" for pr in PRIORITIES
                 if (secs := target_for(targets, wt, pr, kind)) != usual]
        if inner:
            whens.append(f"WHEN '{wt}' THEN CASE priority {' '.join(inner)} "
                         f"ELSE {_sql_int(usual)} END")
        elif usual != other:
            whens.append(f"WHEN '{wt}' THEN {_sql_int(usual)}")
    return f"CASE work_type {' '.join(whens)} ELSE {_sql_int(other)} END" if whens \
        else _sql_int(other)


def _targeted(kind: str, targets: dict) -> str:
    """A filter on the work types that have a target, when some have none (the scan applies
    it itself, and skips row groups of the others)."""
    types = [wt for wt in WORK_TYPES
             if any(target_for(targets, wt, pr, kind) is not None for pr in PRIORITIES)]
    if len(types) == len(WORK_TYPES):
        return ""
    return " AND work_type IN (" + ", ".join(f"'{wt}'" for wt in types or ["\x00"]) + ")"


def floor_queries(table: str, wd_table: str) -> dict[str, Callable[[Any], Figures]]:
    """Each case-event measure as one SQL query over ``table`` (the store's current rows)."""
    start, end = period_bounds(MeasureContext(PERIOD, {}))
    s, e = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end}'"
    last_day = f"DATE '{PERIOD.end}'"

    def open_at_end(cols: str, where: str = "") -> str:
        """Rows open at the period end, as CareStat's definitions select them: completed at
        or after it, UNION ALL never completed (DuckDB skips row groups for the first half;
        it evaluates ``completed_at IS NULL OR completed_at >= end`` row by row; the date,
        NULL where the timestamp is, is the narrower column to scan)."""
        return " UNION ALL ".join(
            f"SELECT {cols} FROM {table} WHERE {where}received_at < {e} AND {last}"
            for last in (f"completed_at >= {e}", "completed_date IS NULL"))

    def backlog(code, where, dims):
        def run(con):
            sql = f"""
                WITH f AS (SELECT {', '.join(dims)}, count(*) AS numerator
                           FROM ({open_at_end(', '.join(dims), where)}) GROUP BY ALL)
                SELECT {_level(dims)}, {', '.join(dims)},
                       coalesce(sum(numerator), 0)::BIGINT AS numerator
                FROM f GROUP BY {_grouping_sets(dims)}"""
            return _split_levels(code, dims, con.execute(sql))
        return run

    def within(code, kind, column):
        dims = ("work_type", "priority", "team")

        def run(con):
            sql = f"""
                WITH t AS (
                  SELECT work_type, priority, team, received_at, {column},
                         {_target_case(kind, TARGETS)} AS tgt
                  FROM {table} WHERE received_at >= {s} AND received_at < {e}
                                   {_targeted(kind, TARGETS)})
                , f AS (
                  SELECT {', '.join(dims)},
                         count_if({column} IS NOT NULL
                                  AND epoch({column}) - epoch(received_at) <= tgt) AS numerator,
                         count(*) AS denominator,
                         count_if({column} IS NULL) AS {kind}_missing
                  FROM t WHERE tgt IS NOT NULL GROUP BY ALL)
                SELECT {_level(dims)}, {', '.join(dims)},
                       coalesce(sum(numerator), 0)::BIGINT AS numerator,
                       coalesce(sum(denominator), 0)::BIGINT AS denominator,
                       coalesce(sum({kind}_missing), 0)::BIGINT AS {kind}_missing
                FROM f GROUP BY {_grouping_sets(dims)}"""
            return _split_levels(code, dims, con.execute(sql))
        return run

    def wait_median(con):
        dims = ("work_type", "team", "priority")
        keys = ", ".join(dims)
        same = " AND ".join(f"s.{k} IS NOT DISTINCT FROM o.{k}" for k in ("_level", *dims))
        # Waits are whole days, so the nearest rank is read off a histogram of waits: count
        # per (group, wait), then the smallest wait whose running count reaches the rank.
        sql = f"""
            WITH hist AS (
              SELECT {keys}, completed_date - received_date AS wait, count(*) AS c
              FROM {table} WHERE completed_at >= {s} AND completed_at < {e}
              GROUP BY ALL),
            h AS (
              SELECT {_level(dims)}, {keys}, wait, sum(c) AS c FROM hist
              GROUP BY GROUPING SETS ((wait), {', '.join(f'({d}, wait)' for d in dims)})),
            r AS (
              SELECT *, sum(c) OVER (PARTITION BY _level, {keys} ORDER BY wait
                                     ROWS UNBOUNDED PRECEDING) AS cum,
                        sum(c) OVER (PARTITION BY _level, {keys}) AS n
              FROM h),
            s AS (
              SELECT _level, {keys},
                     min(wait) FILTER (WHERE cum >= (n * 50 + 99) // 100) AS value,
                     min(wait) FILTER (WHERE cum >= (n * 90 + 99) // 100) AS p90_days,
                     CAST(max(n) AS BIGINT) AS items_completed
              FROM r GROUP BY ALL),
            o AS (
              SELECT {_level(dims)}, {keys},
                     max({last_day} - received_date) AS longest_current_wait_days
              FROM ({open_at_end(f"{keys}, received_date")})
              GROUP BY {_grouping_sets(dims)})
            SELECT coalesce(s._level, o._level) AS _level,
                   {', '.join(f'coalesce(s.{k}, o.{k}) AS {k}' for k in dims)},
                   s.value, s.p90_days, coalesce(s.items_completed, 0) AS items_completed,
                   o.longest_current_wait_days
            FROM s FULL JOIN o ON {same}"""
        return _split_levels("OPS-WAIT-MEDIAN", dims, con.execute(sql))

    def pm18(con):
        dims = ("team",)
        wt = SETTINGS["adult_protection_work_type"]
        sql = f"""
            WITH f AS (
              SELECT team,
                     count_if(we.wd_index - ws.wd_index <= {wales.PM18_WORKING_DAYS}) AS numerator,
                     count(*) AS denominator
              FROM {table} t
              LEFT JOIN {wd_table} ws ON ws.date = t.received_date
              LEFT JOIN {wd_table} we ON we.date = t.completed_date
              WHERE work_type = '{wt}' AND completed_at >= {s} AND completed_at < {e}
              GROUP BY ALL)
            SELECT {_level(dims)}, team, coalesce(sum(numerator), 0)::BIGINT AS numerator,
                   coalesce(sum(denominator), 0)::BIGINT AS denominator
            FROM f GROUP BY {_grouping_sets(dims)}"""
        return _split_levels("WAL-PM18", dims, con.execute(sql))

    return {
        "OPS-BACKLOG": backlog("OPS-BACKLOG", "", ("work_type", "team", "priority")),
        "DOLS-NOT-COMPLETED": backlog(
            "DOLS-NOT-COMPLETED", "work_type = 'dols_application' AND ",
            ("team", "priority")),
        "OPS-WAIT-MEDIAN": wait_median,
        "OPS-WITHIN-TARGET": within("OPS-WITHIN-TARGET", "first_action", "first_action_at"),
        "OPS-SIGNOFF-TARGET": within("OPS-SIGNOFF-TARGET", "signoff", "signed_off_at"),
        "WAL-PM18": pm18,
    }


# -- polars ---------------------------------------------------------------------------------
def _pl_target(kind: str) -> pl.Expr:
    expr: Any = pl
    for wt in WORK_TYPES:
        for pr in PRIORITIES:
            secs = target_for(TARGETS, wt, pr, kind)
            expr = expr.when((pl.col("work_type") == wt) & (pl.col("priority") == pr)).then(
                pl.lit(secs, pl.Int64))
    return expr.otherwise(pl.lit(target_for(TARGETS, "\x00", "\x00", kind), pl.Int64))


def _pl_levels(frame: pl.LazyFrame, dims: tuple[str, ...], aggs: list[pl.Expr]):
    """The headline and one group_by per breakdown, as lazy frames."""
    return [([], frame.select(aggs))] + [([d], frame.group_by(d).agg(aggs)) for d in dims]


def _pl_collect(code: str, levels) -> Figures:
    frames = pl.collect_all([f for _, f in levels])
    out: Figures = {}
    for (by, _), frame in zip(levels, frames, strict=True):
        out.update(figures_from_rows(code, by, frame.to_dicts()))
    return out


def polars_measures(events: pl.LazyFrame, wd: pl.LazyFrame) -> dict[str, Callable[[], Figures]]:
    start, end = period_bounds(MeasureContext(PERIOD, {}))
    c = pl.col
    open_at_end = (c("received_at") < end) & (c("completed_at").is_null() | (c("completed_at") >= end))
    count = pl.len().cast(pl.Int64).alias("numerator")

    def backlog(code, frame, dims):
        return lambda: _pl_collect(code, _pl_levels(frame.filter(open_at_end), dims, [count]))

    def within(code, kind, column):
        def run():
            t = events.filter((c("received_at") >= start) & (c("received_at") < end))
            t = t.with_columns(_tgt=_pl_target(kind)).filter(c("_tgt").is_not_null())
            met = c(column).is_not_null() & (
                (c(column) - c("received_at")).dt.total_seconds() <= c("_tgt"))
            aggs = [met.sum().cast(pl.Int64).alias("numerator"),
                    pl.len().cast(pl.Int64).alias("denominator"),
                    c(column).is_null().sum().cast(pl.Int64).alias(f"{kind}_missing")]
            return _pl_collect(code, _pl_levels(t, ("work_type", "priority", "team"), aggs))
        return run

    def wait_median():
        dims = ("work_type", "team", "priority")
        done = events.filter((c("completed_at") >= start) & (c("completed_at") < end)).select(
            *dims, wait=(c("completed_date") - c("received_date")).dt.total_days())
        ranked = c("wait").sort()
        stats = [ranked.get((pl.len() * 50 + 99) // 100 - 1).alias("value"),
                 ranked.get((pl.len() * 90 + 99) // 100 - 1).alias("p90_days"),
                 pl.len().cast(pl.Int64).alias("items_completed")]
        longest = [(pl.lit(PERIOD.end) - c("received_date")).dt.total_days().max()
                   .alias("longest_current_wait_days")]
        waiting = events.filter(open_at_end)
        s_levels = _pl_levels(done, dims, stats)
        o_levels = _pl_levels(waiting, dims, longest)
        frames = pl.collect_all([f for _, f in s_levels] + [f for _, f in o_levels])
        out: Figures = {}
        for i, (by, _) in enumerate(s_levels):
            s, o = frames[i], frames[i + len(s_levels)]
            joined = (pl.concat([s, o], how="horizontal") if not by
                      else s.join(o, on=by, how="full", coalesce=True))
            joined = joined.with_columns(c("items_completed").fill_null(0))
            out.update(figures_from_rows("OPS-WAIT-MEDIAN", by, joined.to_dicts()))
        return out

    def pm18():
        wt = SETTINGS["adult_protection_work_type"]
        done = events.filter((c("work_type") == wt) & (c("completed_at") >= start)
                             & (c("completed_at") < end))
        ws = wd.select(received_date=c("date"), _ws=c("wd_index"))
        we = wd.select(completed_date=c("date"), _we=c("wd_index"))
        done = done.join(ws, on="received_date", how="left").join(we, on="completed_date",
                                                                   how="left")
        hit = (c("_we") - c("_ws")) <= wales.PM18_WORKING_DAYS
        aggs = [hit.fill_null(False).sum().cast(pl.Int64).alias("numerator"),
                pl.len().cast(pl.Int64).alias("denominator")]
        return _pl_collect("WAL-PM18", _pl_levels(done, ("team",), aggs))

    return {
        "OPS-BACKLOG": backlog("OPS-BACKLOG", events, ("work_type", "team", "priority")),
        "DOLS-NOT-COMPLETED": backlog(
            "DOLS-NOT-COMPLETED", events.filter(c("work_type") == "dols_application"),
            ("team", "priority")),
        "OPS-WAIT-MEDIAN": wait_median,
        "OPS-WITHIN-TARGET": within("OPS-WITHIN-TARGET", "first_action", "first_action_at"),
        "OPS-SIGNOFF-TARGET": within("OPS-SIGNOFF-TARGET", "signoff", "signed_off_at"),
        "WAL-PM18": pm18,
    }


# -- running and timing ----------------------------------------------------------------------
def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """(median seconds of ``runs`` runs after one warm-up, last result)."""
    result = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def carestat_runner(backend, events, wd) -> Callable[[str], Callable[[], Figures]]:
    ctx = MeasureContext(PERIOD, {operational.TABLE: events}, working_days=wd,
                         settings=SETTINGS, backend=backend)
    return lambda code: (lambda: figures_from_results(compute_measures(backend, ctx, [code])))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def load_store(work: Path, rows: int) -> Path:
    """Generate ``rows`` case events and load them into a store in ``work`` (kept if there)."""
    from bench_operational import generate

    from carestat.analytics.ingest import load_submission
    from carestat.analytics.pseudonymise import Pseudonymiser
    from carestat.analytics.store import Store

    path = work / f"measures_store_{rows}.duckdb"
    if path.exists():
        print(f"reusing the store {path}")
        return path
    csv = work / f"case_events_{rows}.csv"
    t = time.perf_counter()
    if not csv.exists():
        generate(csv, rows)
    print(f"generated {rows:,} case events in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    with Store(path) as store:
        store.con.execute("SET enable_progress_bar = false")
        store.con.execute(f"SET temp_directory = '{work / 'spill'}'")
        load_submission(store, csv, format="case_events", pseudonymiser=Pseudonymiser(SECRET),
                        jurisdiction=JURISDICTION, accept_with_errors=True)
    print(f"loaded them into {path.name} in {time.perf_counter() - t:.1f} s "
          "(ingest is bench_ingest_floor.py's subject; not part of any figure here)")
    return path


def operational_bench(store_path: Path, work: Path, runs: int, spark: bool) -> bool:
    from carestat.analytics.store import Store

    store = Store(store_path, read_only=True)
    con = store.con
    con.execute("SET enable_progress_bar = false")
    n = con.execute("SELECT count(*) FROM current_case_events").fetchone()[0]
    print(f"\n== Operational measures on {n:,} stored case events ({store_path})")
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores); each time is the median of "
          f"{runs} runs after a warm-up")
    con.register(WD_TABLE, build_working_day_index(JURISDICTION))
    events = store.backend.table("current_case_events")
    wd = store.backend.table(WD_TABLE)
    codes = case_event_codes()
    ours = carestat_runner(store.backend, events, wd)
    floors = floor_queries("current_case_events", WD_TABLE)

    parquet = work / "case_events_export.parquet"
    t = time.perf_counter()
    con.execute(f"COPY (SELECT * FROM current_case_events) TO '{parquet}' "
                "(FORMAT parquet, COMPRESSION zstd)")
    export_s = time.perf_counter() - t
    in_memory = n <= IN_MEMORY_ROWS
    if in_memory:
        t = time.perf_counter()
        frame = pl.read_parquet(parquet)
        read_s = time.perf_counter() - t
        events_pl = frame.lazy()
        print(f"polars's data: the stored rows exported to Parquet by DuckDB in {export_s:.1f} s "
              f"({parquet.stat().st_size / 1e6:,.0f} MB), read by polars into memory in "
              f"{read_s:.1f} s ({frame.estimated_size() / 1e6:,.0f} MB); neither is in the "
              "measure times below")
    else:
        events_pl = pl.scan_parquet(parquet)
        print(f"polars's data: the stored rows exported to Parquet by DuckDB in {export_s:.1f} s "
              f"({parquet.stat().st_size / 1e6:,.0f} MB); over {IN_MEMORY_ROWS:,} rows polars "
              "scans the Parquet file in each measure (its times include reading)")
    wd_frame = pl.from_arrow(build_working_day_index(JURISDICTION))
    assert isinstance(wd_frame, pl.DataFrame)
    theirs = polars_measures(events_pl, wd_frame.lazy())

    ok = True
    totals = {"carestat": 0.0, "floor": 0.0, "polars": 0.0}
    duck_figures: Figures = {}
    duck_times: dict[str, float] = {}
    print(f"\n{'measure':<20} {'CareStat':>9} {'floor':>8} {'polars':>8}   "
          "CareStat/floor  polars/CareStat  figures")
    for code in codes:
        c_s, c_fig = timed(ours(code), runs)
        f_s, f_fig = timed(lambda code=code: floors[code](con), runs)
        p_s, p_fig = timed(theirs[code], runs)
        duck_figures.update(c_fig)
        duck_times[code] = c_s
        same = c_fig == f_fig == p_fig
        if not same:
            print(f"  {code}: floor differs {differences(c_fig, f_fig)}; "
                  f"polars differs {differences(c_fig, p_fig)}")
        for k, v in (("carestat", c_s), ("floor", f_s), ("polars", p_s)):
            totals[k] += v
        ok_floor, ok_polars = c_s <= 2 * f_s, c_s < p_s
        ok = ok and same and ok_floor and ok_polars
        print(f"{code:<20} {c_s:8.3f}s {f_s:7.3f}s {p_s:7.3f}s   {c_s / f_s:5.2f}x "
              f"{verdict(ok_floor)}  {p_s / c_s:5.2f}x {verdict(ok_polars)}   "
              f"{len(c_fig)} {'equal' if same else 'DIFFER'}")
    ct, ft, pt = totals["carestat"], totals["floor"], totals["polars"]
    ok_total_floor, ok_total_polars = ct <= 2 * ft, ct < pt
    print(f"{'total':<20} {ct:8.3f}s {ft:7.3f}s {pt:7.3f}s   {ct / ft:5.2f}x "
          f"{verdict(ok_total_floor)}  {pt / ct:5.2f}x {verdict(ok_total_polars)}")
    print(f"{verdict(ok_total_floor)}: operational measures {ct / ft:.2f}x their single-query "
          f"floor in total (target within 2x; {ct:.2f} s against {ft:.2f} s)")
    print(f"{verdict(ok_total_polars)}: operational measures {pt / ct:.2f}x faster than polars "
          f"in total (target faster; {ct:.2f} s against {pt:.2f} s)")
    print(f"{verdict(ok)}: every operational measure within 2x its floor, faster than polars, "
          "and equal to both, figure by figure")
    store.close()
    if spark:
        ok = spark_bench(parquet, codes, duck_figures, duck_times, cache=in_memory) and ok
    return ok


def spark_bench(parquet: Path, codes: list[str], duck_figures: Figures,
                duck_times: dict[str, float], cache: bool = True) -> bool:
    try:
        from carestat.analytics import engines
        from carestat.analytics.store import _spark_schema

        t = time.perf_counter()
        backend = engines.spark_backend()
    except Exception as exc:  # pyspark or Java missing: said, not failed
        print(f"\nSpark skipped: {exc}")
        return True
    print(f"\n== Spark ({os.environ.get('CARESTAT_SPARK_MASTER', 'local[2]')}) on the same rows, "
          f"read from the Parquet export; session started in {time.perf_counter() - t:.1f} s")
    session = backend._session
    wd = build_working_day_index(JURISDICTION)
    session.createDataFrame([tuple(r.values()) for r in wd.to_pylist()],
                            schema=_spark_schema(wd.schema)).createOrReplaceTempView(WD_TABLE)
    events = backend.read_parquet(str(parquet), table_name="bench_case_events")
    if cache:
        t = time.perf_counter()
        session.table("bench_case_events").cache().count()
        print(f"Parquet read and cached in Spark's memory in {time.perf_counter() - t:.1f} s "
              "(not in the measure times)")
    else:
        print("Spark reads the Parquet file in each measure (too many rows to cache)")
    run = carestat_runner(backend, events, backend.table(WD_TABLE))
    total, all_same = 0.0, True
    print(f"{'measure':<20} {'Spark':>9} {'DuckDB':>9}")
    for code in codes:
        s, fig = timed(run(code), 1)
        total += s
        mine = {k: v for k, v in duck_figures.items() if k[0] == code}
        same = fig == mine
        all_same = all_same and same
        print(f"{code:<20} {s:8.2f}s {duck_times[code]:8.2f}s   "
              f"{'equal to DuckDB' if same else 'DIFFERS from DuckDB'}"
              + ("" if same else f" {differences(mine, fig)}"))
    duck_total = sum(duck_times.values())
    print(f"{'total':<20} {total:8.2f}s {duck_total:8.2f}s   "
          f"(Spark takes {total / duck_total:.1f}x DuckDB's time; one run after a warm-up)")
    print(f"{verdict(all_same)}: Spark's figures equal DuckDB's for every operational measure")
    return all_same


# -- children ---------------------------------------------------------------------------------
def children_bench(work: Path, cin: int, lac: int, runs: int) -> bool:
    from children_polars import polars_children_measures

    from carestat.analytics.ingest import load_submission
    from carestat.analytics.measures.children import compute_children_measures
    from carestat.analytics.periods import parse_period
    from carestat.analytics.pseudonymise import Pseudonymiser
    from carestat.analytics.store import Store

    data = work / f"children_{cin}_{lac}"
    store_path = data / "store.duckdb"
    if not store_path.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "bench_children.py"), "--cin", str(cin),
                        "--lac", str(lac), "--generate-only", str(data)], check=True)
        print(f"\ngenerated {cin:,} CIN and {lac:,} looked-after children "
              f"in {time.perf_counter() - t:.1f} s")
        with Store(store_path) as store:
            p = Pseudonymiser(SECRET)
            for path in sorted(data.glob("CIN_Census_*.xml")):
                load_submission(store, path, pseudonymiser=p, jurisdiction=JURISDICTION)
            load_submission(store, sorted(data.glob("SSDA903_*.csv")), pseudonymiser=p,
                            jurisdiction=JURISDICTION)
            store.working_days_table(JURISDICTION)
    store = Store(store_path)
    period_label = "2023-24"
    period = parse_period(period_label)
    c_s, results = timed(lambda: compute_children_measures(store, period_label, JURISDICTION),
                         runs)
    frames = {name: pl.from_arrow(tbl) for name, tbl in store.current_arrow().items()}
    wd = pl.from_arrow(build_working_day_index(JURISDICTION))
    p_s, theirs = timed(lambda: polars_children_measures(frames, wd, period.start, period.end),
                        runs)
    ours = {(r.code, r.breakdown): (r.numerator, r.denominator) for r in results}
    same = ours == theirs
    print(f"\n== Children's measures ({period_label}; {cin:,}-child CIN census, SSDA903 set)")
    print(f"CareStat {c_s:.3f} s (one prepared query for every figure), polars {p_s:.3f} s "
          f"over the current tables in memory; {len(ours)} figures "
          f"{'equal' if same else 'DIFFER: ' + repr(differences(ours, theirs))}")
    print("floor: CareStat's figures are already one query over the stored tables "
          "(docs/decisions/0006), so there is no smaller single query to compare with")
    print(f"{verdict(c_s < p_s)}: children's measures {p_s / c_s:.2f}x faster than polars "
          "(target faster)")
    print(f"{verdict(same)}: children's figures equal polars's, figure by figure")
    store.close()
    return same and c_s < p_s


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000,
                        help="case events to generate and store (default 10 million)")
    parser.add_argument("--store", type=Path, help="an existing organisation store to measure")
    parser.add_argument("--keep", type=Path, help="directory to keep generated data and stores in")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-children", action="store_true")
    parser.add_argument("--cin", type=int, default=50_000)
    parser.add_argument("--lac", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="carestat-measures-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        store_path = args.store or load_store(work, args.rows)
        ok = operational_bench(store_path, work, args.runs, not args.no_spark)
        if not args.no_children:
            ok = children_bench(work, args.cin, args.lac, args.runs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
