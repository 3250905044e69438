"""The README's backup and restore: `carestat backup`, then a fresh data directory made from
the backup alone gives the same counts, the same figures and the same forecast, and matches
the same people when a return is loaded again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TABLES = ["core_organisation", "core_user", "core_membership", "core_reportingperiod", "core_auditentry",
          "casedata_submission", "measures_measurevalue"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARESTAT_")}
    env.pop("DATABASE_URL", None)
    return env | {"CARESTAT_DATA_DIR": str(data_dir)}


def _carestat(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "carestat.cli", *args], env=_env(data_dir),
                            capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _write_case_events(path: Path) -> Path:
    with path.open("w") as out:
        out.write("item_id,person_id,work_type,team,priority,received_at,first_action_at,completed_at\n")
        for i in range(3000):
            day, month = 1 + i % 28, 4 + i % 3
            done = f"2025-{month:02d}-{day:02d}T16:00" if i % 3 else ""
            out.write(f"OTA-{i:07d},P{i % 900:06d},ot_assessment,OT {('North', 'South')[i % 2]},standard,"
                      f"2025-{month:02d}-{day:02d}T09:00,2025-{month:02d}-{day:02d}T12:00,{done}\n")
    return path


def _counts(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(data_dir / "carestat.sqlite3") as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608 (fixed names)


def _figures(data_dir: Path) -> list[dict]:
    return json.loads(_carestat(data_dir, "measures", "--org", "holdout", "--period", "2025-26-Q1", "--json").stdout)


def _forecast(data_dir: Path) -> dict:
    return json.loads(_carestat(data_dir, "forecast", "--org", "holdout", "--work-type", "ot_assessment",
                                "--from", "2025-06-28", "--weeks", "8", "--json").stdout)


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    live = tmp_path_factory.mktemp("live")
    _carestat(live, "migrate", "--no-input")
    _carestat(live, "createorg", "Holdout Council", "--slug", "holdout", "--jurisdiction", "england")
    csv = _write_case_events(tmp_path_factory.mktemp("returns") / "ot_events.csv")
    _carestat(live, "ingest", "--org", "holdout", "--format", "case_events", str(csv))
    backup = tmp_path_factory.mktemp("backups") / "holdout-2026-12-05"
    _carestat(live, "backup", str(backup))
    return {"live": live, "backup": backup, "csv": csv}


def test_a_backup_restored_into_a_fresh_place_has_the_same_counts_figures_and_forecast(council, tmp_path):
    restored = tmp_path / "restored"
    shutil.copytree(council["backup"], restored)
    live_counts = _counts(council["live"])
    assert live_counts["casedata_submission"] == 1 and live_counts["measures_measurevalue"] > 0
    assert _counts(restored) == live_counts
    figures = _figures(council["live"])
    assert {f["code"] for f in figures} >= {"OPS-BACKLOG", "OPS-WAIT-MEDIAN"}
    assert _figures(restored) == figures
    assert _forecast(restored) == _forecast(council["live"])


def test_the_restored_copy_matches_the_same_people_when_the_return_is_loaded_again(council, tmp_path):
    restored = tmp_path / "restored"
    shutil.copytree(council["backup"], restored)
    before = _counts(restored)
    # A store restored with another key would refuse this return (its people would not match).
    _carestat(restored, "ingest", "--org", "holdout", "--format", "case_events", str(council["csv"]))
    after = _counts(restored)
    assert after["measures_measurevalue"] == before["measures_measurevalue"]
    assert _forecast(restored) == _forecast(council["live"])


def test_a_restore_without_the_pseudonymisation_key_refuses_to_start(council, tmp_path):
    restored = tmp_path / "restored"
    shutil.copytree(council["backup"], restored)
    (restored / "pseudonymisation_key").unlink()
    result = _carestat(restored, "measures", "--org", "holdout", "--period", "2025-26-Q1", "--json", check=False)
    assert result.returncode != 0 and "no pseudonymisation key" in result.stderr


def test_the_backup_lists_a_checksum_for_every_file_it_holds(council):
    sums = dict(reversed(line.split("  ")) for line in (council["backup"] / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"carestat.sqlite3", "analytics/holdout.duckdb", "secret_key", "pseudonymisation_key"}


def test_backing_up_into_an_existing_folder_is_refused(council):
    result = _carestat(council["live"], "backup", str(council["backup"]), check=False)
    assert result.returncode != 0 and "already exists" in result.stderr
