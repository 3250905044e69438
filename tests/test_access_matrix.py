"""Every role against every page and API endpoint that exists.

Each row says which roles may use an address; everyone else in the organisation gets 403
(the page or endpoint exists but their role forbids it), the outsider (another council's
admin) gets 404 for anything of Demoshire's, and someone signed out is sent to sign in
(pages) or gets 401 (API). ``test_every_address_is_in_the_matrix`` fails when a new URL is
added without a row here, so the matrix cannot fall behind.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from carestat.core import services
from carestat.core.models import Membership, ReportingPeriod, UnitKind
from conftest import access_for

ROLES = ["admin", "manager", "contributor", "viewer", "auditor"]
ALL = set(ROLES)
ANY_SIGNED_IN = "any signed-in person"


@pytest.fixture
def world(cast, demoshire):
    admin_access = access_for(cast["admin"], demoshire)
    unit = services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    period = ReportingPeriod.objects.create(organisation=demoshire, identifier="2024-25-Q1", kind="quarter",
                                            start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30))
    closed = ReportingPeriod.objects.create(organisation=demoshire, identifier="2024-25-Q2", kind="quarter",
                                            start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 30), status="closed")
    viewer_membership = Membership.objects.get(user=cast["viewer"], organisation=demoshire)
    return {"unit": unit, "period": period, "closed": closed, "membership": viewer_membership}


# (url name, method, path builder, allowed roles, POST data builder)
PAGES = [
    ("core:org_home", "get", lambda w: "/o/demoshire/", ALL, None),
    ("core:members", "get", lambda w: "/o/demoshire/members/", {"admin"}, None),
    ("core:members", "post", lambda w: "/o/demoshire/members/", {"admin"},
     lambda w: {"email": "new@demoshire.example", "full_name": "New", "role": "viewer"}),
    ("core:member_change", "get", lambda w: f"/o/demoshire/members/{w['membership'].pk}/", {"admin"}, None),
    ("core:member_change", "post", lambda w: f"/o/demoshire/members/{w['membership'].pk}/", {"admin"},
     lambda w: {"role": "contributor", "is_active": "on"}),
    ("core:units", "get", lambda w: "/o/demoshire/units/", {"admin"}, None),
    ("core:units", "post", lambda w: "/o/demoshire/units/", {"admin"},
     lambda w: {"name": "Children", "kind": "directorate"}),
    ("core:unit_change", "get", lambda w: f"/o/demoshire/units/{w['unit'].pk}/", {"admin"}, None),
    ("core:unit_change", "post", lambda w: f"/o/demoshire/units/{w['unit'].pk}/", {"admin"},
     lambda w: {"name": "Adult Services"}),
    ("core:periods", "get", lambda w: "/o/demoshire/periods/", ALL, None),
    ("core:periods", "post", lambda w: "/o/demoshire/periods/", {"admin"}, lambda w: {"identifier": "2030-31"}),
    ("core:period_close", "post", lambda w: "/o/demoshire/periods/2024-25-Q1/close/", {"admin", "manager"}, dict),
    ("core:period_reopen", "get", lambda w: "/o/demoshire/periods/2024-25-Q2/reopen/", {"admin", "manager"}, None),
    ("core:period_reopen", "post", lambda w: "/o/demoshire/periods/2024-25-Q2/reopen/", {"admin", "manager"},
     lambda w: {"reason": "A late correction"}),
    ("core:audit_log", "get", lambda w: "/o/demoshire/audit/", {"admin", "auditor"}, None),
    ("core:audit_export", "get", lambda w: "/o/demoshire/audit/export.csv", {"admin", "auditor"}, None),
    ("core:record_history", "get", lambda w: f"/o/demoshire/history/unit/{w['unit'].pk}/", ALL, None),
]

# Addresses not scoped to one organisation: any signed-in person may use them.
UNSCOPED = {"core:home", "core:signin", "core:signout", "core:tokens", "core:token_revoke", "healthz"}

API = [
    ("get", "/api/v1/organisations/demoshire", ALL, None),
    ("get", "/api/v1/organisations/demoshire/units", ALL, None),
    ("post", "/api/v1/organisations/demoshire/units", {"admin"}, {"name": "Children", "kind": "directorate"}),
    ("patch", "/api/v1/organisations/demoshire/units/{unit}", {"admin"}, {"name": "Adult Services"}),
    ("get", "/api/v1/organisations/demoshire/periods", ALL, None),
    ("post", "/api/v1/organisations/demoshire/periods", {"admin"}, {"year": "2030-31"}),
    ("post", "/api/v1/organisations/demoshire/periods/2024-25-Q1/close", {"admin", "manager"}, {}),
    ("post", "/api/v1/organisations/demoshire/periods/2024-25-Q2/reopen", {"admin", "manager"},
     {"reason": "A late correction"}),
    ("get", "/api/v1/organisations/demoshire/memberships", ALL, None),
    ("post", "/api/v1/organisations/demoshire/memberships", {"admin"},
     {"email": "new@demoshire.example", "role": "viewer"}),
    ("patch", "/api/v1/organisations/demoshire/memberships/{membership}", {"admin"}, {"role": "contributor"}),
    ("get", "/api/v1/organisations/demoshire/history/unit/{unit}", ALL, None),
    ("get", "/api/v1/organisations/demoshire/audit", {"admin", "auditor"}, None),
]


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
def test_pages(client, world, cast, role, name, method, path, allowed, data):
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
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("method,path,allowed,payload", API, ids=[f"{r[0]} {r[1]}" for r in API])
@pytest.mark.parametrize("role", ROLES + ["outsider", "anonymous"])
def test_api(client, world, cast, role, method, path, allowed, payload):
    headers = {}
    if role != "anonymous":
        _, token = services.create_api_token(cast[role], "matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    url = path.format(unit=world["unit"].pk, membership=world["membership"].pk)
    kwargs = {"content_type": "application/json", "data": payload} if payload is not None else {}
    response = getattr(client, method)(url, **kwargs, **headers)
    if role == "anonymous":
        assert response.status_code == 401
    elif role == "outsider":
        assert response.status_code == 404
    elif role in allowed:
        assert response.status_code in (200, 201), response.content[:500]
    else:
        assert response.status_code == 403, response.content[:500]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_change_an_audit_entry_through_any_address(client, world, cast, role):
    from carestat.core.models import AuditEntry

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
