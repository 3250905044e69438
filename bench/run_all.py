"""Run every CareStat benchmark in turn and summarise PASS/FAIL against its targets.

    uv run python bench/run_all.py            # or: make bench

Each benchmark prints its own figures and compares them with a baseline it computes in the
same run (a plain pandas implementation) and with the targets its issue sets. Benchmarks
are never timed tests: figures depend on the machine and what else it is doing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    summary = []
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr[-4000:])
        verdicts = [line.strip() for line in result.stdout.splitlines() if "PASS" in line or "FAIL" in line]
        summary.append((script.name, result.returncode, verdicts))
    print("\n=== Summary")
    for name, code, verdicts in summary:
        print(f"{name}: exit {code}")
        for v in verdicts:
            print(f"  {v}")
    return 0 if all(code == 0 for _, code, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
