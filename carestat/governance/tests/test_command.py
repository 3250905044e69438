import io
import json

import pytest
from django.core.management import CommandError, call_command

from carestat.governance.models import Recommendation
from carestat.governance.tests.builders import small_governance


@pytest.fixture
def world(demoshire, admin, contributor):
    return small_governance(demoshire, admin, contributor)


def _run(*args):
    out = io.StringIO()
    call_command("governance", *args, stdout=out)
    return out.getvalue()


def test_the_tracker_lists_as_json(world):
    rows = json.loads(_run("tracker", "--org", "demoshire", "--json"))
    assert [(r["reference"], r["status"], r["overdue"]) for r in rows] == [("R1", "open", False)]


def test_show_gives_the_linked_actions_progress(world):
    text = _run("show", str(world["rec"].pk), "--org", "demoshire")
    assert "R1 (External auditor" in text and "Clear the OT assessment backlog" in text


def test_status_changes_through_the_command_and_closing_needs_evidence(world, admin):
    rec = world["rec"]
    _run("status", str(rec.pk), "--org", "demoshire", "--as", admin.email, "--status", "implemented",
         "--reason", "Milestone plans published")
    with pytest.raises(CommandError, match="Closing needs evidence"):
        _run("status", str(rec.pk), "--org", "demoshire", "--as", admin.email, "--status", "closed",
             "--reason", "Verified")
    _run("status", str(rec.pk), "--org", "demoshire", "--as", admin.email, "--status", "closed",
         "--reason", "Verified", "--evidence", "Internal audit follow-up report")
    assert Recommendation.objects.get(pk=rec.pk).status == "closed"


def test_an_import_with_a_bad_row_names_the_row_and_column_and_imports_nothing(world, tmp_path):
    f = tmp_path / "recs.csv"
    f.write_text("Source,Source document,Reference,Date raised,Recommendation,Due date,Owner email\n"
                 "Internal audit,IA 2026/07,1,01/05/2026,Reconcile the care packages,31/03/2027,\n"
                 "Ofsted,ILACS 2026,2,01/05/2026,Improve supervision,30/04/2026,nobody@example.com\n")
    with pytest.raises(CommandError) as exc:
        _run("import", str(f), "--org", "demoshire")
    assert "Row 3, column 'Due date': is before the date the recommendation was made" in str(exc.value)
    assert "Row 3, column 'Owner email': 'nobody@example.com' is not a member" in str(exc.value)
    assert not Recommendation.objects.filter(source_document="IA 2026/07").exists()


def test_an_exported_tracker_imports_into_another_document_reference(world, tmp_path, demoshire):
    out = tmp_path / "recs.xlsx"
    _run("export", "--org", "demoshire", "-o", str(out))
    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb.active
    ws["B2"] = "Comptroller and Auditor General: follow-up review"
    wb.save(out)
    _run("import", str(out), "--org", "demoshire")
    copy = Recommendation.objects.get(source_document="Comptroller and Auditor General: follow-up review")
    assert copy.reference == "R1" and [a.title for a in copy.actions.all()] == ["Clear the OT assessment backlog"]


def test_remind_emails_each_owner_what_falls_due_within_two_weeks_or_is_overdue(world, demoshire, admin, mailoutbox):
    import datetime as dt

    from django.utils import timezone

    from carestat.governance import services
    from conftest import access_for

    today = timezone.localdate()
    services.create_recommendation(access_for(admin, demoshire), source="scrutiny", source_document="Minutes",
                                   reference="S1", raised_on=today - dt.timedelta(days=30),
                                   due_date=today + dt.timedelta(days=3), text="Share backlog figures",
                                   owner=world["action"].owner)
    out = _run("remind", "--org", "demoshire", "--dry-run")
    assert "S1 (Minutes)" in out and "R1" not in out and "Would send 1 reminder" in out
    assert mailoutbox == []
    _run("remind", "--org", "demoshire")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [world["action"].owner.email]
