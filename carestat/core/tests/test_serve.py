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


# The README's production setup end to end: migrate, collectstatic, an organisation and its admin
# from the command line, then `carestat serve` behind the proxy, signed in over "https".

def _carestat(data_dir, *args, **extra):
    result = subprocess.run([sys.executable, "-m", "carestat.cli", *args], env=_production_env(data_dir, **extra),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _cookies(response, jar: dict[str, str]) -> dict[str, str]:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";")[0]
            assert "Secure" in value, f"cookie {name} is not marked Secure: {value}"
    return jar


class ProxiedBrowser:
    """A browser whose requests reach Waitress through the TLS proxy (which adds the
    X-Forwarded-* headers), with its own client address and cookies."""

    def __init__(self, server: Server, client_address: str):
        self.server, self.client_address, self.cookies = server, client_address, {}

    def _send(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.client_address,
                   "X-Forwarded-Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}",
                        "Referer": f"https://{HOST}{path}"}
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.text = response.read().decode("utf-8", "replace")
            _cookies(response, self.cookies)
            return response
        finally:
            conn.close()

    def get(self, path):
        return self._send("GET", path)

    def sign_in(self, email, password):
        from urllib.parse import urlencode

        page = self.get("/sign-in/")
        token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        return self._send("POST", "/sign-in/", urlencode({"csrfmiddlewaretoken": token, "email": email,
                                                           "password": password}))


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("council")
    _carestat(data_dir, "migrate", "--no-input")
    _carestat(data_dir, "collectstatic", "--no-input")
    _carestat(data_dir, "createorg", "Holdout Council", "--slug", "holdout", "--jurisdiction", "england")
    _carestat(data_dir, "adduser", "ruth.ade@holdout.example", "--name", "Ruth Ade", "--org", "holdout",
              "--role", "admin", "--password-from-env", "ADMIN_PASSWORD", ADMIN_PASSWORD="a long passphrase here")
    server = Server(data_dir)
    yield server
    server.stop()


def test_the_readme_production_setup_signs_in_and_serves_pages_over_https_behind_the_proxy(council):
    browser = ProxiedBrowser(council, "198.51.100.7")
    signed_in = browser.sign_in("ruth.ade@holdout.example", "a long passphrase here")
    assert signed_in.status == 302 and signed_in.getheader("Location") == "/", signed_in.text[:500]
    home = browser.get("/o/holdout/")
    assert home.status == 200 and "Holdout Council" in home.text
    assert home.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert "no-store" in home.getheader("Cache-Control")
    css = browser.get("/static/build/carestat.css")
    assert css.status == 200 and "no-store" not in (css.getheader("Cache-Control") or "")


def test_behind_the_proxy_a_stranger_locks_out_only_their_own_address(council):
    stranger = ProxiedBrowser(council, "203.0.113.66")
    answers = [stranger.sign_in("ruth.ade@holdout.example", "not the passphrase").status for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert stranger.sign_in("ruth.ade@holdout.example", "a long passphrase here").status == 429
    # The real person, arriving through the same proxy from their own address, still gets in.
    ruth = ProxiedBrowser(council, "198.51.100.8")
    signed_in = ruth.sign_in("ruth.ade@holdout.example", "a long passphrase here")
    assert signed_in.status == 302 and signed_in.getheader("Location") == "/"
