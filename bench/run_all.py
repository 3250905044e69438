"""Run every CareStat benchmark in turn and end with every ratio and its PASS/FAIL verdict.

    uv run python bench/run_all.py            # or: make bench        (every size, 30M and 100M rows included)
    uv run python bench/run_all.py --quick    # or: make bench-quick  (small sizes, for development)
    uv run python bench/run_all.py --only ingest,children   # scripts whose names contain these

Every script in bench/ runs (all but this one and names starting with "_"), whatever it is
called. Each prints its figures, the floor or baseline it computes in the same run and its
verdicts; lines starting with PASS, FAIL or INFO (or holding PASS or FAIL) are gathered into the
summary. ``--quick`` passes each known script its small sizes (``QUICK``) and any other script
``--quick`` if it takes one. The generated files are shared through one directory (``--data``),
so the 10-million-row extract is made once. The load average is printed with the figures: on a
shared machine it says how much the times can be trusted. Benchmarks are never timed tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Arguments for a full run ({data}: the shared data directory). The ingest bench keeps the
# 100-million-row store so the measures bench can run on it (DuckDB and Spark).
FULL = {
    "bench_ingest_floor.py": ["--data", "{data}", "--out-of-core", "100000000",
                              "--keep", "{data}/out-of-core"],
    "bench_measures_floor.py": ["--store", "{data}/out-of-core/store.duckdb"],
    "bench_operational.py": ["--keep", "{data}"],
}
# Small sizes, for development.
QUICK = {
    "bench_ingest_floor.py": ["--quick", "--data", "{data}"],
    "bench_operational.py": ["--rows", "1000000", "--keep", "{data}"],
    "bench_children.py": ["--cin", "5000", "--lac", "1000"],
    "bench_reports.py": ["--repeat", "1"],
    "commissioning.py": ["--rows", "50000", "--runs", "1"],
    "demand.py": ["--children", "1000", "--resamples", "100"],
    "report_render.py": ["--repeat", "1"],
}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def scripts(only: list[str]) -> list[Path]:
    # a bench is a script (it runs under ``__main__``); a module the benches import is not
    found = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_")
                   and '__name__ == "__main__"' in p.read_text())
    return [p for p in found if not only or any(o in p.name for o in only)]


def arguments(script: Path, quick: bool, data: Path) -> list[str]:
    table = QUICK if quick else FULL
    if script.name in table:
        args = [a.format(data=data) for a in table[script.name]]
    elif quick and '"--quick"' in script.read_text(encoding="utf-8"):
        args = ["--quick"]
    else:
        args = []
    if script.name == "bench_measures_floor.py" and not quick:
        store = data / "out-of-core" / "store.duckdb"
        if not store.exists():  # the ingest bench did not run or did not get that far
            args = [a for a in args if a not in ("--store", str(store))]
    return args


def verdicts(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines()
            if line.strip().startswith("INFO:") or "PASS" in line or "FAIL" in line]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--only", default="", help="comma-separated parts of script names to run")
    parser.add_argument("--data", type=Path, help="directory for generated files (default: a temporary one)")
    args = parser.parse_args(argv)
    only = [o.strip() for o in args.only.split(",") if o.strip()]
    summary = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="carestat-bench-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        print(f"CareStat benchmarks ({'quick' if args.quick else 'full'}), {time.strftime('%Y-%m-%d %H:%M %Z')}; "
              f"{load_average()}", flush=True)
        for script in scripts(only):
            extra = arguments(script, args.quick, data)
            print(f"\n=== {script.name} {' '.join(extra)}\n    {load_average()}", flush=True)
            t = time.perf_counter()
            result = subprocess.run([sys.executable, str(script), *extra], capture_output=True, text=True)
            seconds = time.perf_counter() - t
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr[-4000:])
            summary.append((script.name, result.returncode, seconds, load_average(), verdicts(result.stdout)))
            sys.stdout.flush()
    print(f"\n=== Summary: every ratio and its verdict ({time.perf_counter() - started:.0f} s)")
    for name, code, seconds, load, lines in summary:
        print(f"{name}: exit {code}, {seconds:.0f} s; {load} at its end")
        for line in lines:
            print(f"  {line}")
        if not lines:
            print("  (no verdicts printed)")
    failed = [name for name, code, *_ in summary if code != 0]
    print(f"\n{len(summary) - len(failed)} of {len(summary)} benchmarks met every target"
          + (f"; not met or failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
