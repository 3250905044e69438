"""The API and the command line give the same figures as the pages."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carestat.commissioning.tests.builders import PROVIDERS_CSV


def test_the_api_market_map_gives_the_vcse_share_and_its_sources(client, loaded, viewer):
    client.force_login(viewer)
    data = client.get("/api/v1/organisations/demoshire/commissioning/market").json()
    y = next(y for y in data["years"] if y["year"] == "2026-27")
    assert y["vcse"]["spend"] == "2000.00" and y["vcse"]["spend_share_percent"] == "33.3"
    assert y["vcse"]["sources"]["payments_files"] == [{"file": "payments.csv", "vcse_spend": "2000.00"}]
    assert y["spend_by_sector"]["amounts"] == {"private": "3000.00", "vcse": "2000.00", "public": "1000.00"}
    assert data["unmatched"] == {"payments": 1, "total": "123.45"}


def test_an_api_import_with_problems_answers_422_naming_row_and_column(client, loaded, manager):
    client.force_login(manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/organisations/demoshire/commissioning/import/payments", {
        "file": SimpleUploadedFile("spend.csv", b"Supplier,Payment date,Amount\nA,31/02/2026,1\n")})
    assert response.status_code == 422
    assert response.json()["problems"] == [{"row": 2, "column": "Payment date",
                                            "message": "'31/02/2026' is not a date; write it as 2026-04-30 or "
                                                       "30/04/2026"}]


def test_the_command_imports_and_shows_the_market_as_json(loaded, tmp_path, capsys):
    path = tmp_path / "providers.csv"
    path.write_bytes(PROVIDERS_CSV)
    call_command("commissioning", "import", "providers", str(path), "--org", "demoshire", "--as",
                 "priya@demoshire.example", "--json")
    assert json.loads(capsys.readouterr().out)["already_loaded"] is True  # the builders loaded these bytes
    call_command("commissioning", "market", "--org", "demoshire", "--json", "--public")
    data = json.loads(capsys.readouterr().out)
    sensitive = next(c for c in data["pipeline"] if c["reference"] == "DC-003")
    assert sensitive["annual_value"] is None and sensitive["commercially_sensitive"] is True


def test_the_command_names_each_problem_and_imports_nothing(loaded, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(b"Supplier,Payment date,Amount\nA,2026-04-01,lots\n")
    with pytest.raises(CommandError, match="spend.csv row 2, column 'Amount': 'lots' is not an amount"):
        call_command("commissioning", "import", "payments", str(path), "--org", "demoshire", "--as",
                     "priya@demoshire.example")
