"""Benchmark: children's ingest and measures at county-plus scale, against plain pandas.

    uv run python bench/bench_children.py [--cin 50000] [--lac 10000] [--keep DIR]

Generates (in a separate process, so its memory does not count) Demoshire-style data for
2021-22 to 2023-24 scaled so each year's CIN census holds about ``--cin`` children and the
SSDA903 set about ``--lac`` children over the three years; ingests it through
``load_submission`` into a DuckDB store; computes every children's measure for 2023-24 with
every breakdown; then computes the same figures with a plain pandas implementation from the
same current records, checks they agree, and prints times, peak memory (ru_maxrss) and
PASS/FAIL against the targets: CIN file ingest < 30 s, results identical to pandas; the speed
against pandas is printed for reference (issue 14 judges the measures against polars instead).
Measures are timed over several runs of each implementation: the first run in the process
(which for CareStat includes compiling the query) and the steady state (the median of the
later runs, when CareStat reuses the compiled SQL as a running server does). The target is
judged on the steady state; both are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

# Calibration of the generator (demo defaults): 7,000 simulated CIN children give about
# 2,070 children per census year; 1,700 looked-after children give about 900 distinct
# children in a three-year SSDA903 set.
CIN_PER_SIM = 2070 / 7000
LAC_PER_SIM = 900 / 1700
PERIOD = "2023-24"
RUNS = 6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(out: Path, cin: int, lac: int) -> None:
    from carestat.analytics.demo.children import write_children_demo

    write_children_demo(out, seed=2025, years=(2022, 2023, 2024),
                        cin_children=round(cin / CIN_PER_SIM),
                        lac_children=round(lac / LAC_PER_SIM))


# -- the pandas implementation -------------------------------------------------------------
def _latest(df, keys):
    # both implementations start from the store's current tables, which hold one row per
    # natural key already (Store.refresh_current), so neither de-duplicates again
    return df


def _age_band(birth_ym, end):
    end_ym = end.year * 12 + end.month - 1
    age = (end_ym - birth_ym) // 12
    return np.select(
        [birth_ym.isna(), birth_ym > end_ym, age < 1, age < 5, age < 10, age < 16],
        ["unknown", "unborn", "under 1", "1-4", "5-9", "10-15"], "16+")


def _people(df, end):
    p = _latest(df, ["child_key"])
    return pd.DataFrame({"child_key": p.child_key.values,
                         "sex": p.sex.fillna("unknown").values,
                         "age_band": _age_band(p.birth_ym.astype("float"), end),
                         "birth_ym": p.birth_ym.values})


def _with_person(df, people):
    out = df.merge(people, on="child_key", how="left")
    out["sex"] = out["sex"].fillna("unknown")
    out["age_band"] = out["age_band"].fillna("unknown")
    return out


def _ratio(code, df, hit, results, count_only=False):
    df = df.assign(_hit=np.asarray(hit, dtype=bool))
    for by in (None, "age_band", "sex", "category_of_need"):
        if by is None:
            rows = {(): (int(df._hit.sum()), len(df))}
        else:
            g = df.groupby(by, sort=True)["_hit"].agg(["sum", "size"])
            rows = {((by, str(k)),): (int(s), int(n)) for k, s, n in
                    zip(g.index, g["sum"], g["size"], strict=True)}
        for key, (num, den) in rows.items():
            results[(code, key)] = (den, None) if count_only else (num, den)


def pandas_measures(t: dict, wd: pd.Series, start: dt.date, end: dt.date) -> dict:
    from carestat.analytics.measures.children import months_before

    s, e = pd.Timestamp(start), pd.Timestamp(end)
    out: dict = {}
    cin_people = _people(t["cin_children"], end)
    lac_people = _people(t["lac_children"], end)

    refs = _latest(t["cin_referrals"], ["child_key", "referral_date"])
    inp = refs[(refs.referral_date >= s) & (refs.referral_date <= e)]
    pairs = inp[["child_key", "referral_date", "referral_date_less_12m"]].merge(
        refs[["child_key", "referral_date"]].rename(columns={"referral_date": "e_date"}),
        on="child_key")
    pairs = pairs[(pairs.e_date < pairs.referral_date) &
                  (pairs.e_date >= pairs.referral_date_less_12m)]
    hits = pd.MultiIndex.from_frame(pairs[["child_key", "referral_date"]].drop_duplicates())
    hit = pd.MultiIndex.from_frame(inp[["child_key", "referral_date"]]).isin(hits)
    inp = inp.assign(category_of_need=inp.primary_need.fillna("unknown"))
    _ratio("CIN-REREF-12M", _with_person(inp, cin_people), hit, out)

    a = _latest(t["cin_assessments"], ["child_key", "start_date"])
    a = a[(a.authorised_date >= s) & (a.authorised_date <= e)]
    a = a.assign(category_of_need=a.primary_need.fillna("unknown"),
                 _wd=a.authorised_date.map(wd) - a.start_date.map(wd))
    a = _with_person(a, cin_people)
    _ratio("CIN-ASSESS-45WD", a, a._wd <= 45, out)

    x = _latest(t["cin_section47"], ["child_key", "s47_start_date"])
    x = x[x.icpc_date.notna() & (x.icpc_date >= s) & (x.icpc_date <= e)]
    x = x.assign(category_of_need=x.primary_need.fillna("unknown"),
                 _wd=x.icpc_date.map(wd) - x.s47_start_date.map(wd))
    x = _with_person(x, cin_people)
    _ratio("CIN-ICPC-15WD", x, x._wd <= 15, out)

    c = _latest(t["cin_cp_plans"], ["child_key", "start_date"])
    c = c[c.end_date.notna() & (c.end_date >= s) & (c.end_date <= e)]
    c = _with_person(c.assign(category_of_need=c.primary_need.fillna("unknown")), cin_people)
    _ratio("CIN-CPP-2YR", c, c.end_date >= c.second_anniversary, out)

    ep = _latest(t["lac_episodes"], ["child_key", "decom"])
    open_ = ep[(ep.decom <= e) & (ep.dec.isna() | (ep.dec > e)) & ~ep.ls.isin(["V3", "V4"])]
    lac = open_.groupby("child_key", as_index=False).agg(category_of_need=("cin", "max"))
    lac["category_of_need"] = lac.category_of_need.fillna("unknown")
    lacp = _with_person(lac, lac_people)
    _ratio("LAC-COUNT", lacp, np.ones(len(lacp), bool), out, count_only=True)

    moves = ep[(ep.decom > s) & (ep.decom <= e) & ep.rne.isin(["P", "T", "B", "U"]) &
               ~ep.ls.isin(["V3", "V4"])].groupby("child_key").size().rename("moves")
    three = lacp.merge(moves, left_on="child_key", right_index=True, how="left")
    _ratio("LAC-3PLUS-PLACEMENTS", three, 1 + three.moves.fillna(0) >= 3, out)

    prev = ep.loc[ep.dec.notna(), ["child_key", "dec"]].drop_duplicates()
    prev = pd.MultiIndex.from_frame(prev.rename(columns={"dec": "decom"}))
    ep = ep.assign(is_first=~pd.MultiIndex.from_frame(ep[["child_key", "decom"]]).isin(prev))
    ep = ep[ep.decom <= e]
    care = ep[(ep.rne == "S") | ep.is_first].groupby("child_key").decom.max().rename("care")
    place = ep[ep.rne.isin(["S", "P", "B"]) | ep.is_first].groupby("child_key").decom.max() \
        .rename("place")
    lt = lacp.merge(care, left_on="child_key", right_index=True, how="left") \
        .merge(place, left_on="child_key", right_index=True, how="left")
    end_ym = end.year * 12 + end.month - 1
    lt = lt[lt.birth_ym.notna() & ((end_ym - lt.birth_ym) // 12 < 16) &
            (lt.care <= pd.Timestamp(months_before(end, 30)))]
    _ratio("LAC-LT-STABILITY", lt, lt.place.notna() &
           (lt.place <= pd.Timestamp(months_before(end, 24))), out)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cin", type=int, default=50_000)
    parser.add_argument("--lac", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="write the data and store here")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.cin, args.lac)
        return 0

    from carestat.analytics.ingest import load_submission
    from carestat.analytics.measures.children import compute_children_measures
    from carestat.analytics.periods import parse_period
    from carestat.analytics.pseudonymise import Pseudonymiser
    from carestat.analytics.store import Store, build_working_day_index

    work = args.keep or Path(tempfile.mkdtemp(prefix="carestat-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--cin", str(args.cin), "--lac", str(args.lac),
                    "--generate-only", str(work)], check=True)
    print(f"generated in {time.perf_counter() - t0:.1f} s into {work}")
    cin_files = sorted(work.glob("CIN_Census_*.xml"))
    lac_files = sorted(work.glob("SSDA903_*.csv"))

    store_path = work / "store.duckdb"
    if store_path.exists():
        store_path.unlink()
    store = Store(store_path)
    p = Pseudonymiser(os.environ.get("CARESTAT_BENCH_SECRET", "benchmark-secret-0123456789"))
    cin_times = []
    for path in cin_files:
        t = time.perf_counter()
        r = load_submission(store, path, pseudonymiser=p, jurisdiction="england")
        cin_times.append(time.perf_counter() - t)
        print(f"ingest {path.name}: {r.rows['cin_children']:,} children, "
              f"{path.stat().st_size / 1e6:.0f} MB, {cin_times[-1]:.1f} s, "
              f"{len(r.report.warnings)} warnings")
    t = time.perf_counter()
    r = load_submission(store, lac_files, pseudonymiser=p, jurisdiction="england")
    lac_time = time.perf_counter() - t
    distinct = store.con.execute(
        "SELECT count(DISTINCT child_key) FROM lac_episodes").fetchone()[0]
    print(f"ingest SSDA903 set ({len(lac_files)} files, {distinct:,} children, "
          f"{sum(r.rows.values()):,} rows): {lac_time:.1f} s")
    rss_ingest = peak_rss_mb()
    print(f"peak memory after ingest: {rss_ingest:.0f} MB (ru_maxrss)")

    store.working_days_table("england")  # built once per store, as in real use
    # The first computation in a process builds the Ibis expression and compiles it to SQL;
    # later ones (another period, or the same period after the next return) run the cached
    # SQL, as in a running server. Both are timed; each implementation runs RUNS times and
    # the steady state is the median of the runs after the first.
    duck_times, results = [], None
    for _ in range(RUNS):
        t = time.perf_counter()
        results = compute_children_measures(store, PERIOD, "england")
        duck_times.append(time.perf_counter() - t)
    duck_cold, duck_warm = duck_times[0], statistics.median(duck_times[1:])
    print(f"measures on DuckDB: {len(results)} figures; first run {duck_cold:.3f} s "
          f"(builds and compiles the query), then median {duck_warm:.3f} s "
          f"(runs: {', '.join(f'{x:.3f}' for x in duck_times)})")

    period = parse_period(PERIOD)
    frames = {name: tbl.to_pandas(date_as_object=False)
              for name, tbl in store.current_arrow().items()}
    wd = build_working_day_index("england").to_pandas(date_as_object=False)
    wd = wd.set_index("date")["wd_index"]
    pandas_times, expected = [], None
    for _ in range(RUNS):
        t = time.perf_counter()
        expected = pandas_measures(frames, wd, period.start, period.end)
        pandas_times.append(time.perf_counter() - t)
    pandas_cold, pandas_warm = pandas_times[0], statistics.median(pandas_times[1:])
    print(f"measures in pandas: {len(expected)} figures; first run {pandas_cold:.3f} s, "
          f"then median {pandas_warm:.3f} s "
          f"(runs: {', '.join(f'{x:.3f}' for x in pandas_times)})")
    got = {(r.code, r.breakdown): (r.numerator, r.denominator) for r in results}
    agree = got == expected
    if not agree:
        diff = sorted(set(got.items()) ^ set(expected.items()))[:10]
        print("DIFFERENCES (ibis vs pandas):", diff)
    print(f"peak memory overall: {peak_rss_mb():.0f} MB (ru_maxrss)")
    ratio = pandas_warm / duck_warm
    worst_cin = max(cin_times)
    print()
    print(f"CIN ingest (largest file) {worst_cin:.1f} s  target < 30 s: "
          f"{'PASS' if worst_cin < 30 else 'FAIL'}")
    # Issue 14 replaced the old "5x pandas" target with polars, judged by bench_measures_floor.py.
    print(f"INFO: measures {ratio:.1f}x faster than pandas (steady state; no target: "
          "bench_measures_floor.py judges the children's measures against polars)")
    print(f"  (first run in the process, compiling the query: "
          f"{pandas_cold / duck_cold:.1f}x faster than pandas's first run)")
    print(f"results identical to pandas: {'PASS' if agree else 'FAIL'}")
    for r in results:
        if not r.breakdown:
            print(f"  {r.code:22} {r.value!s:>12}  ({r.numerator} / {r.denominator})")
    store.close()
    return 0 if (worst_cin < 30 and agree) else 1


if __name__ == "__main__":
    raise SystemExit(main())
