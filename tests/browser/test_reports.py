"""A manager drafts, approves, publishes and downloads a committee report, in Chromium."""

from pathlib import Path

import pytest

from carestat.reports.models import Report, ReportStatus
from carestat.reports.tests.builders import report_world
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_manager_creates_approves_publishes_and_downloads_a_report(browser_page, cast, demoshire):
    world = report_world(cast, demoshire)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/reports/")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("text=Draft a report")
    page.assert_accessible()
    page.page.select_option("#id_covers", f"plan:{world['plan'].pk}")
    page.page.select_option("#id_period", "2026-27-Q2")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Draft the report')")
    page.assert_accessible()
    assert page.page.is_visible("h1:has-text('performance report')")
    page.page.fill("#id_main_messages", "The OT backlog is falling but still behind plan.")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save main messages')")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Approve the report')")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Publish the report')")
    page.assert_accessible()
    report = Report.objects.get()
    assert report.status == ReportStatus.PUBLISHED and report.published_by == cast["manager"]
    with page.page.expect_download() as info:
        page.page.click("a:has-text('PDF')")
    download = info.value
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF") and download.suggested_filename.endswith(".pdf")
    from carestat.reports.tests.helpers import pdf_text

    assert "The OT backlog is falling but still behind plan." in pdf_text(data)
