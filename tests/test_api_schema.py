"""Schemathesis generates requests from the OpenAPI document and checks every response
against it: no server errors, documented status codes and bodies that match their schemas."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from carestat.core import services
from carestat.wsgi import application

# Multipart file uploads are left out: schemathesis sends them without the file part, which
# the document rightly calls required; the upload endpoint has its own tests.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).exclude(
    method="POST",
    path_regex=r"/(submissions|finance/import|commissioning/import/{kind}|demand/population|report-word-template)$",
)
# Text holding a NUL byte is refused with a 422 anywhere in a request, before the schema is
# consulted (carestat.core.middleware.RejectNulMiddleware), so valid requests have none.
schema.config.generation.update(allow_x00=False)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # Django's test client stops requests from closing the test's database connection;
    # schemathesis calls the WSGI app directly, so do the same here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(admin, viewer, demoshire):
    return services.create_api_token(admin, "schemathesis")[1]


@pytest.mark.slow
@schema.parametrize()
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_openapi_document(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"})


def test_no_two_api_schemas_share_a_name_so_none_replaces_another_in_the_document():
    # The OpenAPI document names each schema by its class; two classes of one name (a savings
    # target and a measure's target) left one endpoint documented with the other's body.
    from ninja import Schema

    import carestat.api  # noqa: F401  (mounts every app's router, importing its schemas)

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    names: dict[str, set[str]] = {}
    for cls in every(Schema):
        if cls.__module__.startswith("carestat."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in names.items() if len(mods) > 1} == {}
