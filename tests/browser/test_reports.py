"""A manager drafts, approves, publishes and downloads a committee report, and changes a
board's remit, in Chromium."""

from pathlib import Path

import pytest

from carestat.reports.models import Report, ReportStatus
from carestat.reports.tests.builders import report_world
from conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    # Drafting and making the published files are background jobs; run them within the request.
    settings.CARESTAT_JOBS_INLINE = True


def _see_the_result(page):
    assert "/jobs/" in page.page.url and "Finished" in page.page.content()
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("text=See the result")


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
    _see_the_result(page)
    page.assert_accessible()
    assert page.page.is_visible("h1:has-text('performance report')")
    page.page.fill("#id_main_messages", "The OT backlog is falling but still behind plan.")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save main messages')")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Approve the report')")
    page.assert_accessible()  # the confirmation step, before anything is frozen
    assert Report.objects.get().status == ReportStatus.DRAFT
    with page.page.expect_navigation():
        page.page.click("button:has-text('Yes, approve the report')")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Publish the report')")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Yes, publish the report')")
    _see_the_result(page)
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


def test_a_manager_changes_a_boards_remit(browser_page, cast, demoshire):
    from carestat.reports import services
    from carestat.reports.models import Remit

    world = report_world(cast, demoshire)
    remit = services.create_remit(world["manager_access"], name="Health Scrutiny", measures=[world["measure"]])
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/reports/remits/")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("#main-content a:has-text('Change')")  # not the header's 'Change password'
    page.assert_accessible()
    page.page.uncheck("input[name=measures]")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the remit')")
    assert page.page.is_visible(".govuk-error-summary")
    assert "Choose at least one plan or measure" in page.page.content()
    page.assert_accessible()
    page.page.check(f"input[name=plans][value='{world['plan'].pk}']")
    page.page.fill("#id_name", "Health and Adult Social Care Scrutiny")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the remit')")
    assert page.page.url.endswith("/o/demoshire/reports/remits/")
    page.assert_accessible()
    remit = Remit.objects.get(pk=remit.pk)
    assert remit.name == "Health and Adult Social Care Scrutiny" and list(remit.plans.all()) == [world["plan"]]
    page.goto(f"/o/demoshire/reports/remits/{remit.pk}/archive/")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Archive the remit')")
    assert page.page.is_visible(".govuk-error-summary")
    page.assert_accessible()


def test_a_manager_writes_a_section_and_an_exceptions_commentary_before_approval(browser_page, cast, demoshire):
    from carestat.reports import services

    world = report_world(cast, demoshire)
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto(f"/o/demoshire/reports/{report.pk}/")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("a:has-text('Write')")
    page.assert_accessible()
    page.page.fill("#id_narrative", "Better than last quarter, still short of target.")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the section')")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Edit')")
    page.assert_accessible()
    page.page.fill("#id_commentary", "Recovered by October.")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the commentary')")
    assert "Better than last quarter, still short of target." in page.page.content()
    assert "Recovered by October." in page.page.content()
    page.goto("/o/demoshire/reports/word-template/")
    page.assert_accessible()


def test_a_manager_reopens_an_approved_report_with_a_reason_and_sees_its_versions(browser_page, cast, demoshire):
    from carestat.reports import services

    world = report_world(cast, demoshire)
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    report = services.approve_report(world["admin_access"], report)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto(f"/o/demoshire/reports/{report.pk}/")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Reopen the report')")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("button:has-text('Draft version 2')")
    assert page.page.is_visible(".govuk-error-summary")
    assert "Say why the report is being reopened" in page.page.content()
    page.assert_accessible()
    page.page.fill("#id_reason", "The September backlog figure was entered before the late returns.")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Draft version 2')")
    assert page.page.is_visible("h2:has-text('Status: Draft, version 2')")
    assert "because: The September backlog figure was entered before the late returns." in page.page.content()
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("a:has-text('Version 1')")
    assert page.page.is_visible("text=This is version 1, replaced by a later version.")
    page.assert_accessible()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.APPROVED
