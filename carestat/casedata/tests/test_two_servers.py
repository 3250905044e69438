"""Two ``carestat serve`` processes and the command line's loads share one deployment: the
servers only read the analytics store, so neither locks the other out (issue #23)."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import subprocess
import sys

import pytest

from carestat.casedata.tests.test_forecasts import AS_OF, write_events
from carestat.core.tests.test_serve import HOST, Server, _production_env

pytestmark = pytest.mark.slow


def _cli(data_dir, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "carestat.cli", *args], env=_production_env(data_dir),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _forecast(server: Server, token: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", f"/api/v1/organisations/eastmoor/forecasts/run?work_type=ot_assessment&as_of={AS_OF}",
                     headers={"Host": HOST, "X-Forwarded-Proto": "https", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_two_servers_answer_forecasts_from_one_store_at_the_same_time(tmp_path):
    _cli(tmp_path, "migrate", "--no-input")
    _cli(tmp_path, "createorg", "Eastmoor Council", "--slug", "eastmoor", "--jurisdiction", "england")
    _cli(tmp_path, "adduser", "ana@eastmoor.example", "--name", "Ana Ruiz", "--org", "eastmoor", "--role",
         "manager", "--no-password")
    _cli(tmp_path, "ingest", "--org", "eastmoor", "--format", "case_events", str(write_events(tmp_path / "ot.csv")))
    token = _cli(tmp_path, "apitoken", "ana@eastmoor.example", "--name", "two servers").strip().split()[-1]
    first, second = Server(tmp_path), Server(tmp_path)
    try:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda s: _forecast(s, token), [first, second] * 3))
        # A load from the command line while both servers hold the store open to read.
        _cli(tmp_path, "ingest", "--org", "eastmoor", "--format", "case_events",
             str(write_events(tmp_path / "ot2.csv", weeks=15)))
        after = _forecast(second, token)
    finally:
        first.stop()
        second.stop()
    assert [status for status, _ in answers] == [200] * 6, answers
    assert {body["starting_backlog"] for _, body in answers} == {400}
    assert after[0] == 200
