"""A kept report file is served only while its bytes match the fingerprint recorded when it
was made; a changed one is refused, on the page and the API, and the refusal is audited."""

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
