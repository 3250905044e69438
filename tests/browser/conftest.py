"""Browser tests: Playwright driving Debian's Chromium against a live CareStat.

Every page visited is checked for console errors, failed requests and (with ``axe``)
accessibility violations of serious or critical impact.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CARESTAT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, and the test's own ORM calls are synchronous by design.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page that records console errors and failed requests, and can run axe."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(f"{r.status} from {r.url}"))

    def forgive(self, *statuses: int):
        """The test meant to hit these error statuses: their console messages are expected."""
        self.problems = [
            p for p in self.problems if not any(f"status of {s} " in p for s in statuses)
        ]

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def sign_in(self, email: str, password: str):
        self.goto("/sign-in/")
        self.page.fill("#id_email", email)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("button:has-text('Sign in')")

    def axe(self) -> list[dict]:
        """Serious or critical accessibility violations on the current page."""
        # evaluate() is not subject to the page's Content Security Policy.
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]

    def assert_accessible(self):
        violations = self.axe()
        assert not violations, f"{self.page.url}: " + json.dumps(violations, indent=1)


@pytest.fixture
def browser_page(chromium, live_server, transactional_db):
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    watched = Watched(page, live_server.url)
    yield watched
    context.close()
    assert not watched.problems, "\n".join(watched.problems)


@pytest.fixture
def no_js_page(chromium, live_server, transactional_db):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    watched = Watched(page, live_server.url)
    yield watched
    context.close()
    assert not watched.problems, "\n".join(watched.problems)
