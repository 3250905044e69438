"""The real `carestat worker` process stopped in the middle of a load, as a deployment, a crash
or the out-of-memory killer would stop it.

The in-process tests (carestat/core/tests/test_jobs.py) simulate these; these send the signals
to a real worker on a real SQLite file, because what they guard against (a raw return with
unhashed person identifiers left on disk, a job "running" for ever) happens only when the
process itself dies.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROWS = 400_000  # enough that a load takes a few seconds on a 2-core machine


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARESTAT_")}
    env.pop("DATABASE_URL", None)
    return env | {"CARESTAT_DATA_DIR": str(data_dir)}


def _carestat(data_dir, *args) -> str:
    result = subprocess.run([sys.executable, "-m", "carestat.cli", *args], env=_env(data_dir),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _write_case_events(path: Path) -> Path:
    with path.open("w") as out:
        out.write("item_id,person_id,work_type,team,priority,received_at,first_action_at,completed_at\n")
        for i in range(ROWS):
            day = 1 + i % 28
            out.write(f"OTA-{i:07d},P{i % 90_000:06d},ot_assessment,OT North,standard,2025-05-{day:02d}T09:00,"
                      f"2025-06-{day:02d}T09:00,{'2025-07-01T09:00' if i % 3 else ''}\n")
    return path


def _job(data_dir: Path) -> dict:
    with sqlite3.connect(data_dir / "carestat.sqlite3", timeout=20) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT status, error, upload_dir, attempts FROM core_job ORDER BY id DESC").fetchone()
        return dict(row)


def _uploads(data_dir: Path) -> list[Path]:
    root = data_dir / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("council")
    _carestat(data_dir, "migrate", "--no-input")
    _carestat(data_dir, "createorg", "Holdout Council", "--slug", "holdout", "--jurisdiction", "england")
    _write_case_events(data_dir / "ot_events.csv")
    return data_dir


@pytest.fixture
def queued_load(council, tmp_path):
    """A council with a big case-event return queued for the worker (as `ingest --queue` does)."""
    import shutil

    shutil.copytree(council, tmp_path, dirs_exist_ok=True)
    csv = tmp_path / "ot_events.csv"
    _carestat(tmp_path, "ingest", "--org", "holdout", "--format", "case_events", "--queue", str(csv))
    assert _job(tmp_path)["status"] == "queued" and len(_uploads(tmp_path)) == 1
    return tmp_path


def _start_worker(data_dir: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "carestat.cli", "worker", "--interval", "0.1", *extra],
                            env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_until_running(data_dir: Path, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while _job(data_dir)["status"] != "running":
        assert worker.poll() is None, worker.stdout.read()
        assert time.monotonic() < deadline, "the worker never started the load"
        time.sleep(0.05)
    time.sleep(0.3)  # well into the load


def test_a_worker_killed_mid_load_leaves_a_failed_job_and_no_raw_file_once_the_next_worker_starts(queued_load):
    worker = _start_worker(queued_load)
    _wait_until_running(queued_load, worker)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    job = _job(queued_load)
    assert job["status"] == "running", "the load finished before the kill; make the return bigger"
    assert _uploads(queued_load), "a killed worker cannot clean up after itself"

    _carestat(queued_load, "worker", "--batch")

    job = _job(queued_load)
    assert job["status"] == "failed" and job["error"] == "Interrupted by a restart; retry it."
    assert _uploads(queued_load) == []
    # The raw return is gone, so the retry is loading it again, as the job page says.
    assert "Load them again from ‘Load a return’" in _retry_problem(queued_load)


def test_a_worker_told_to_stop_mid_load_ends_the_job_cleanly_and_deletes_the_raw_file(queued_load):
    worker = _start_worker(queued_load, "--grace", "0.5")
    _wait_until_running(queued_load, worker)
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    job = _job(queued_load)
    # Within the grace period the load either finished or was abandoned; never left running.
    assert job["status"] in {"done", "failed"}, output
    if job["status"] == "failed":
        assert job["error"] == "Interrupted by a restart; retry it."
    assert _uploads(queued_load) == []


def _retry_problem(data_dir: Path) -> str:
    code = ("import django; django.setup(); from carestat.core.models import Job; "
            "print(Job.unscoped.latest('id').retry_problem)")
    result = subprocess.run([sys.executable, "-c", code], env=_env(data_dir) | {
        "DJANGO_SETTINGS_MODULE": "carestat.settings"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
