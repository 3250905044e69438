"""Every role against every page and API endpoint that exists.

Each row says which roles may use an address; everyone else in the organisation gets 403
(the page or endpoint exists but their role forbids it), the outsider (another council's
admin) gets 404 for anything of Demoshire's, and someone signed out is sent to sign in
(pages) or gets 401 (API). ``test_every_address_is_in_the_matrix`` fails when a new URL is
added without a row here, so the matrix cannot fall behind.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from carestat.core import services

ROLES = ["admin", "manager", "contributor", "viewer", "auditor"]


@pytest.fixture
def world(cast, demoshire, settings):
    """Objects for the rows to address, built by each app's ``build(world)``."""
    settings.CARESTAT_JOBS_INLINE = True  # a page that starts a job finishes it before the test's transaction ends
    w = {"cast": cast, "org": demoshire}
    for build in BUILDERS:
        build(w)
    return w


def _collect():
    """Rows from every app's ``tests/access_rows.py``: PAGES, API, UNSCOPED and build(world)."""
    import importlib

    from django.apps import apps

    pages, api, unscoped, builders = [], [], set(), []
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
    return pages, api, unscoped, builders


PAGES, API, UNSCOPED, BUILDERS = _collect()


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
    url = path.format(**world)
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
