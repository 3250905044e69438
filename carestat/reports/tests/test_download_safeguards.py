"""Downloads: a kept report file is served only while its bytes match the fingerprint recorded when it
was made; a changed one is refused, on the page and the API, and the refusal is audited. A
person's draft PDF and Word downloads, made afresh each time, are limited per hour."""

import pytest

from carestat.core.errors import StoredFileDamaged
from carestat.core.models import ApiToken, AuditEntry
from carestat.core.services import create_api_token
from carestat.reports import services
from carestat.reports.models import ReportFile


@pytest.fixture
def tampered(world):
    access = world["manager_access"]
    report = services.create_report(access, period=world["q2"], scope="plan", plan=world["plan"])
    report = services.approve_report(access, report)
    services.export_report(access, report, "html")
    kept = ReportFile.objects.get(report=report, format="html")
    # Someone with database access edits the kept bytes (the recorded fingerprint stays).
    ReportFile.objects.filter(pk=kept.pk).update(content=bytes(kept.content).replace(b"Backlog", b"Backl0g"))
    return report


def test_an_intact_kept_file_is_served_again_as_the_same_bytes(world):
    access = world["manager_access"]
    report = services.approve_report(access, services.create_report(
        access, period=world["q2"], scope="plan", plan=world["plan"]))
    first, _, _ = services.export_report(access, report, "html")
    again, _, _ = services.export_report(access, report, "html")
    assert first == again


def test_a_kept_file_whose_bytes_changed_is_refused_and_the_refusal_is_audited(world, tampered):
    downloads = AuditEntry.objects.filter(action="reports.report.exported").count()
    with pytest.raises(StoredFileDamaged, match="has been changed since it was made"):
        services.export_report(world["manager_access"], tampered, "html")
    entry = AuditEntry.objects.get(action="reports.report.file_damaged")
    assert entry.after["recorded_sha256"] != entry.after["actual_sha256"]
    assert AuditEntry.objects.filter(action="reports.report.exported").count() == downloads


def test_the_download_page_refuses_a_changed_file_with_a_clear_message(client, world, tampered):
    client.force_login(world["cast"]["viewer"])
    response = client.get(f"/o/demoshire/reports/{tampered.pk}/download/html/")
    body = response.content.decode()
    assert response.status_code == 409
    assert "This file cannot be downloaded" in body and "restore it from a backup" in body
    assert "Backl0g" not in body


def test_the_api_refuses_a_changed_file_with_409_and_says_why(client, world, tampered):
    _, plain = create_api_token(world["cast"]["viewer"], "test")
    response = client.get(f"/api/v1/organisations/demoshire/reports/{tampered.pk}/download?format=html",
                          HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 409 and "has been changed since it was made" in response.json()["detail"]
    assert ApiToken.objects.count() == 1


# Draft renders are limited per person --------------------------------------------------------

def test_a_person_may_download_only_so_many_draft_pdfs_an_hour_and_is_told_when_to_try_again(
        client, world, settings, monkeypatch):
    from carestat.reports import render as rendering

    settings.CARESTAT_DRAFT_RENDERS_PER_HOUR = 2
    monkeypatch.setattr(rendering, "render", lambda snapshot, fmt, **kw: b"%PDF-1.7 draft")
    draft = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    client.force_login(world["cast"]["auditor"])  # reads drafts, and approves none
    url = f"/o/demoshire/reports/{draft.pk}/download/pdf/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and 3500 < int(refused["Retry-After"]) <= 3601
    assert "Try again in about 60 minutes" in refused.content.decode()
    # A web page of the draft is cheap and still served; so is another person's PDF.
    assert client.get(f"/o/demoshire/reports/{draft.pk}/download/html/").status_code == 200
    client.force_login(world["cast"]["manager"])
    assert client.get(url).status_code == 200


def test_the_api_answers_429_with_retry_after_for_too_many_draft_renders(client, world, settings, monkeypatch):
    from carestat.reports import render as rendering

    settings.CARESTAT_DRAFT_RENDERS_PER_HOUR = 1
    monkeypatch.setattr(rendering, "render", lambda snapshot, fmt, **kw: b"%PDF-1.7 draft")
    draft = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    _, plain = create_api_token(world["cast"]["auditor"], "test")
    url = f"/api/v1/organisations/demoshire/reports/{draft.pk}/download?format=docx"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    refused = client.get(url, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert refused.status_code == 429 and "Retry-After" in refused and "draft PDF or Word" in refused.json()["detail"]


def test_approved_reports_files_are_not_limited_because_they_are_kept(client, world, settings):
    settings.CARESTAT_DRAFT_RENDERS_PER_HOUR = 1
    access = world["manager_access"]
    report = services.approve_report(access, services.create_report(
        access, period=world["q2"], scope="plan", plan=world["plan"]))
    client.force_login(world["cast"]["viewer"])
    codes = [client.get(f"/o/demoshire/reports/{report.pk}/download/pdf/").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
