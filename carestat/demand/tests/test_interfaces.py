"""The pages, the API, the ``carestat demand`` command and the report show the same projections."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from carestat.core import services as core_services
from carestat.core.tenancy import enforced
from carestat.demand import services
from carestat.demand.models import PopulationProjection, Projection
from carestat.demand.tests.builders import MISSING_YEAR, POPULATION

URL = "/o/demoshire/demand"
API = "/api/v1/organisations/demoshire/demand"


@pytest.fixture
def token(manager):
    return core_services.create_api_token(manager, "test")[1]


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_overview_shows_the_adults_projection_by_year(client, adults, manager):
    services.project_adults(adults["access"])
    client.force_login(manager)
    page = client.get(f"{URL}/").content.decode()
    assert 'id="adults"' in page and ">440<" in page and ">450<" in page
    assert "<svg" in page and "2025: self care 440" in page  # the chart's summary in words


def test_uploading_a_population_file_with_a_missing_year_shows_the_row_and_stores_nothing(client, world, manager):
    client.force_login(manager)
    f = SimpleUploadedFile("snpp.csv", MISSING_YEAR, "text/csv")
    page = client.post(f"{URL}/upload/", {"op": "population", "p-file": f}).content.decode()
    assert "snpp.csv row 4, column &#39;2026&#39;: there is no population for 2026" in page
    assert "nothing was loaded" in page
    assert not PopulationProjection.objects.exists()


def test_uploading_a_population_file_loads_it(client, world, manager):
    client.force_login(manager)
    f = SimpleUploadedFile("snpp.csv", POPULATION, "text/csv")
    response = client.post(f"{URL}/upload/", {"op": "population", "p-name": "ONS 2022", "p-file": f})
    assert response.status_code == 302
    assert PopulationProjection.objects.get().name == "ONS 2022"


def test_a_scenario_with_negative_numbers_is_shown_as_an_error_on_the_page(client, world, manager):
    client.force_login(manager)
    page = client.post(f"{URL}/scenarios/", {"s-name": "Too far", "s-kind": "entry_rate", "s-percent": "-150",
                                             "s-from_placement": "residential", "s-to_placement": "other"})
    assert page.status_code == 200 and "negative" in page.content.decode()


def test_the_api_makes_the_same_adults_projection_the_page_shows(client, adults, token):
    made = client.post(f"{API}/projections", {"kind": "adults"}, content_type="application/json", **_auth(token))
    assert made.status_code == 201
    body = client.get(f"{API}/projections/{made.json()['id']}", **_auth(token)).json()
    assert body["result"]["needs"][0]["people"] == [440.0, 450.0]
    assert body["assumptions"]["rates"] == ["Health Survey for England, 2016"]


def test_the_api_refuses_a_population_file_with_a_missing_year_naming_the_row(client, world, token):
    f = SimpleUploadedFile("snpp.csv", MISSING_YEAR, "text/csv")
    response = client.post(f"{API}/population", {"file": f}, **_auth(token))
    assert response.status_code == 422
    assert response.json()["problems"][0] == {"file": "snpp.csv", "row": 4, "column": "2026", "rule": "missing-year",
                                              "message": "there is no population for 2026; every row needs every year"}


def test_the_api_refuses_a_scenario_that_makes_negative_numbers(client, world, token):
    response = client.post(f"{API}/scenarios", {"name": "x", "changes": [
        {"kind": "step_down", "percent": -5, "from": "residential", "to": "other"}]},
        content_type="application/json", **_auth(token))
    assert response.status_code == 422 and "negative" in response.json()["detail"]


def test_the_command_projects_adults_as_json(adults, capsys):
    with enforced():
        call_command("demand", "project", "--kind", "adults", "--org", "demoshire", "--as", "priya@demoshire.example",
                     "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["result"]["needs"][0]["people"] == [440.0, 450.0]
    assert Projection.objects.get().pk == out["id"]


def test_the_command_backtests_the_childrens_model_and_prints_its_error(loaded, capsys):
    with enforced():
        call_command("demand", "backtest", "--org", "demoshire", "--as", "priya@demoshire.example", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "backtest" and out["result"]["mape"]["total"] is not None


def test_the_command_says_when_there_is_nothing_to_backtest(world):
    with enforced(), pytest.raises(CommandError, match="nothing to backtest"):
        call_command("demand", "backtest", "--org", "demoshire", "--as", "priya@demoshire.example")


def test_the_future_need_section_and_tiles_show_the_projections(loaded, adults, manager):
    from carestat.core.contributions import SectionContext
    from carestat.demand.contributions import future_need_section, home_tiles

    org = loaded["access"].organisation
    services.project_adults(loaded["access"])
    base = services.project_children(loaded["access"], years=2, reference_years=1, resamples=0)
    s = services.save_scenario(loaded["access"], name="Step down", in_report=True, changes=[
        {"kind": "step_down", "from": "residential", "to": "fostering_in_house", "percent": 30}])
    services.project_children(loaded["access"], years=2, reference_years=1, resamples=0, scenario=s)
    services.backtest(loaded["access"], years=1, reference_years=1)
    import datetime as dt

    section = future_need_section(SectionContext(org, None, dt.date(2026, 9, 30), "organisation"))
    text = " ".join(section["paragraphs"])
    assert "self care: 440 people in 2025, 450 by 2026 (+2%)" in text
    assert "Scenario ‘Step down’" in text and "out by" in text
    captions = [t["caption"] for t in section["tables"]]
    assert "Children in care by placement, now and projected at each year end" in captions
    children = next(t for t in section["tables"] if t["caption"].startswith("Children in care by placement"))
    assert children["rows"][-1][-1] == round(base.result["total"][-1], 1)
    # the public version shows 1 to 4 children as "fewer than 5"
    assert all(c == "fewer than 5" or not isinstance(c, int) or c == 0 or c >= 5
               for row in children["public_rows"] for c in row[1:])
    tiles = home_tiles(loaded["access"], None)
    assert [t.title for t in tiles][0].startswith("Children in care by")


def test_the_childrens_projection_and_scenario_compare_pages_show_the_same_totals(client, loaded, manager):
    base = services.project_children(loaded["access"], years=2, reference_years=1, resamples=20)
    s = services.save_scenario(loaded["access"], name="Fewer entries", changes=[{"kind": "entry_rate", "percent": -20}])
    services.project_children(loaded["access"], years=2, reference_years=1, resamples=0, scenario=s)
    client.force_login(manager)
    total = f"{base.result['total'][-1]:,.0f}"
    page = client.get(f"{URL}/projections/{base.pk}/").content.decode()
    assert 'id="children"' in page and f"<strong>{total}</strong>" in page and "Reference window" in page
    compare = client.get(f"{URL}/scenarios/").content.decode()
    assert 'id="compare"' in compare and "Fewer entries" in compare and total in compare
    overview = client.get(f"{URL}/").content.decode()
    assert 'id="children-chart"' in overview
