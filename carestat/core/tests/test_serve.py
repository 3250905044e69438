"""``carestat serve`` as the README runs it in production: behind a TLS-terminating proxy.

These start the real command in a subprocess on a free loopback port and talk HTTP to it,
because the fault they guard against (Waitress dropping the proxy's X-Forwarded-Proto, so
every request was redirected to itself) lives between Waitress and Django, where the test
client never goes.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

HOST = "carestat.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARESTAT_")}
    env.pop("DATABASE_URL", None)  # SQLite in the data directory: no migration or request here needs rows
    return env | {
        "CARESTAT_ENV": "production",
        "CARESTAT_SECRET_KEY": "s" * 50,
        "CARESTAT_PSEUDONYMISATION_KEY": "p" * 50,
        "CARESTAT_ALLOWED_HOSTS": HOST,
        "CARESTAT_HTTPS": "true",
        "CARESTAT_DATA_DIR": str(tmp_path),
    } | extra


class Server:
    """One ``carestat serve`` process on a free loopback port."""

    def __init__(self, data_dir, **extra):
        self.port = _free_port()
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "carestat.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--threads", "2"],
                env=_production_env(data_dir, **extra), stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"carestat serve did not start:\n{self.log.read_text()}") from None
                time.sleep(0.1)

    def get(self, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": HOST, **headers})
            response = conn.getresponse()
            response.read()
            return response
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """CareStat served as the README says, trusting the proxy on 127.0.0.1 (the default)."""
    server = Server(tmp_path_factory.mktemp("production"))
    yield server
    server.stop()


def test_behind_the_proxy_a_page_answers_with_hsts_instead_of_redirecting_to_itself(production):
    get = production.get
    home = get("/", {"X-Forwarded-Proto": "https"})
    assert home.status == 302, f"expected the sign-in redirect, got {home.status} to {home.getheader('Location')}"
    assert home.getheader("Location") == "/sign-in/?next=/"
    assert home.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    sign_in = get("/sign-in/", {"X-Forwarded-Proto": "https"})
    assert sign_in.status == 200
    assert sign_in.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_a_plain_http_request_through_the_proxy_is_sent_to_https(production):
    response = production.get("/sign-in/", {"X-Forwarded-Proto": "http"})
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/sign-in/"


def test_proxy_headers_from_an_untrusted_address_are_ignored(tmp_path):
    # The proxy is configured as another address, so this request (from 127.0.0.1) cannot
    # claim to have arrived over https.
    server = Server(tmp_path, CARESTAT_TRUSTED_PROXY="192.0.2.1")
    try:
        response = server.get("/sign-in/", {"X-Forwarded-Proto": "https"})
    finally:
        server.stop()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/sign-in/"
