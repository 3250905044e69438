import io

from django.core.management import call_command

from carestat.core.models import AuditEntry
from carestat.reports import services
from carestat.reports.tests.helpers import docx_text, pdf_text


def test_without_a_published_report_the_command_writes_an_unsaved_draft_and_says_so(world, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "r.pdf"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "pdf", "-o", str(target), stdout=out, stderr=err)
    assert "wrote a draft" in err.getvalue()
    assert "Backlog clearance" in pdf_text(target.read_bytes())
    assert AuditEntry.objects.filter(action="reports.report.exported").exists()


def test_with_a_published_report_the_command_uses_its_frozen_content(world, tmp_path):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"],
                                    main_messages="Frozen words.")
    services.approve_report(world["manager_access"], report)
    services.publish_report(world["manager_access"], report)
    err = io.StringIO()
    target = tmp_path / "r.docx"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "docx", "-o", str(target), stdout=io.StringIO(), stderr=err)
    assert "Using the published report" in err.getvalue()
    assert "Frozen words." in docx_text(target.read_bytes())
