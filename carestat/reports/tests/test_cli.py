import io

from django.core.management import call_command

from carestat.core.models import AuditEntry
from carestat.reports import services
from carestat.reports.models import ReportFile
from carestat.reports.tests.helpers import docx_text, pdf_text


def test_without_a_published_report_the_command_writes_an_unsaved_draft_and_says_so(world, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "r.pdf"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "pdf", "-o", str(target), stdout=out, stderr=err)
    assert "wrote a draft" in err.getvalue()
    assert "Backlog clearance" in pdf_text(target.read_bytes())
    assert AuditEntry.objects.filter(action="reports.report.exported").exists()


def test_the_command_prints_its_progress_as_it_builds_and_renders_a_draft(world, tmp_path):
    out = io.StringIO()
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == ("Building ‘Adult social care improvement: performance report, 2026-27 Q2 (July 2026 to "
                        "September 2026)’ from the figures held now")
    assert lines[1:7] == [
        "  Reading ‘Backlog clearance’ (Adult social care improvement) (0%)",
        "  Judging OT28: OT assessments within 28 days (25%)",
        "  Gathering backlog forecasts and data quality (50%)",
        "  Comparing with the last published report (75%)",
        "  Read 1 action, 2 milestones and 1 measure (100%)",
        "  Making the Excel workbook",
    ]
    assert lines[7].startswith(f"Wrote {tmp_path / 'r.xlsx'} (")


def test_the_command_covers_a_board_remit(world, tmp_path):
    remit = services.create_remit(world["manager_access"], name="Health Scrutiny", measures=[world["measure"]])
    target = tmp_path / "r.html"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--remit", str(remit.pk),
                 "--format", "html", "-o", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    html = target.read_text()
    assert "Health Scrutiny: performance report" in html and "OT28" in html


def test_with_a_published_report_the_command_writes_the_file_kept_when_it_was_published(world, tmp_path):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"],
                                    main_messages="Frozen words.")
    services.approve_report(world["manager_access"], report)
    services.publish_report(world["manager_access"], report)
    err, out = io.StringIO(), io.StringIO()
    target = tmp_path / "r.docx"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "docx", "-o", str(target), stdout=out, stderr=err)
    assert "Using the published report" in err.getvalue()
    assert "Using the Word document kept for it" in out.getvalue()
    kept = ReportFile.objects.get(report=report, format="docx", public=False, status="published")
    assert target.read_bytes() == bytes(kept.content)
    assert "Frozen words." in docx_text(target.read_bytes())
    out = io.StringIO()
    again = tmp_path / "again.docx"
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "docx", "-o", str(again), stdout=out, stderr=io.StringIO())
    assert "Using the Word document kept for it" in out.getvalue()
    assert again.read_bytes() == target.read_bytes()


def test_the_command_writes_a_published_correction_in_place_of_the_version_it_corrects(world, tmp_path):
    manager, admin = world["manager_access"], world["admin_access"]
    v1 = services.create_report(manager, period=world["q2"], scope="plan", plan=world["plan"],
                                main_messages="First words.")
    v1 = services.publish_report(admin, services.approve_report(admin, v1))
    v2 = services.reopen_report(manager, v1, reason="The first words were wrong.")
    services.set_main_messages(manager, v2, "Corrected words.")
    target = tmp_path / "r.html"
    args = ["report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
            "--format", "html", "-o", str(target)]
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert "First words." in target.read_text()  # the correction is not published yet
    services.publish_report(admin, services.approve_report(admin, v2))
    err = io.StringIO()
    call_command(*args, stdout=io.StringIO(), stderr=err)
    assert f"(id {v2.pk}, version 2, a correction, published " in err.getvalue()
    assert "Corrected words." in target.read_text() and "First words." not in target.read_text()
