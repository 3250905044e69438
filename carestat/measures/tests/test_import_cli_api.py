import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from carestat.core import services as core_services
from carestat.measures import importing, services
from carestat.measures.models import MeasureValue, MeasureValueRevision
from conftest import access_for


def _csv(*rows: str) -> bytes:
    return ("code,period,value,numerator,denominator,provisional\n" + "\n".join(rows) + "\n").encode()


def test_a_file_with_a_bad_row_is_rejected_naming_row_and_column_and_nothing_is_saved(permanent_share, manager,
                                                                                        demoshire):
    content = _csv("WF-PERMANENT-SHARE,2025-26-Q1,81,81,100,no",
                   "WF-PERMANENT-SHARE,2025-26-Q2,eighty,,,no",
                   "WF-NOPE,2025-26-Q2,80,,,no")
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_values(access_for(manager, demoshire), "workforce.csv", content)
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "workforce.csv, row 3, column value: The value must be a number, like 72.5",
        "workforce.csv, row 4, column code: ‘WF-NOPE’ is not a measure this organisation tracks",
    ]
    assert MeasureValue.objects.count() == 0


def test_importing_the_same_file_twice_changes_nothing_and_a_changed_row_is_a_revision(permanent_share, manager,
                                                                                      demoshire):
    access = access_for(manager, demoshire)
    first = importing.import_values(access, "wf.csv", _csv("WF-PERMANENT-SHARE,2025-26-Q1,81,81,100,yes"))
    assert first.created == ["WF-PERMANENT-SHARE 2025-26-Q1"]
    again = importing.import_values(access, "wf.csv", _csv("WF-PERMANENT-SHARE,2025-26-Q1,81,81,100,yes"))
    assert again.unchanged == ["WF-PERMANENT-SHARE 2025-26-Q1"] and not again.created
    importing.import_values(access, "wf-final.csv", _csv("WF-PERMANENT-SHARE,2025-26-Q1,82,82,100,no"))
    value = MeasureValue.objects.get()
    assert (value.value, value.version, value.import_file, value.import_row) == (Decimal("82"), 2, "wf-final.csv", 2)
    assert MeasureValueRevision.objects.get().value == Decimal("81")


def test_an_excel_file_imports_like_a_csv(permanent_share, manager, demoshire):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Code", "Period", "Value"])
    ws.append(["WF-PERMANENT-SHARE", "2025-26-Q1", 82])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = importing.import_values(access_for(manager, demoshire), "wf.xlsx", buffer.getvalue())
    assert result.created == ["WF-PERMANENT-SHARE 2025-26-Q1"]


def test_the_import_page_lists_each_problem_and_saves_nothing(client, permanent_share, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile("wf.csv", _csv("WF-PERMANENT-SHARE,2025-09,81,,,no"), content_type="text/csv")
    page = client.post("/o/demoshire/measures/import/", {"file": upload}).content.decode()
    assert "WF-PERMANENT-SHARE is quarterly, so its values are for a quarter such as 2025-26-Q2" in page
    assert "wf.csv was not imported: nothing was saved" in page
    assert MeasureValue.objects.count() == 0


def test_the_measures_command_prints_json_with_value_provenance_and_rag(permanent_share, manager, demoshire,
                                                                         capsys):
    access = access_for(manager, demoshire)
    services.set_target(access, permanent_share, period="2025-26", value=70)
    services.enter_value(access, permanent_share, period="2025-26-Q2", numerator=82, denominator=100)
    call_command("measures", "--org", "demoshire", "--period", "2025-26-Q2", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ("code", "period", "value", "numerator", "denominator", "unit", "rag", "source")} == {
        "code": "WF-PERMANENT-SHARE", "period": "2025-26-Q2", "value": 82.0, "numerator": 82.0,
        "denominator": 100.0, "unit": "percent", "rag": "green", "source": "manual"}
    assert row["provenance"] == "Entered by hand by Priya Shah; approved by Priya Shah"


def test_the_measures_command_refuses_a_code_the_organisation_does_not_track(permanent_share):
    with pytest.raises(CommandError, match="does not track OPS-BACKLOG"):
        call_command("measures", "--org", "demoshire", "--period", "2025-26-Q2", "--code", "OPS-BACKLOG")


def test_measures_import_command_rejects_a_bad_file_naming_the_row(permanent_share, admin, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("WF-PERMANENT-SHARE,2025-26-Q1,140,,,no"))
    with pytest.raises(CommandError, match="bad.csv, row 2, column value: A percentage must be between 0 and 100"):
        call_command("measures_import", "--org", "demoshire", str(bad))
    assert MeasureValue.objects.count() == 0


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 't')[1]}"}


def test_the_api_gives_a_measure_with_its_judgements_in_words(client, permanent_share, manager, demoshire):
    access = access_for(manager, demoshire)
    services.set_target(access, permanent_share, period="2025-26", value=70)
    services.enter_value(access, permanent_share, period="2025-26-Q2", value="82")
    body = client.get("/api/v1/organisations/demoshire/measures/WF-PERMANENT-SHARE", **_bearer(manager)).json()
    assert body["rag"] == "green" and body["latest_value"] == 82.0 and body["target"] == 70.0
    assert body["judgement"]["against_target"].startswith("82.0% is 12.0 points above the target of 70.0%")


def test_a_contributor_posts_a_value_through_the_api_and_a_manager_approves_it(client, permanent_share, contributor,
                                                                               manager):
    created = client.post("/api/v1/organisations/demoshire/measures/WF-PERMANENT-SHARE/values",
                          {"period": "2025-26-Q2", "numerator": 41, "denominator": 50},
                          content_type="application/json", **_bearer(contributor))
    assert created.status_code == 201 and created.json()["status"] == "submitted" and created.json()["value"] == 82.0
    approved = client.post(f"/api/v1/organisations/demoshire/measures/WF-PERMANENT-SHARE/values/"
                           f"{created.json()['id']}/approve", **_bearer(manager))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_the_public_api_hides_small_numbers(client, ot_measure, manager, demoshire):
    services.enter_value(access_for(manager, demoshire), ot_measure, period="2025-09", numerator=3, denominator=4)
    body = client.get("/api/v1/organisations/demoshire/measures/OT-28DAYS/values?public=true",
                      **_bearer(manager)).json()
    assert body[0]["suppressed"] is True and body[0]["value"] is None and body[0]["numerator"] is None


def test_carestat_help_lists_the_measures_commands(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CARESTAT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "carestat.cli", "--help"], env=env, capture_output=True, text=True,
                         check=True).stdout
    for name in ("measures", "measures_import", "measures_catalogue"):
        assert f"  {name} " in out


def test_measures_catalogue_command_loads_the_catalogue(db, capsys):
    call_command("measures_catalogue")
    assert "Measure catalogue loaded: 46 new, 0 updated." in capsys.readouterr().out
