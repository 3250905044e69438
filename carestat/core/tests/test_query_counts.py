"""Pages and API lists read the database a fixed number of times, however many rows they show.

Each main page is read once on a world with one record of every kind (the access matrix's
world), its queries counted; then the world grows (more plans, each with more actions and
milestones and updates awaiting approval, measures with values and corrected values, risks
with scores, reports, returns, audit tools) and the page must take no more queries than it
did before. A page that read one row at a time (an N+1) would take more. These count queries;
they time nothing (speed under load is bench/bench_pages_load.py's business).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carestat.analytics.periods import quarter_of
from carestat.core.models import Membership, ReportingPeriod
from conftest import access_for

P = "/o/demoshire"
A = "/api/v1/organisations/demoshire"
D = dt.timedelta

# (name, path from the world, roles that read it)
ROLES = ("admin", "manager", "contributor", "viewer", "auditor")
PAGES = [
    *[(f"home ({role})", lambda w: f"{P}/", (role,)) for role in ROLES],
    ("plans list", lambda w: f"{P}/plans/", ROLES),
    ("plan tree", lambda w: f"{P}/plans/{w['grown_plan'].pk}/", ROLES),
    ("action page", lambda w: f"{P}/actions/{w['grown_action'].pk}/", ("manager", "contributor")),
    ("my actions", lambda w: f"{P}/plans/my-actions/", ("contributor",)),
    ("approvals inbox", lambda w: f"{P}/plans/approvals/", ("admin", "manager")),
    ("measures list", lambda w: f"{P}/measures/", ROLES),
    ("measure page", lambda w: f"{P}/measures/{w['grown_measure'].code}/", ROLES),
    ("reports list", lambda w: f"{P}/reports/", ROLES),
    ("report page", lambda w: f"{P}/reports/{w['grown_report'].pk}/", ("manager",)),
    ("returns list", lambda w: f"{P}/data/", ("manager",)),
    ("risk register", lambda w: f"{P}/risks/", ROLES),
    ("money summary", lambda w: f"{P}/finance/", ("manager",)),
    ("API plans", lambda w: f"{A}/plans", ("viewer",)),
    ("API plan tree", lambda w: f"{A}/plans/{w['grown_plan'].pk}", ("viewer",)),
    ("API approvals", lambda w: f"{A}/approvals", ("manager",)),
    ("API measures", lambda w: f"{A}/measures", ("viewer",)),
    ("API reports", lambda w: f"{A}/reports", ("viewer",)),
    ("API risks", lambda w: f"{A}/risks", ("viewer",)),
    ("API returns", lambda w: f"{A}/submissions", ("manager",)),
]


def _grow(w, mark: str, *, actions: int) -> None:
    """One more of every kind the matrix plants, and a plan with ``actions`` actions (each with
    two milestones and an update awaiting approval) in the manager's unit, and a measure with a
    year of values, one of them corrected."""
    from carestat.measures import services as measures
    from carestat.plans import services as plans
    from tests.test_access_matrix import PLANTERS, _plant

    org, cast = w["org"], w["cast"]
    admin = cast["admin"]
    _plant(org, admin, mark)
    for plant in PLANTERS:
        plant(org, admin, mark)
    a, owner = access_for(admin, org), access_for(cast["contributor"], org)
    today = dt.date.today()
    plan = plans.create_plan(a, kind="improvement", title=f"{mark} programme", start=today - D(200),
                             end=today + D(700), owner_unit=w["ot"].parent)
    for p in range(2):
        priority = plans.add_priority(a, plan, title=f"{mark} priority {p}")
        objective = plans.add_objective(a, priority, statement=f"{mark} objective {p}")
        for i in range(actions):
            action = plans.add_action(a, objective, title=f"{mark} action {p}.{i}", owner=cast["contributor"],
                                      lead_unit=w["ot"], phase=f"Phase {i % 2}", start=today - D(100),
                                      due=today + D(60))
            plans.add_milestone(a, action, title=f"{mark} first {i}", baseline_date=today - D(10 + i))
            plans.add_milestone(a, action, title=f"{mark} second {i}", baseline_date=today + D(30 + i))
            plans.save_update(owner, action, w["due"], delivery="on_track", percent_complete=40,
                              commentary="Going well", submit=True)
            w["grown_action"] = action
    w["grown_plan"] = plan
    code = f"{mark}-MV"
    measure = measures.add_local_measure(a, code=code, title=f"{mark} waits", domain="adults", unit="count",
                                         polarity="lower_is_better")
    for q in range(1, 5):
        value = measures.enter_value(a, measure, period=f"2025-26-Q{q}", value=str(10 + q))
        measures.approve_value(a, value) if value.status != "approved" else None
    corrected = measures.enter_value(a, measure, period="2025-26-Q2", value="99", reason="Recounted after audit")
    if corrected.status != "approved":
        measures.approve_value(a, corrected)
    w["grown_measure"] = measure
    from carestat.reports.models import Report

    w["grown_report"] = Report.objects.filter(organisation=org).order_by("-pk").first()


@pytest.fixture
def world(db, settings):
    """The access matrix's world, its manager given the adults' directorate (so approvals check
    the unit tree), with a quarter open for updates."""
    from tests.test_access_matrix import _build_world

    settings.CARESTAT_JOBS_INLINE = True
    w = _build_world()
    org = w["org"]
    Membership.objects.filter(user=w["cast"]["manager"], organisation=org).update(unit=w["ot"].parent)
    today = dt.date.today()
    q = quarter_of(today)
    w["due"] = ReportingPeriod.objects.get_or_create(
        organisation=org, identifier=q.label, defaults={"kind": "quarter", "start": q.start, "end": q.end})[0]
    _grow(w, "G00-FIRST", actions=1)
    return w


def _count(client, url) -> tuple[int, int]:
    client.get(url)  # the first read in a process fills its caches (the calendar, compiled queries)
    cache.clear()  # the measures list's kept judgements: count a page judged afresh
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    return status, len(ctx.captured_queries)


def test_no_page_or_api_list_reads_more_often_as_the_rows_it_shows_grow(client, world,
                                                                         django_assert_max_num_queries):
    before = {}
    for name, path, roles in PAGES:
        for role in roles:
            client.force_login(world["cast"][role])
            status, n = _count(client, path(world))
            assert status == 200, f"{name} as {role} answered {status}"
            before[(name, role)] = n
    for i, mark in enumerate(("G01-MORE", "G02-MORE", "G03-MORE")):
        _grow(world, mark, actions=3 + i)
    for name, path, roles in PAGES:
        for role in roles:
            client.force_login(world["cast"][role])
            client.get(path(world))
            cache.clear()
            with django_assert_max_num_queries(before[(name, role)], info=f"{name} as {role}, more rows"):
                response = client.get(path(world))
            assert response.status_code == 200


def test_the_grown_world_shows_what_was_added(client, world):
    """The counts above are about pages that show the rows: check they do."""
    for mark in ("G01-MORE", "G02-MORE"):
        _grow(world, mark, actions=3)
    client.force_login(world["cast"]["manager"])
    inbox = client.get(f"{P}/plans/approvals/").content.decode()
    assert "G02-MORE action 1.2" in inbox and "G01-MORE action 0.0" in inbox
    tree = client.get(f"{P}/plans/{world['grown_plan'].pk}/").content.decode()
    assert all(f"G02-MORE action {p}.{i}" in tree for p in range(2) for i in range(3))
    plans = client.get(f"{P}/plans/").content.decode()
    assert "G01-MORE programme" in plans and "G02-MORE programme" in plans
    measure = client.get(f"{P}/measures/{world['grown_measure'].code}/").content.decode()
    assert "Version 1" in measure
