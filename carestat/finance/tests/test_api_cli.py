"""The API and the ``carestat finance`` command give the same figures as the pages."""

import json

import pytest
from django.core.management import CommandError, call_command

from carestat.core import services as core_services
from carestat.finance.models import PeriodFigure
from carestat.finance.tests.builders import EXTRACT, ledger_csv


@pytest.fixture
def token(manager):
    return core_services.create_api_token(manager, "test")[1]


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_imports_a_ledger_and_reports_the_summary(client, world, token):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/api/v1/organisations/demoshire/finance"
    f = SimpleUploadedFile("august.csv", ledger_csv(EXTRACT), "text/csv")
    response = client.post(f"{url}/import", {"file": f}, **_auth(token))
    assert response.status_code == 200 and response.json()["rows"] == 6 and response.json()["changed"] == 9
    body = client.get(f"{url}/summary?year=2026-27", **_auth(token)).json()
    assert (body["budget"], body["forecast"], body["variance"], body["variance_percent"], body["rag"]) == (
        "9000000.00", "9350000.00", "350000.00", "3.9", "red")
    residential = next(line for line in body["lines"] if line["cost_code"] == "CS110")
    assert residential["variance"] == "300000.00" and residential["depth"] == 1
    detail = client.get(f"{url}/lines/{world['residential'].pk}?year=2026-27", **_auth(token)).json()
    assert [f["period"] for f in detail["figures"]] == ["2026-07", "2026-08"]


def test_the_api_refuses_a_bad_ledger_with_every_problem_and_stores_nothing(client, world, token):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("bad.csv", ledger_csv([("CS110", "2026-07", "-1", "x", "1")]), "text/csv")
    response = client.post("/api/v1/organisations/demoshire/finance/import", {"file": f}, **_auth(token))
    assert response.status_code == 422
    assert [(p["row"], p["column"]) for p in response.json()["problems"]] == [(2, "Budget"), (2, "Actual")]
    assert not PeriodFigure.objects.exists()


def test_the_api_keeps_the_savings_programme(client, world, token):
    url = "/api/v1/organisations/demoshire/finance/savings"
    created = client.post(url, {"reference": "CS-01", "title": "Step down residential placements",
                                "targets": [{"year": "2026-27", "target": "500000"}]}, content_type="application/json",
                          **_auth(token))
    assert created.status_code == 201
    pk = created.json()["id"]
    done = client.post(f"{url}/{pk}/delivered", {"year": "2026-27", "delivered": "125000"},
                       content_type="application/json", **_auth(token))
    assert done.json()["targets"] == [{"year": "2026-27", "target": "500000.00", "delivered": "125000.00"}]
    assert client.post(f"{url}/{pk}/delivered", {"year": "2027-28", "delivered": "1"},
                       content_type="application/json", **_auth(token)).status_code == 404  # no target that year
    assert client.post(f"{url}/{pk}/delivered", {"year": "2026-99", "delivered": "1"},
                       content_type="application/json", **_auth(token)).status_code == 404
    years = client.get(f"{url}/by-year", **_auth(token)).json()
    assert years == [{"year": "2026-27", "target": "500000.00", "delivered": "125000.00",
                      "delivered_percent": "25.0", "shortfall": "375000.00"}]


def test_the_command_imports_and_summarises_as_json(world, tmp_path, capsys):
    path = tmp_path / "august.csv"
    path.write_bytes(ledger_csv(EXTRACT))
    call_command("finance", "import", str(path), "--org", "demoshire", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] is True and out["rows"] == 6
    call_command("finance", "import", str(path), "--org", "demoshire")
    assert "already loaded" in capsys.readouterr().out
    call_command("finance", "summary", "--org", "demoshire", "--year", "2026-27", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["budget"], summary["forecast"], summary["variance_percent"]) == ("9000000.00", "9350000.00",
                                                                                    "3.9")


def test_the_command_names_each_problem_and_imports_nothing(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(ledger_csv([("CS999", "2026-07", "1", "1", "1")]))
    with pytest.raises(CommandError) as caught:
        call_command("finance", "import", str(path), "--org", "demoshire")
    assert "bad.csv row 2, column 'Cost code'" in str(caught.value)
    assert not PeriodFigure.objects.exists()


def test_a_viewer_cannot_import_through_the_api(client, world, viewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = core_services.create_api_token(viewer, "test")[1]
    f = SimpleUploadedFile("august.csv", ledger_csv(EXTRACT), "text/csv")
    response = client.post("/api/v1/organisations/demoshire/finance/import", {"file": f}, **_auth(token))
    assert response.status_code == 403 and not PeriodFigure.objects.exists()


def test_the_command_names_the_scenario_for_the_report_and_the_model_says_which(world, capsys):
    from carestat.finance import services
    from carestat.finance.models import settings_for

    a = world["access"]
    services.set_driver(a, world["residential"], activity="residential", base_year="2026-27", unit_cost="1")
    services.save_scenario(a, name="Fewer residential", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "-1", "start": "2026-27-Q3"}])
    call_command("finance", "scenario", "fewer residential", "--for-report", "--org", "demoshire",
                 "--as", a.user.email, "--json")
    assert json.loads(capsys.readouterr().out) == {"report_scenario": "Fewer residential"}
    assert settings_for(a.organisation).report_scenario.name == "Fewer residential"
    call_command("finance", "scenario", "--org", "demoshire", "--year", "2026-27", "--json")
    assert json.loads(capsys.readouterr().out)["report_scenario"] == "Fewer residential"
    with pytest.raises(CommandError):
        call_command("finance", "scenario", "No such", "--for-report", "--org", "demoshire", "--as", a.user.email)
    call_command("finance", "scenario", "none", "--for-report", "--org", "demoshire", "--as", a.user.email)
    assert settings_for(a.organisation).report_scenario is None
