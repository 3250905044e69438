"""Every role against every page and API endpoint that exists.

Each row says which roles may use an address; everyone else in the organisation gets 403
(the page or endpoint exists but their role forbids it), the outsider (another council's
admin) gets 404 for anything of Demoshire's, and someone signed out is sent to sign in
(pages) or gets 401 (API). ``test_every_address_is_in_the_matrix`` fails when a new URL is
added without a row here, so the matrix cannot fall behind.

Tenancy is checked beyond the 404s: each council holds a recognisably named record of every
listed kind (plan and its parts, unit, member, measure, return, forecast, report, remit, job),
and no page or API answer a Demoshire member gets names Westmarch's, nor does any list of
Westmarch's name Demoshire's (docs/decisions/0014-tenancy-fails-closed.md).

The world is built once per module (in a transaction rolled back at the end; each test runs
in a savepoint inside it), so the matrix stays fast as it grows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from carestat.core import services

ROLES = ["admin", "manager", "contributor", "viewer", "auditor"]

# Marks on records planted in each council; neither may ever reach the other council's people.
WESTMARCH_MARK = "WESTMARCH-ONLY"
DEMOSHIRE_MARK = "DEMOSHIRE-ONLY"
TEXT_TYPES = ("text/html", "application/json", "text/csv", "text/plain")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Objects for the rows to address, built once by each app's ``build(world)``, with both
    councils' marked records."""
    from django.db import transaction
    from django.test import override_settings

    from carestat.core.tenancy import cross_organisation

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with cross_organisation(), override_settings(
                    CARESTAT_JOBS_INLINE=True, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                w = _build_world()
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _jobs_inline(settings, db):
    settings.CARESTAT_JOBS_INLINE = True  # a page that starts a job finishes it before the test's transaction ends


def _build_world() -> dict:
    from carestat.core.models import Role
    from carestat.core.tests.factories import OrganisationFactory
    from conftest import _member

    demoshire = OrganisationFactory(name="Demoshire County Council", slug="demoshire", jurisdiction="england",
                                    la_code="999")
    westmarch = OrganisationFactory(name="Westmarch Borough Council", slug="westmarch", jurisdiction="jersey",
                                    la_code="998")
    cast = {
        "admin": _member(demoshire, Role.ADMIN, "helen@demoshire.example", "Helen Morgan"),
        "manager": _member(demoshire, Role.MANAGER, "priya@demoshire.example", "Priya Shah"),
        "contributor": _member(demoshire, Role.CONTRIBUTOR, "tom@demoshire.example", "Tom Okafor"),
        "viewer": _member(demoshire, Role.VIEWER, "jane@demoshire.example", "Jane Ellis"),
        "auditor": _member(demoshire, Role.AUDITOR, "sam@demoshire.example", "Sam Reid"),
        "outsider": _member(westmarch, Role.ADMIN, "alex@westmarch.example", "Alex Hughes"),
    }
    w = {"cast": cast, "org": demoshire, "westmarch": westmarch}
    for build in BUILDERS:
        build(w)
    for org, admin, mark in ((demoshire, cast["admin"], DEMOSHIRE_MARK), (westmarch, cast["outsider"], WESTMARCH_MARK)):
        _plant(org, admin, mark)
        for plant in PLANTERS:
            plant(org, admin, mark)
    return w


def _plant(org, admin, mark: str) -> None:
    """One record of every kind the first apps list, each named with ``mark``, made as a member
    would; apps added later plant theirs in their own access_rows.plant."""
    from carestat.casedata.models import SavedForecast, Submission
    from carestat.core.models import Job, ReportingPeriod, UnitKind
    from carestat.measures import services as measures
    from carestat.plans import services as plans
    from carestat.reports import services as reports
    from carestat.reports import snapshot
    from carestat.reports.models import Report
    from conftest import access_for

    a = access_for(admin, org)
    today = dt.date.today()
    unit = services.add_unit(a, name=f"{mark} unit", kind=UnitKind.DIRECTORATE, parent=None)
    services.add_member(a, email=f"{mark.lower()}@example.org", full_name=f"{mark} member", role="viewer")
    plan = plans.create_plan(a, kind="improvement", title=f"{mark} plan", start=today - dt.timedelta(days=30),
                             end=today + dt.timedelta(days=300), owner_unit=unit)
    priority = plans.add_priority(a, plan, title=f"{mark} priority")
    objective = plans.add_objective(a, priority, statement=f"{mark} objective")
    action = plans.add_action(a, objective, title=f"{mark} action", owner=admin, lead_unit=unit,
                              due=today + dt.timedelta(days=60))
    plans.add_milestone(a, action, title=f"{mark} milestone", baseline_date=today + dt.timedelta(days=30))
    measure = measures.add_local_measure(a, code=f"{mark}-M1", title=f"{mark} measure", domain="adults",
                                         unit="count", polarity="higher_is_better")
    Submission.objects.create(organisation=org, format="cin", files=[f"{mark}.xml"], status="rejected",
                              rejection_reason=f"{mark} return refused")
    SavedForecast.objects.create(organisation=org, title=f"{mark} forecast", work_type="ot_assessment",
                                 as_of=dt.date(2026, 4, 6), result={"horizon_weeks": 0, "assumptions": [],
                                                                     "history": [], "scenarios": []})
    period = ReportingPeriod.objects.get_or_create(
        organisation=org, identifier="2026-27-Q2",
        defaults={"kind": "quarter", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 9, 30)})[0]
    Report.objects.create(organisation=org, scope="plan", plan=plan, period=period, title=f"{mark} report",
                          snapshot=snapshot.build(org, period, scope="plan", plan=plan, title=f"{mark} report"))
    reports.create_remit(a, name=f"{mark} panel", plans=[plan], measures=[measure])
    Job.objects.create(organisation=org, kind="test", title=f"{mark} job", status="failed", error=f"{mark} error")


