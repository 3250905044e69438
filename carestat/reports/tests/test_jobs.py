"""Drafting and refreshing a report, and making a published report's files, are background
jobs with a progress page; a frozen report's files are made once and kept."""

import hashlib
import itertools
from types import SimpleNamespace

import pytest

from carestat.core import jobs
from carestat.core.errors import Conflict
from carestat.core.models import AuditEntry, Job, JobStatus
from carestat.measures import services as measures
from carestat.reports import services, snapshot
from carestat.reports.models import Report, ReportFile, ReportStatus
from carestat.reports.tests.helpers import docx_text, pdf_text

NEW = "/o/demoshire/reports/new/"


def _draft_form(world, **extra):
    return {"covers": f"plan:{world['plan'].pk}", "period": "2026-27-Q2", **extra}


@pytest.fixture
def every_step_saved(monkeypatch):
    """The job saves progress at most twice a second; a fast test would see only the first
    step. A clock that moves a second between calls saves every step."""
    clock = itertools.count(start=1000)
    monkeypatch.setattr(jobs, "time", SimpleNamespace(monotonic=lambda: next(clock)))


def test_drafting_from_the_page_runs_as_a_job_that_links_to_the_draft(client, world):
    client.force_login(world["cast"]["manager"])
    response = client.post(NEW, _draft_form(world))
    job = Job.objects.get()
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/o/demoshire/jobs/{job.pk}/"
    assert (job.kind, job.status, job.started_by) == ("reports.draft", JobStatus.DONE, world["cast"]["manager"])
    assert report.title == ("Adult social care improvement: performance report, "
                            "2026-27 Q2 (July 2026 to September 2026)")
    assert job.title == f"Drafting ‘{report.title}’"
    assert (report.status, report.period, report.plan, report.created_by) == (
        ReportStatus.DRAFT, world["q2"], world["plan"], world["cast"]["manager"])
    assert report.snapshot["period"]["identifier"] == "2026-27-Q2"
    assert [s["title"] for s in report.snapshot["sections"]] == ["Backlog clearance"]
    assert AuditEntry.objects.filter(action="reports.report.created", record_id=str(report.pk),
                                     actor=world["cast"]["manager"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "http-equiv=\"refresh\"" not in page and f'href="/o/demoshire/reports/{report.pk}/"' in page


def test_a_title_given_on_the_form_names_the_draft_and_its_job(client, world):
    client.force_login(world["cast"]["manager"])
    client.post(NEW, _draft_form(world, title="OT backlog: report to Adult Social Care Scrutiny"))
    assert Report.objects.get().title == "OT backlog: report to Adult Social Care Scrutiny"
    assert Job.objects.get().title == "Drafting ‘OT backlog: report to Adult Social Care Scrutiny’"


def test_the_drafting_job_records_each_step_on_the_job_as_it_goes(client, world, monkeypatch, every_step_saved):
    seen = []

    def watch(name):
        real = getattr(snapshot, name)

        def spy(*args, **kwargs):
            seen.append(Job.objects.values_list("status", "done", "total", "message").get())
            return real(*args, **kwargs)

        monkeypatch.setattr(snapshot, name, spy)

    for name in ("measure_entry", "forecasts", "compare"):
        watch(name)
    client.force_login(world["cast"]["manager"])
    client.post(NEW, _draft_form(world))
    # One priority, one measure, forecasts and data quality, the comparison: four steps.
    assert seen == [
        ("running", 1, 4, "Judging OT28: OT assessments within 28 days"),
        ("running", 2, 4, "Gathering backlog forecasts and data quality"),
        ("running", 3, 4, "Comparing with the last published report"),
    ]
    job = Job.objects.get()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 4, 4, 100)


def test_a_draft_form_with_a_mistake_shows_the_error_summary_and_starts_no_job(client, world):
    client.force_login(world["cast"]["manager"])
    response = client.post(NEW, {"covers": f"plan:{world['plan'].pk}"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#id_period"' in page and "Choose the reporting period" in page
    assert not Job.objects.exists() and not Report.objects.exists()


def test_a_viewer_cannot_start_a_draft_and_an_outsider_cannot_find_the_page(client, world):
    client.force_login(world["cast"]["viewer"])
    assert client.post(NEW, _draft_form(world)).status_code == 403
    client.force_login(world["cast"]["outsider"])
    assert client.post(NEW, _draft_form(world)).status_code == 404
    assert not Job.objects.exists() and not Report.objects.exists()


def test_refreshing_a_draft_runs_as_a_job_and_keeps_its_main_messages(client, world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.set_main_messages(world["manager_access"], report, "Backlog falling.")
    measures.enter_value(world["manager_access"], world["measure"], period="2026-27-Q2", numerator=71,
                         denominator=100, reason="Late-recorded assessments added")
    client.force_login(world["cast"]["manager"])
    response = client.post(f"/o/demoshire/reports/{report.pk}/refresh/")
    job = Job.objects.get()
    assert response["Location"] == f"/o/demoshire/jobs/{job.pk}/"
    assert (job.kind, job.status, job.result_url) == ("reports.refresh", JobStatus.DONE,
                                                      f"/o/demoshire/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.snapshot["measures"][0]["value"] == "71.0%"
    assert report.snapshot["main_messages"] == "Backlog falling."
    assert report.snapshot_hash == snapshot.content_hash(report.snapshot)


def test_refreshing_an_approved_report_is_refused_before_any_job_starts(client, world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["manager_access"], report)
    client.force_login(world["cast"]["manager"])
    page = client.post(f"/o/demoshire/reports/{report.pk}/refresh/", follow=True).content.decode()
    assert "its content is frozen: you cannot refresh it" in page
    assert not Job.objects.exists()


def test_a_viewer_cannot_refresh_or_publish(client, world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    client.force_login(world["cast"]["viewer"])
    assert client.post(f"/o/demoshire/reports/{report.pk}/refresh/").status_code == 403
    services.approve_report(world["manager_access"], report)
    assert client.post(f"/o/demoshire/reports/{report.pk}/publish/").status_code == 403
    client.force_login(world["cast"]["outsider"])
    assert client.post(f"/o/demoshire/reports/{report.pk}/publish/").status_code == 404
    assert not Job.objects.exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_publishing_from_the_page_makes_every_file_once_and_every_download_is_that_file(client, world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["manager_access"], report)
    client.force_login(world["cast"]["manager"])
    client.post(f"/o/demoshire/reports/{report.pk}/publish/")
    job = Job.objects.get()
    assert (job.kind, job.status, job.done, job.total) == ("reports.files", JobStatus.DONE, 10, 10)
    files = ReportFile.objects.filter(report=report)
    assert sorted((f.format, f.public) for f in files) == sorted(
        (fmt, public) for fmt in ("pdf", "docx", "xlsx", "pptx", "html") for public in (False, True))
    assert {f.status for f in files} == {"published"}
    kept = files.get(format="docx", public=False)
    client.force_login(world["cast"]["viewer"])
    first = client.get(f"/o/demoshire/reports/{report.pk}/download/docx/").content
    again = client.get(f"/o/demoshire/reports/{report.pk}/download/docx/").content
    # A Word file rendered twice differs in its zip timestamps: equal bytes mean the kept file.
    assert first == again == bytes(kept.content)
    assert "Published by Priya Shah" in docx_text(first)
    exported = AuditEntry.objects.filter(action="reports.report.exported", record_id=str(report.pk)).first()
    assert exported.after["file_sha256"] == kept.sha256 == hashlib.sha256(first).hexdigest()
    assert AuditEntry.objects.filter(action="reports.report.files_prepared", record_id=str(report.pk)).exists()


def test_an_approved_reports_file_is_made_on_first_download_then_kept_until_it_is_published(world):
    access = world["manager_access"]
    report = services.create_report(access, period=world["q2"], scope="plan", plan=world["plan"])
    report = services.approve_report(access, report)
    first, _, _ = services.export_report(access, report, "pdf")
    again, _, _ = services.export_report(access, report, "pdf")
    assert first == again and ReportFile.objects.filter(report=report).count() == 1
    assert "Approved by Priya Shah" in pdf_text(first) and "Published by" not in pdf_text(first)
    report = services.publish_report(world["admin_access"], report)
    published, _, _ = services.export_report(access, report, "pdf")
    assert "Published by Helen Morgan" in pdf_text(published)
    # Publishing made every published file at once; the approved one stays as it was kept.
    assert sorted(ReportFile.objects.filter(report=report).values_list("status", flat=True)) == [
        "approved", *["published"] * 10]


def test_a_drafts_file_is_made_on_each_download_and_not_kept(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    data, _, _ = services.export_report(world["manager_access"], report, "html")
    assert b"Backlog clearance" in data
    assert not ReportFile.objects.exists()


def test_publishing_through_the_api_makes_every_file_as_the_page_does(client, world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["manager_access"], report)
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/api/v1/organisations/demoshire/reports/{report.pk}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    job = Job.objects.get()
    assert (job.kind, job.status, job.started_by) == ("reports.files", JobStatus.DONE, world["cast"]["manager"])
    assert sorted((f.format, f.public, f.status) for f in ReportFile.objects.filter(report=report)) == sorted(
        (fmt, public, "published") for fmt in ("pdf", "docx", "xlsx", "pptx", "html") for public in (False, True))


def test_a_report_that_cannot_be_published_queues_no_files_job(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    with pytest.raises(Conflict, match="must approve the report before it can be published"):
        services.publish_report(world["manager_access"], report)
    assert not Job.objects.exists() and not ReportFile.objects.exists()
