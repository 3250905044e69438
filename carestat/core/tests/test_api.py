import pytest

from carestat.core import services


@pytest.fixture
def viewer_token(viewer):
    return services.create_api_token(viewer, "tests")[1]


def test_the_openapi_document_is_public_and_describes_the_endpoints(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "CareStat API"
    assert "/api/v1/organisations/{slug}/units" in doc["paths"]


def test_me_lists_the_persons_memberships(client, viewer, viewer_token):
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {viewer_token}").json()
    assert me["memberships"] == [{"organisation": "demoshire", "organisation_name": "Demoshire County Council",
                                  "role": "viewer"}]


def test_a_revoked_token_is_refused(client, viewer):
    token, plain = services.create_api_token(viewer, "old")
    services.revoke_api_token(viewer, token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_bad_input_to_the_api_gets_a_clear_message_and_changes_nothing(client, admin):
    from carestat.core.models import Unit

    token = services.create_api_token(admin, "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post("/api/v1/organisations/demoshire/units", {"name": "OT", "kind": "team"},
                    content_type="application/json", **auth)
    assert r.status_code == 422 and r.json() == {"detail": "A team must sit within another unit", "field": "parent"}
    r = client.post("/api/v1/organisations/demoshire/units", {"name": "OT", "kind": "galaxy"},
                    content_type="application/json", **auth)
    assert r.status_code == 422 and "kind" in str(r.json())
    r = client.post("/api/v1/organisations/demoshire/periods", {"year": "2024-26"},
                    content_type="application/json", **auth)
    assert r.status_code == 422 and "should be 25" in r.json()["detail"]
    assert not Unit.objects.exists()


def test_session_api_calls_that_change_things_need_the_csrf_token(admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    r = client.post("/api/v1/organisations/demoshire/units", {"name": "Adults", "kind": "directorate"},
                    content_type="application/json")
    assert r.status_code in (401, 403)
