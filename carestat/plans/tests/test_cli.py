import pytest
from django.core import mail
from django.core.management import CommandError, call_command


def test_plans_list_and_show_print_the_plan(world, capsys):
    call_command("plans", "list", "--org", "demoshire")
    call_command("plans", "show", str(world["plan"].pk), "--org", "demoshire")
    out = capsys.readouterr().out
    assert "Adult social care improvement" in out and "Clear the OT assessment backlog (Tom Okafor)" in out


def test_plans_export_and_import_round_trip(world, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    call_command("plans", "export", str(world["plan"].pk), "--org", "demoshire", "-o", str(path))
    call_command("plans", "import", str(path), "--org", "demoshire", "--title", "A copy")
    assert "Imported plan" in capsys.readouterr().out


def test_a_contributor_cannot_import_from_the_command_line(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    call_command("plans", "export", str(world["plan"].pk), "--org", "demoshire", "-o", str(path))
    with pytest.raises(CommandError, match="does not allow"):
        call_command("plans", "import", str(path), "--org", "demoshire", "--title", "Copy",
                     "--as", world["cast"]["contributor"].email)


def test_plans_remind_dry_run_prints_and_sends_nothing(world, capsys):
    call_command("plans_remind", "--org", "demoshire", "--dry-run")
    assert "Would send 1 reminder" in capsys.readouterr().out and not mail.outbox
    call_command("plans_remind", "--org", "demoshire")
    assert len(mail.outbox) == 1
