"""Every role's pages in the loaded demo read as words: no "(s)", no work-type code such as
``ot_assessment``, no count written "12.0", and none of the catalogue's notes for maintainers.

The pages are found by following links from each role's home page (a few of each kind of
page), so a page added later is checked without being listed here."""

from __future__ import annotations

import csv
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from carestat.analytics.demand import PLACEMENTS
from carestat.analytics.work_types import LABELS

pytestmark = pytest.mark.slow

ROLES = {
    "admin": "helen.morgan@demoshire.example",
    "manager": "priya.shah@demoshire.example",
    "contributor": "tom.okafor@demoshire.example",
    "viewer": "jane.ellis@demoshire.example",
    "auditor": "sam.reid@demoshire.example",
}
PAGES_OF_A_KIND = 2  # /actions/12/ and /actions/13/ are one kind of page
SKIP = re.compile(r"\.(csv|xlsx|pdf|docx|pptx)$|/download/|/sign-out/")

MAYBE_PLURAL = re.compile(r"\w\((s|es)\)")
# snake_case codes a page might leak: the work types of case events, the future-need model's placements
CODES = sorted({c for c in (*LABELS, *PLACEMENTS) if "_" in c}, key=len, reverse=True)
SNAKE_CASE_CODE = re.compile(r"\b(" + "|".join(CODES) + r")\b")
DOUBLE_NEGATIVE = re.compile(r"\b(not|no) (not|un\w+ed|never)\b", re.I)
WHOLE_WITH_POINT_ZERO = re.compile(r"^[£]?\d[\d,]*\.0$")
# A column of counts is one whose heading names things counted; rates, averages, scores and
# money keep their decimals ("83.0%" is a rate, "4.0" an average score)
NOT_COUNTS = re.compile(r"rate|average|mean|median|per |percent|%|score|value|target|ratio|£|cost|spend|budget|"
                        r"days|weeks|hours|fte|tolerance|benchmark|limit|range|signal|actual", re.I)
COUNT_NOUN = re.compile(r"\b\d[\d,]*\.0 (children|child|people|person|adults|items|cases|referrals|assessments|"
                        r"placements|applications|members|milestones|actions|updates|returns|files|rows|records|"
                        r"submissions|errors|problems|measures|reports|risks|providers|contracts|audits)\b(?! per\b)")


def _maintainer_phrases() -> list[str]:
    """Pieces of the catalogue's notes column, which is written for whoever keeps the catalogue."""
    path = Path(settings.CARESTAT_REFERENCE_DIR) / "measure_catalogue.csv"
    with path.open(newline="", encoding="utf-8-sig") as fh:
        notes = {(row.get("notes") or "").strip() for row in csv.DictReader(fh)} - {""}
    # the first clause of each note: long enough to be unmistakable, short enough to survive rewording
    return sorted({re.split(r"[.;:]", n)[0].strip() for n in notes if len(re.split(r"[.;:]", n)[0].strip()) > 25}
                  | {"not found in the source", "value not found in source", "was cut off in the copy read"})


class _Page(HTMLParser):
    """The words a person reads (not scripts, styles or attribute values), the links, and each
    table's cells with the heading of their column."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (column heading, cell text)
        self._skip = 0
        self._headings: list[str] = []
        self._row: list[str] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/o/"):
                self.links.append(href.split("#")[0].split("?")[0])
        elif tag == "thead":
            self._in_head, self._headings = True, []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip -= 1
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self._headings.append(text)
            else:
                column = len(self._row)
                heading = self._headings[column] if column < len(self._headings) else ""
                self.cells.append((heading if tag == "td" else "", text))
                self._row.append(text)
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _kind(path: str) -> str:
    return re.sub(r"/\d+/", "/N/", path)


def _crawl(client, start: str) -> dict[str, _Page]:
    pages: dict[str, _Page] = {}
    kinds: dict[str, int] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in pages or SKIP.search(path) or not path.startswith("/o/demoshire/"):
            continue
        kind = _kind(path)
        if kinds.get(kind, 0) >= PAGES_OF_A_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        pages[path] = page
        queue.extend(page.links)
    return pages


def problems_in(path: str, page: _Page, maintainer: list[str]) -> list[str]:
    words = " ".join(" ".join(page.text).split())
    found = [f"{path}: ‘{m.group(0)}’ (write the plural out)" for m in MAYBE_PLURAL.finditer(words)]
    found += [f"{path}: the code ‘{m.group(0)}’ (show its words)" for m in SNAKE_CASE_CODE.finditer(words)]
    found += [f"{path}: ‘{m.group(0)}’ (a double negative)" for m in DOUBLE_NEGATIVE.finditer(words)]
    found += [f"{path}: ‘{m.group(0)}’ (a count has no .0)" for m in COUNT_NOUN.finditer(words)]
    found += [f"{path}: ‘{text}’ under ‘{heading}’ (a count has no .0)" for heading, text in page.cells
              if WHOLE_WITH_POINT_ZERO.match(text) and heading and not NOT_COUNTS.search(heading)]
    found += [f"{path}: the maintainer's note ‘{p}’" for p in maintainer if p in words]
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    import datetime as dt

    import time_machine
    from django.test import override_settings

    from carestat.demo import STORY_DAY

    data = tmp_path_factory.mktemp("demo")
    story = time_machine.travel(dt.datetime.combine(STORY_DAY, dt.time(10), tzinfo=dt.UTC), tick=True)
    with story, django_db_blocker.unblock(), override_settings(
        DATA_DIR=data, ANALYTICS_DIR=data / "analytics", UPLOADS_DIR=data / "uploads"
    ):
        try:
            call_command("demo", "--no-serve")
            yield data
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_pages_in_the_demo_read_as_words(demo, db, client, settings, role):
    from carestat.core.models import User

    settings.ANALYTICS_DIR = demo / "analytics"
    settings.UPLOADS_DIR = demo / "uploads"
    client.force_login(User.objects.get(username=ROLES[role]))
    pages = _crawl(client, "/o/demoshire/")
    assert len(pages) > 20  # the crawl reached past the home page
    maintainer = _maintainer_phrases()
    found = [p for path, page in pages.items() for p in problems_in(path, page, maintainer)]
    assert not found, "\n".join(found)


def test_the_checks_flag_what_they_should_and_spare_rates():
    page = _Page()
    page.feed("<p>3 file(s) loaded; ot_assessment; 12.0 children; a rate of 83.0%; 83.3%; 4.0 on average; "
              "16.0 cases per FTE; a review; not not completed</p>"
              "<table><thead><tr><th>Team</th><th>Open items</th><th>Rate</th></tr></thead>"
              "<tbody><tr><td>North</td><td>12.0</td><td>83.0</td></tr></tbody></table>")
    found = problems_in("/p/", page, ["needs previous years' census files"])
    assert found == ["/p/: ‘e(s)’ (write the plural out)", "/p/: the code ‘ot_assessment’ (show its words)",
                     "/p/: ‘not not’ (a double negative)", "/p/: ‘12.0 children’ (a count has no .0)",
                     "/p/: ‘12.0’ under ‘Open items’ (a count has no .0)"]
