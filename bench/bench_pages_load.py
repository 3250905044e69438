"""Pages under load (issue #14 item 5): 50 people browsing CareStat on PostgreSQL for 60 s.

    .venv/bin/python bench/bench_pages_load.py            # or: make bench (runs every bench_*.py)

What it does, in one run:

1. creates its own PostgreSQL database ``carestat_bench`` on 127.0.0.1:5432 (user postgres, trust)
   and a throwaway data directory, migrates, and loads the demo (``carestat demo --no-serve``);
2. starts the production server as README's "Running at scale" sizes it for a 2-core machine:
   two ``carestat serve`` processes of 4 threads each (Waitress), bound to 127.0.0.1; the
   client spreads people across the two as a proxy would;
3. signs in 50 simulated people (10 on each of Demoshire's five demo accounts: admin, manager,
   contributor, viewer, auditor), each with their own session, through the real sign-in form;
4. lets them browse for 60 s: each picks a page at random (a plan's tree, a measure's page,
   the measures list, the reports list, the API's lists of plans, measures, reports and risks),
   waits for it, then thinks for 1 to 5 s (uniform; a brisk person clicking through, so the load
   is heavier than an office's) before the next. Each person also fetches, as browsers do, the
   style sheet (a static file served by the same server) and the health check: these are the
   floor, what the same server and network path cost with no page behind them;
5. prints throughput and p50/p95/p99 per page, each page's p95 as a ratio of the floor's, and
   PASS/FAIL against p95 < 200 ms; then the load average, since the machine may be shared;
6. stops the servers and drops the database.

The client runs in this process (threads with http.client, one keep-alive connection per person);
the server in two others, so the client never takes the server's interpreter. Everything is
loopback only, with bounded people, time and per-request timeout. Figures depend on the machine
and what else it is doing: this is a benchmark, never a test.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the bench never talks to another machine
PG = "postgres://postgres@127.0.0.1:5432"
TARGET_P95_MS = 200.0
PASSWORD = "demoshire-care-2026"
ACCOUNTS = [  # Demoshire's demo sign-ins, one per role (carestat.demo.SIGN_INS)
    ("admin", "helen.morgan@demoshire.example"),
    ("manager", "priya.shah@demoshire.example"),
    ("contributor", "tom.okafor@demoshire.example"),
    ("viewer", "jane.ellis@demoshire.example"),
    ("auditor", "sam.reid@demoshire.example"),
]
ORG = "demoshire"
MAX_USERS = 200
MAX_SECONDS = 600
REQUEST_TIMEOUT = 30.0
FLOOR = ("static file", "health check")


def carestat_bin() -> str:
    exe = Path(sys.executable).with_name("carestat")
    return str(exe) if exe.exists() else "carestat"


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1",
                    "-c", sql], check=True, capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped at start-up (exit {proc.returncode})")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer /healthz within {timeout:.0f} s")


# The simulated person -----------------------------------------------------------------------

@dataclass
class Person:
    email: str
    port: int
    conn: http.client.HTTPConnection = field(init=False)
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "carestat-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # a fresh connection next time, as a browser would open
            raise
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data, elapsed

    def sign_in(self) -> None:
        status, page, _ = self.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"the sign-in page answered {status} without a form")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "email": self.email,
                                       "password": PASSWORD, "next": ""})
        status, _, _ = self.request("POST", "/sign-in/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {self.email} answered {status}")


def pages(plan_ids: list[int], measure_codes: list[str]) -> dict[str, object]:
    o, a = f"/o/{ORG}", f"/api/v1/organisations/{ORG}"
    return {
        "plan tree": lambda: f"{o}/plans/{random.choice(plan_ids)}/",
        "measure page": lambda: f"{o}/measures/{random.choice(measure_codes)}/",
        "measures list": f"{o}/measures/",
        "reports list": f"{o}/reports/",
        "API plans": f"{a}/plans",
        "API measures": f"{a}/measures",
        "API reports": f"{a}/reports",
        "API risks": f"{a}/risks",
    }


def browse(person: Person, menu: dict, floor: dict, stop_at: float, think: tuple[float, float],
           timings: dict[str, list[float]], errors: dict[str, int], lock: threading.Lock) -> None:
    names = list(menu)
    while time.monotonic() < stop_at:
        name = random.choice(names)
        visits = [(name, menu[name]), *floor.items()]
        for label, path in visits:
            path = path() if callable(path) else path
            try:
                status, _, elapsed = person.request("GET", path)
            except (OSError, http.client.HTTPException):
                status, elapsed = 0, None
            with lock:
                if status == 200 and elapsed is not None:
                    timings[label].append(elapsed)
                else:
                    errors[label] += 1
        pause = random.uniform(*think)
        time.sleep(max(0.0, min(pause, stop_at - time.monotonic())))


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


# The run ------------------------------------------------------------------------------------

def set_up(env: dict[str, str], reuse: bool) -> None:
    if not reuse:
        psql("DROP DATABASE IF EXISTS carestat_bench WITH (FORCE)")
    with contextlib.suppress(subprocess.CalledProcessError):  # reused: it may be there already
        psql("CREATE DATABASE carestat_bench")
    started = time.perf_counter()
    subprocess.run([carestat_bin(), "demo", "--no-serve"], env=env, check=True, capture_output=True, text=True)
    print(f"Demo loaded into PostgreSQL database carestat_bench in {time.perf_counter() - started:.0f} s", flush=True)


def demo_ids(env: dict[str, str]) -> tuple[list[int], list[str]]:
    code = (
        "import json, django; django.setup()\n"
        "from carestat.core.tenancy import cross_organisation\n"
        "from carestat.plans.models import Plan\n"
        "from carestat.measures.models import Measure\n"
        "with cross_organisation():\n"
        f"    p = list(Plan.objects.filter(organisation__slug='{ORG}', is_archived=False)\n"
        "             .values_list('pk', flat=True))\n"
        f"    m = list(Measure.objects.filter(organisation__slug='{ORG}').values_list('code', flat=True))\n"
        "print(json.dumps([p, m]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "carestat.settings"},
                         check=True, capture_output=True, text=True).stdout
    plan_ids, codes = json.loads(out.strip().splitlines()[-1])
    return plan_ids, codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=2, help="carestat serve processes (one per core)")
    parser.add_argument("--threads", type=int, default=4, help="Waitress threads in each process")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                        help="think time between pages, uniform, in seconds")
    parser.add_argument("--reuse-db", action="store_true",
                        help="keep and reuse carestat_bench with the demo already loaded (while working on pages)")
    args = parser.parse_args()
    if not (1 <= args.users <= MAX_USERS and 1 <= args.seconds <= MAX_SECONDS):
        parser.error(f"at most {MAX_USERS} people and {MAX_SECONDS} s")

    if args.reuse_db:
        data_dir = Path(tempfile.gettempdir()) / "carestat-bench-pages-reused"
        data_dir.mkdir(exist_ok=True)
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="carestat-bench-pages-"))
    env = {**os.environ, "DATABASE_URL": f"{PG}/carestat_bench", "CARESTAT_DATA_DIR": str(data_dir),
           "CARESTAT_ENV": "development", "CARESTAT_DEBUG": "false", "CARESTAT_DEMO": "false"}
    servers: list[subprocess.Popen] = []
    load_before = os.getloadavg()
    try:
        set_up(env, args.reuse_db)
        plan_ids, codes = demo_ids(env)
        ports = [free_port() for _ in range(args.processes)]
        for port in ports:
            servers.append(subprocess.Popen(
                [carestat_bin(), "serve", "--host", HOST, "--port", str(port), "--threads", str(args.threads)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True))
        for port, proc in zip(ports, servers, strict=True):
            wait_until_up(port, proc)
        print(f"Serving with {args.processes} processes x {args.threads} Waitress threads on {HOST}; "
              f"{len(plan_ids)} plans and {len(codes)} measures", flush=True)

        people = [Person(ACCOUNTS[i % len(ACCOUNTS)][1], ports[i % len(ports)]) for i in range(args.users)]
        started = time.perf_counter()
        for person in people:
            person.sign_in()
        print(f"Signed in {len(people)} people (10 on each role's account) in {time.perf_counter() - started:.1f} s",
              flush=True)

        menu = pages(plan_ids, codes)
        floor = {"static file": "/static/build/carestat.css", "health check": "/healthz"}
        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        # Start people over the first think time, not all in the same instant.
        start = time.monotonic()
        stop_at = start + args.seconds
        threads = []
        for person in people:
            t = threading.Thread(target=lambda p=person: (time.sleep(random.uniform(0, args.think[1])),
                                                          browse(p, menu, floor, stop_at, tuple(args.think),
                                                                 timings, errors, lock)), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join(timeout=args.seconds + REQUEST_TIMEOUT + 10)
        elapsed = time.monotonic() - start
        load_after = os.getloadavg()
        return report(args, timings, errors, elapsed, load_before, load_after)
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not args.reuse_db:
            with contextlib.suppress(subprocess.CalledProcessError):
                psql("DROP DATABASE IF EXISTS carestat_bench WITH (FORCE)")
            shutil.rmtree(data_dir, ignore_errors=True)


def report(args, timings, errors, elapsed, load_before, load_after) -> int:
    floor_p95 = max(percentile(timings[f], 95) for f in FLOOR if timings[f]) if any(timings[f] for f in FLOOR) else 0
    total = sum(len(v) for k, v in timings.items() if k not in FLOOR)
    print(f"\n{args.users} people, {elapsed:.0f} s, think time {args.think[0]:g} to {args.think[1]:g} s (uniform): "
          f"{total} pages, {total / elapsed:.1f} pages/s (plus {sum(len(timings[f]) for f in FLOOR)} floor requests)")
    print(f"{'page':<16} {'count':>6} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/floor':>10} "
          f"{'errors':>6}  verdict")
    failed = False
    for label in [*pages([0], [""]), *FLOOR]:
        values = [v * 1000 for v in timings.get(label, [])]
        if not values:
            print(f"{label:<16} no answers ({errors.get(label, 0)} errors)  FAIL")
            failed = True
            continue
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        ratio = p95 / (floor_p95 * 1000) if floor_p95 else float("nan")
        verdict = ""
        if label not in FLOOR:
            ok = p95 < TARGET_P95_MS and not errors.get(label)
            failed |= not ok
            verdict = f"{'PASS' if ok else 'FAIL'} p95 {p95:.0f} ms < {TARGET_P95_MS:.0f} ms"
        print(f"{label:<16} {len(values):>6} {len(values) / elapsed:>6.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
              f"{ratio:>9.1f}x {errors.get(label, 0):>6}  {verdict}")
    print(f"Floor p95 (slower of the static file and the health check): {floor_p95 * 1000:.1f} ms")
    print(f"Load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} on {os.cpu_count()} cores")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
