import json

import pytest
from django.core.management import CommandError, call_command

from carestat.risks.models import Risk
from carestat.risks.tests.builders import small_register


@pytest.fixture
def world(demoshire, cast):
    return small_register(demoshire, cast["admin"], cast["contributor"])


def test_risks_list_prints_each_risk_with_its_score_and_flags(world, capsys):
    call_command("risks", "list", "--org", "demoshire")
    out = capsys.readouterr().out
    assert "R01" in out and "current 16 Very high, appetite at most 8; Above appetite, Worsening" in out


def test_risks_list_and_show_give_json_like_the_api(world, capsys):
    call_command("risks", "list", "--org", "demoshire", "--json", "--flag", "above_appetite")
    [row] = json.loads(capsys.readouterr().out)
    assert row["ref"] == "R01" and row["current"]["score"] == 16
    call_command("risks", "show", "r01", "--org", "demoshire", "--json")
    detail = json.loads(capsys.readouterr().out)
    assert [a["score"] for a in detail["assessments"]] == [20, 12, 6, 16]
    assert detail["controls"][0]["effectiveness"] == "partly"


def test_risks_show_prints_scores_controls_and_mitigations(world, capsys):
    call_command("risks", "show", "R01", "--org", "demoshire")
    out = capsys.readouterr().out
    assert "Current   16 Very high (L4 x I4" in out
    assert "Control (partly): Weekly backlog triage by a senior OT" in out
    assert "Mitigation: Clear the OT assessment backlog" in out


def test_risks_export_and_import_round_trip(world, tmp_path, capsys):
    path = tmp_path / "register.xlsx"
    call_command("risks", "export", "--org", "demoshire", "-o", str(path))
    Risk.objects.filter(ref="R01").update(ref="R01-OLD")
    call_command("risks", "import", str(path), "--org", "demoshire")
    assert "Imported 1 risks: R01" in capsys.readouterr().out


def test_a_viewer_cannot_import_and_a_bad_workbook_names_its_problems(world, viewer, tmp_path):
    path = tmp_path / "register.xlsx"
    call_command("risks", "export", "--org", "demoshire", "-o", str(path))
    with pytest.raises(CommandError, match="does not allow"):
        call_command("risks", "import", str(path), "--org", "demoshire", "--as", viewer.email)
    with pytest.raises(CommandError, match="Risks row 2, column 'Ref': 'R01' is already on the register"):
        call_command("risks", "import", str(path), "--org", "demoshire")
