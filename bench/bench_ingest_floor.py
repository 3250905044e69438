"""Benchmark: ingest against the physical floor (issue 14): what the machine does at best.

    uv run python bench/bench_ingest_floor.py [--rows 10000000] [--sizes 1000000,3000000,10000000,30000000]
        [--out-of-core 100000000 --keep DIR] [--cin 50000] [--data DIR] [--quick]

On the same generated case-event CSV (bench_operational's generator), each in a process of
its own so its peak memory (ru_maxrss) is its own:

- the floors: DuckDB's own ``read_csv`` into a table of the same columns and types in a file
  database, as the store is (the least a load can do), and SHA-256 of the file (hashlib,
  streamed);
- CareStat's real load: ``load_submission`` into an organisation's store, as ``carestat
  ingest`` does, which reports its stages' times (hash, read, checks, keying, store).

It prints each stage against the read-and-store floor, and the whole load against it: the
target is everything included (hash, checks, pseudonymisation, store) within 1.5x the floor.
Wall-clock time is judged; CPU time (user + system) is printed beside it, as on a shared
machine it says more about the work done. Then the peak memory of the load at each of
``--sizes`` (target: under 2 GB at 10 million rows, growing no faster than the rows), the
out-of-core load (``--out-of-core``; target: under 8 GB, DuckDB spilling to disk; ``--keep``
keeps its store for bench_measures_floor.py's ``--store``), and the 50,000-child CIN census
against one lxml ``iterparse`` pass over the file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = "benchmark-secret-0123456789"
FLOOR_RATIO = 1.5
MEMORY_10M_MB = 2048
OUT_OF_CORE_MB = 8192
STAGES = ("hash", "read", "checks", "keying", "store")
FLOOR_COLUMNS = {
    "item_id": "VARCHAR", "person_id": "VARCHAR", "work_type": "VARCHAR", "team": "VARCHAR",
    "priority": "VARCHAR", "received_at": "TIMESTAMP", "first_action_at": "TIMESTAMP",
    "completed_at": "TIMESTAMP", "signed_off_at": "TIMESTAMP", "outcome": "VARCHAR",
}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min; {os.cpu_count()} cores)"


# -- what runs in a child process ----------------------------------------------------------
def _usage() -> dict:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": r.ru_utime + r.ru_stime, "peak_mb": r.ru_maxrss / 1024}


def _fresh(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def child_floor(csv: Path, db: Path) -> dict:
    import duckdb

    _fresh(db)
    con = duckdb.connect(str(db))
    con.execute("SET memory_limit = '1500MB'")
    before = _usage()
    t = time.perf_counter()
    con.execute("CREATE TABLE events AS SELECT * FROM read_csv(?, columns = ?, header = true, "
                "auto_detect = false, delim = ',', quote = '\"', escape = '\"')",
                [str(csv), FLOOR_COLUMNS])
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    con.close()
    _fresh(db)
    after = _usage()
    return {"seconds": seconds, "cpu": after["cpu"] - before["cpu"], "peak_mb": after["peak_mb"]}


def child_sha(csv: Path) -> dict:
    import hashlib

    before = _usage()
    t = time.perf_counter()
    with open(csv, "rb") as fh:
        hashlib.file_digest(fh, "sha256").hexdigest()
    return {"seconds": time.perf_counter() - t, "cpu": _usage()["cpu"] - before["cpu"]}


def child_load(csv: Path, db: Path, fmt: str, keep: bool) -> dict:
    from carestat.analytics.ingest import load_submission
    from carestat.analytics.pseudonymise import Pseudonymiser
    from carestat.analytics.store import Store

    if not keep:
        _fresh(db)
    store = Store(db)
    before = _usage()
    t = time.perf_counter()
    result = load_submission(store, csv, format=fmt, pseudonymiser=Pseudonymiser(SECRET),
                             jurisdiction="england", accept_with_errors=True)
    store.con.execute("CHECKPOINT")  # the floor's table is on disk too
    seconds = time.perf_counter() - t
    store.close()
    if not keep:
        _fresh(db)
    after = _usage()
    return {"seconds": seconds, "cpu": after["cpu"] - before["cpu"], "peak_mb": after["peak_mb"],
            "timings": result.timings, "rows": sum(result.rows.values()),
            "left_out": result.quarantined_records, "status": result.status}


def child_iterparse(xml: Path) -> dict:
    from lxml import etree

    before = _usage()
    t = time.perf_counter()
    children = 0
    for _, elem in etree.iterparse(str(xml), events=("end",)):
        if etree.QName(elem).localname == "Child":
            children += 1
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    return {"seconds": time.perf_counter() - t, "cpu": _usage()["cpu"] - before["cpu"],
            "children": children}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- data ------------------------------------------------------------------------------------
def case_events_csv(data: Path, rows: int) -> Path:
    csv = data / f"case_events_{rows}.csv"
    if not csv.exists():
        sys.path.insert(0, str(HERE))
        from bench_operational import generate

        t = time.perf_counter()
        part = csv.with_name(csv.name + ".part")
        generate(part, rows)
        part.rename(csv)
        print(f"  generated {rows:,} case events ({csv.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
    return csv


def cin_xml(data: Path, children: int) -> Path:
    out = data / f"cin_{children}"
    files = sorted(out.glob("CIN_Census_*.xml"))
    if not files:
        subprocess.run([sys.executable, str(HERE / "bench_children.py"), "--cin", str(children),
                        "--lac", "100", "--generate-only", str(out)], check=True)
        files = sorted(out.glob("CIN_Census_*.xml"))
    return files[-1]


# -- the parts of the run ------------------------------------------------------------------
def floor_comparison(csv: Path, work: Path, rows: int, repeat: int) -> list[tuple[str, bool]]:
    print(f"\n== {rows:,} case events against the floor ({csv.stat().st_size / 1e9:.2f} GB); "
          f"{load_average()}", flush=True)
    floors, shas, loads = [], [], []
    for _ in range(repeat):  # interleaved, so a busy spell on the machine falls on both
        floors.append(run_child("floor", str(csv), str(work / "floor.duckdb")))
        shas.append(run_child("sha", str(csv)))
        loads.append(run_child("load", str(csv), str(work / "store.duckdb"), "case_events", ""))
    floor = min(floors, key=lambda r: r["seconds"])
    sha = min(shas, key=lambda r: r["seconds"])
    ours = min(loads, key=lambda r: r["seconds"])
    base = floor["seconds"]
    print(f"  floor: DuckDB read_csv into a file table  {base:7.2f} s  (CPU {floor['cpu']:.1f} s, "
          f"peak {floor['peak_mb']:,.0f} MB)")
    print(f"  floor: SHA-256 of the file                {sha['seconds']:7.2f} s  (CPU {sha['cpu']:.1f} s)")
    print(f"  CareStat load_submission                  {ours['seconds']:7.2f} s  (CPU {ours['cpu']:.1f} s); "
          f"{ours['rows']:,} rows stored, {ours['left_out']:,} left out, peak {ours['peak_mb']:,.0f} MB")
    t = ours["timings"]
    print("  stage by stage (wall-clock; hash runs in a thread beside read, keying beside checks):")
    for stage in STAGES:
        against = f"{t.get(stage, 0) / base:5.2f}x the read-and-store floor"
        if stage == "hash":
            against += f", {t['hash'] / sha['seconds']:.2f}x the SHA-256 floor; waited for it " \
                       f"{t.get('hash_wait', 0):.2f} s after reading"
        print(f"    {stage:<7} {t.get(stage, 0):7.2f} s  {against}")
    if "checks_and_keying" in t:
        print(f"    checks and keying together {t['checks_and_keying']:.2f} s")
    overhead = ours["seconds"] - t.get("total", ours["seconds"])
    print(f"    (the store's checkpoint after the load: {overhead:.2f} s)")
    ratio = ours["seconds"] / base
    cpu_ratio = ours["cpu"] / floor["cpu"] if floor["cpu"] else float("inf")
    ok = ratio <= FLOOR_RATIO
    line = (f"{verdict(ok)}: {rows:,} case events, everything included, {ratio:.2f}x the DuckDB "
            f"read-and-store floor ({ours['seconds']:.1f} s against {base:.1f} s; CPU "
            f"{cpu_ratio:.2f}x) (target <= {FLOOR_RATIO}x)")
    print(line)
    return [(line, ok)]


def memory_by_size(data: Path, work: Path, sizes: list[int]) -> list[tuple[str, bool]]:
    print(f"\n== peak memory of the load by size (each in a process of its own); {load_average()}",
          flush=True)
    peaks = []
    for rows in sizes:
        csv = case_events_csv(data, rows)
        r = run_child("load", str(csv), str(work / "store.duckdb"), "case_events", "")
        peaks.append((rows, r["peak_mb"]))
        print(f"  {rows:>12,} rows  {r['peak_mb']:8,.0f} MB  {r['seconds']:7.1f} s  "
              f"({r['peak_mb'] * 1e6 / rows:,.0f} bytes a row)", flush=True)
    out = []
    at_10m = [mb for rows, mb in peaks if rows == 10_000_000]
    if at_10m:
        ok = at_10m[0] < MEMORY_10M_MB
        line = f"{verdict(ok)}: peak memory at 10,000,000 rows {at_10m[0]:,.0f} MB (target < {MEMORY_10M_MB:,} MB)"
        print(line)
        out.append((line, ok))
    if len(peaks) > 1:
        steps = [(b_mb / a_mb, b_rows / a_rows) for (a_rows, a_mb), (b_rows, b_mb)
                 in zip(peaks, peaks[1:], strict=False)]
        ok = all(mem <= rows for mem, rows in steps)
        line = (f"{verdict(ok)}: memory grows no faster than the rows: "
                + ", ".join(f"x{mem:.2f} for x{rows:.1f} rows" for mem, rows in steps))
        print(line)
        out.append((line, ok))
    return out


def out_of_core(data: Path, work: Path, rows: int, keep: Path | None) -> list[tuple[str, bool]]:
    print(f"\n== out of core: {rows:,} case events; {load_average()}", flush=True)
    csv = case_events_csv(data, rows)
    store = (keep or work) / "store.duckdb"
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        _fresh(store)
    r = run_child("load", str(csv), str(store), "case_events", "keep" if keep else "")
    t = r["timings"]
    print(f"  {r['seconds']:.1f} s (CPU {r['cpu']:.1f} s), peak {r['peak_mb']:,.0f} MB, "
          f"{r['rows']:,} rows stored; " + ", ".join(f"{s} {t.get(s, 0):.1f} s" for s in STAGES))
    if keep:
        print(f"  store kept: {store} (bench_measures_floor.py --store {store})")
    ok = r["peak_mb"] < OUT_OF_CORE_MB
    line = (f"{verdict(ok)}: {rows:,} case events loaded in {r['seconds']:.0f} s with peak memory "
            f"{r['peak_mb']:,.0f} MB (target < {OUT_OF_CORE_MB:,} MB)")
    print(line)
    return [(line, ok)]


def cin_against_iterparse(data: Path, work: Path, children: int) -> list[tuple[str, bool]]:
    print(f"\n== CIN census of about {children:,} children against one lxml iterparse pass; "
          f"{load_average()}", flush=True)
    xml = cin_xml(data, children)
    floor = run_child("iterparse", str(xml))
    ours = run_child("load", str(xml), str(work / "cin.duckdb"), "cin", "")
    t = ours["timings"]
    print(f"  {xml.name}: {xml.stat().st_size / 1e6:.0f} MB, {floor['children']:,} children")
    print(f"  floor: one iterparse pass  {floor['seconds']:6.2f} s (CPU {floor['cpu']:.1f} s)")
    print(f"  CareStat load_submission   {ours['seconds']:6.2f} s (CPU {ours['cpu']:.1f} s); "
          + ", ".join(f"{s} {t.get(s, 0):.2f} s" for s in STAGES) + f"; total {t.get('total', 0):.2f} s")
    ratio = ours["seconds"] / floor["seconds"]
    line = (f"INFO: CIN census ingest {ratio:.1f}x one iterparse pass ({ours['seconds']:.1f} s "
            f"against {floor['seconds']:.1f} s; no target: the schema check and rules per child are "
            "the load's work)")
    print(line)
    return [(line, True)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=10_000_000,
                        help="rows of the floor comparison (0: skip it)")
    parser.add_argument("--sizes", default="1000000,3000000,10000000,30000000",
                        help="rows at which to measure peak memory, comma-separated ('' for none)")
    parser.add_argument("--out-of-core", type=int, default=0, metavar="ROWS",
                        help="also load this many rows (100000000 for issue 14), at most twice a day")
    parser.add_argument("--keep", type=Path, help="keep the out-of-core store in this directory")
    parser.add_argument("--cin", type=int, default=50_000, help="children in the CIN census (0: skip)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="interleaved runs of floor and load, the best of each used (a busy spell "
                             "on a shared machine can fall on either)")
    parser.add_argument("--data", type=Path, help="generate (or reuse) the files here")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for development: 1M rows, sizes 300k and 1M, 5,000 children")
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "floor":
            out = child_floor(Path(rest[0]), Path(rest[1]))
        elif kind == "sha":
            out = child_sha(Path(rest[0]))
        elif kind == "load":
            out = child_load(Path(rest[0]), Path(rest[1]), rest[2], keep=rest[3:] == ["keep"])
        else:
            out = child_iterparse(Path(rest[0]))
        print(json.dumps(out, default=str))
        return 0
    if args.quick:
        args.rows, args.sizes, args.cin, args.repeat = 1_000_000, "300000,1000000", 5_000, 1
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="carestat-ingest-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        work = Path(tmp)
        print(f"files in {data}; {load_average()}", flush=True)
        results = []
        if args.rows:
            results += floor_comparison(case_events_csv(data, args.rows), work, args.rows, args.repeat)
        if sizes:
            results += memory_by_size(data, work, sizes)
        if args.out_of_core:
            results += out_of_core(data, work, args.out_of_core, args.keep)
        if args.cin:
            results += cin_against_iterparse(data, work, args.cin)
    print(f"\n== summary ({load_average()})")
    for line, _ in results:
        print(line)
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