def _collect():
    """Rows from every app's ``tests/access_rows.py``: PAGES, API, UNSCOPED, build(world), and
    plant(org, admin, mark), which makes one record of each kind the app lists, named with ``mark``
    (a new app's lists are then checked for the other council's records with no change here)."""
    import importlib

    from django.apps import apps

    pages, api, unscoped, builders, planters = [], [], set(), [], []
    for app in apps.get_app_configs():
        if not app.name.startswith("carestat."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.tests.access_rows")
        except ModuleNotFoundError:
            continue
        pages += getattr(module, "PAGES", [])
        api += getattr(module, "API", [])
        unscoped |= set(getattr(module, "UNSCOPED", ()))
        if hasattr(module, "build"):
            builders.append(module.build)
        if hasattr(module, "plant"):
            planters.append(module.plant)
    return pages, api, unscoped, builders, planters


PAGES, API, UNSCOPED, BUILDERS, PLANTERS = _collect()


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if p.namespace and p.namespace.startswith("api-"):
                continue  # the API is covered by API rows and by schemathesis
            names |= _all_url_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_address_is_in_the_matrix():
    covered = {row[0] for row in PAGES} | UNSCOPED
    missing = _all_url_names() - covered
    assert not missing, f"add rows to the access matrix for: {sorted(missing)}"


@pytest.mark.parametrize("name,method,path,allowed,data", PAGES, ids=[f"{r[1]} {r[0]}" for r in PAGES])
@pytest.mark.parametrize("role", ROLES + ["outsider", "anonymous"])
def test_pages(client, world, role, name, method, path, allowed, data):
    cast = world["cast"]
    if role != "anonymous":
        client.force_login(cast[role])
    url = path(world)
    response = getattr(client, method)(url, data(world) if data else {})
    if role == "anonymous":
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    elif role in allowed:
        assert response.status_code in (200, 302), response.content[:500]
        _shows_nothing_of_westmarch(response)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("method,path,allowed,payload", API, ids=[f"{r[0]} {r[1]}" for r in API])
@pytest.mark.parametrize("role", ROLES + ["outsider", "anonymous"])
def test_api(client, world, role, method, path, allowed, payload):
    cast = world["cast"]
    headers = {}
    if role != "anonymous":
        _, token = services.create_api_token(cast[role], "matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    url = path.format(**world)
    kwargs = {"content_type": "application/json", "data": payload} if payload is not None else {}
    response = getattr(client, method)(url, **kwargs, **headers)
    if role == "anonymous":
        assert response.status_code == 401
    elif role == "outsider":
        assert response.status_code == 404
    elif role in allowed:
        assert response.status_code in (200, 201, 202), response.content[:500]
        _shows_nothing_of_westmarch(response)
    else:
        assert response.status_code == 403, response.content[:500]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_change_an_audit_entry_through_any_address(client, world, role):
    from carestat.core.models import AuditEntry

    cast = world["cast"]
    client.force_login(cast[role])
    entry = AuditEntry.objects.order_by("id").first()
    message = entry.message
    for method in ("post", "put", "patch", "delete"):
        for url in ("/api/v1/organisations/demoshire/audit", "/o/demoshire/audit/",
                    f"/o/demoshire/history/unit/{world['unit'].pk}/"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 405), (method, url, response.status_code)
    entry.refresh_from_db()
    assert entry.message == message


def _text(response) -> str | None:
    """The answer's text, or None for a file that is not text (a workbook, a PDF)."""
    if response.status_code != 200 or response.get("Content-Type", "").split(";")[0] not in TEXT_TYPES:
        return None
    return response.content.decode()


def _shows_nothing_of_westmarch(response) -> None:
    text = _text(response)
    assert text is None or WESTMARCH_MARK not in text, f"Westmarch's records shown: {text[:300]}"


def _names_no_record(path: str) -> bool:
    """A list: an address naming only the organisation (its lists, home, audit trail), in its
    path and in its query (``?decision=12`` names one council's record, so it is no list)."""
    address, _, query = path.partition("?")
    ids_in_query = any(value.isdigit() for _, _, value in (pair.partition("=") for pair in query.split("&")))
    return set(resolve(address).kwargs) <= {"slug"} and not ids_in_query


def _westmarchs(path: str) -> str:
    return (path.replace("/o/demoshire/", "/o/westmarch/")
            .replace("/organisations/demoshire", "/organisations/westmarch"))


def _page_lists(w):
    return sorted({path(w) for name, method, path, allowed, data in PAGES
                   if method == "get" and _names_no_record(path(w))})


def _api_lists():
    return sorted({path for method, path, allowed, payload in API
                   if method == "get" and "{" not in path and _names_no_record(path)})


API_LISTS = _api_lists()


def test_the_matrix_has_list_pages_and_api_lists_of_every_app(world):
    """So the tenancy checks below cannot pass by checking nothing."""
    pages = _page_lists(world)
    for path in ("/o/demoshire/plans/", "/o/demoshire/measures/", "/o/demoshire/data/", "/o/demoshire/reports/",
                 "/o/demoshire/audit/", "/o/demoshire/members/"):
        assert path in pages
    for path in ("/api/v1/organisations/demoshire/plans", "/api/v1/organisations/demoshire/measures",
                 "/api/v1/organisations/demoshire/reports", "/api/v1/organisations/demoshire/memberships"):
        assert path in API_LISTS


@pytest.mark.parametrize("role", ROLES)
def test_no_list_page_shows_demoshire_people_westmarchs_records(client, world, role):
    """Each role's list pages (those it may open) name none of Westmarch's records, while
    showing Demoshire's own marked records where they belong."""
    client.force_login(world["cast"][role])
    seen_own = set()
    for path in _page_lists(world):
        response = client.get(path)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (path, response.status_code)
        text = _text(response)
        if text is not None:
            assert WESTMARCH_MARK not in text, path
            if DEMOSHIRE_MARK in text:
                seen_own.add(path)
    assert "/o/demoshire/plans/" in seen_own


@pytest.mark.parametrize("role", ROLES)
def test_no_api_list_gives_demoshire_people_westmarchs_records(client, world, role):
    _, token = services.create_api_token(world["cast"][role], "matrix")
    seen_own = set()
    for path in API_LISTS:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (path, response.status_code)
        assert WESTMARCH_MARK not in response.content.decode(), path
        if DEMOSHIRE_MARK in response.content.decode():
            seen_own.add(path)
    assert {"/api/v1/organisations/demoshire/plans", "/api/v1/organisations/demoshire/measures",
            "/api/v1/organisations/demoshire/reports"} <= seen_own


def test_no_list_of_westmarchs_shows_its_admin_demoshires_records(client, world):
    """The other way round: the outsider's own lists (the same addresses, for Westmarch) name
    none of Demoshire's records, and do show Westmarch's."""
    client.force_login(world["cast"]["outsider"])
    seen_own = set()
    for path in map(_westmarchs, _page_lists(world)):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        text = _text(response)
        if text is not None:
            assert DEMOSHIRE_MARK not in text, path
            if WESTMARCH_MARK in text:
                seen_own.add(path)
    _, token = services.create_api_token(world["cast"]["outsider"], "matrix")
    for path in map(_westmarchs, API_LISTS):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, (path, response.status_code)
        assert DEMOSHIRE_MARK not in response.content.decode(), path
        if WESTMARCH_MARK in response.content.decode():
            seen_own.add(path)
    for path in ("/o/westmarch/plans/", "/o/westmarch/measures/", "/o/westmarch/data/", "/o/westmarch/reports/",
                 "/o/westmarch/members/", "/o/westmarch/audit/", "/o/westmarch/risks/",
                 "/api/v1/organisations/westmarch/plans", "/api/v1/organisations/westmarch/risks",
                 "/api/v1/organisations/westmarch/reports"):
        assert path in seen_own, path
