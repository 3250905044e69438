"""Requests carrying a NUL byte are refused before any view runs, and what signed-in people
see is never kept by a browser or proxy cache."""

import pytest

from carestat.core import services
from carestat.core.models import Unit


@pytest.fixture
def admin_token(admin):
    return {"HTTP_AUTHORIZATION": f"Bearer {services.create_api_token(admin, 'tests')[1]}"}


# NUL bytes ----------------------------------------------------------------------------------
# PostgreSQL cannot store or even compare text holding NUL, so before this each of these was
# a 500 there (an HTML one on the API), and a form error or a 404 on SQLite.

def test_a_nul_in_a_form_field_is_refused_naming_the_field_and_nothing_is_saved(client, admin):
    client.force_login(admin)
    response = client.post("/o/demoshire/units/", {"name": "Adults\x00", "kind": "directorate"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your request could not be read" in page
    assert "The form field ‘name’ contains a null character" in page
    assert not Unit.objects.exists()


def test_a_nul_in_the_web_address_is_refused_with_400(client, admin):
    client.force_login(admin)
    response = client.get("/o/demoshire/history/unit/1%00/")
    assert response.status_code == 400
    assert "The web address contains a null character" in response.content.decode()


def test_a_nul_in_the_query_string_is_refused_naming_the_parameter(client, admin):
    client.force_login(admin)
    response = client.get("/o/demoshire/audit/?kind=%00")
    assert response.status_code == 400
    assert "The query parameter ‘kind’ contains a null character" in response.content.decode()


def test_a_nul_in_an_api_address_gets_a_json_422(client, admin_token):
    response = client.get("/api/v1/organisations/demo%00shire/units", **admin_token)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("The web address contains a null character")


def test_a_nul_in_an_api_json_body_gets_a_json_422_naming_the_field_and_nothing_is_saved(client, admin_token):
    body = '{"name": "Adults\\u0000", "kind": "directorate"}'  # JSON's escape for a NUL
    response = client.post("/api/v1/organisations/demoshire/units", body, content_type="application/json",
                           **admin_token)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "name"
    assert body["detail"].startswith("The field ‘name’ contains a null character")
    assert body["errors"] == [{"field": "name", "message": "contains a null character (a zero byte)"}]
    assert not Unit.objects.exists()


def test_an_escaped_backslash_u0000_in_json_is_just_text_and_is_accepted(client, admin_token):
    body = '{"name": "Adults \\\\u0000", "kind": "directorate"}'  # a backslash, then the text u0000
    response = client.post("/api/v1/organisations/demoshire/units", body, content_type="application/json",
                           **admin_token)
    assert response.status_code == 201
    assert Unit.objects.get().name == "Adults \\u0000"


# Cache-Control ------------------------------------------------------------------------------

def test_pages_and_downloads_for_signed_in_people_are_not_stored(client, auditor):
    client.force_login(auditor)
    for url in ["/o/demoshire/", "/o/demoshire/audit/", "/o/demoshire/audit/export.csv"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_api_answers_for_a_token_holder_are_not_stored(client, admin_token):
    response = client.get("/api/v1/organisations/demoshire/units", **admin_token)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable_for_signed_in_people(client, viewer):
    client.force_login(viewer)
    response = client.get("/static/build/carestat.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")



def test_a_nul_deep_in_a_json_body_is_found_and_named_by_its_path():
    from carestat.core.middleware import _nul_path

    assert _nul_path({"a": [{"b": "fine"}, {"b": "x\x00"}], "c": "also fine"}) == ["a", "1", "b"]
    assert _nul_path({"k\x00ey": 1}) == ["key"]
    assert _nul_path([[[[[["fine"]]]]]]) is None
    deep: list = ["x\x00"]
    for _ in range(5000):
        deep = [deep]
    assert _nul_path(deep) == ["0"] * 5000 + ["0"]
