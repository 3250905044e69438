"""The recommendations tracker and a meeting's page in Chromium, checked with axe."""

import pytest

from carestat.governance.models import Recommendation, RecStatus
from carestat.governance.tests.builders import small_governance
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_manager_tracks_a_resolution_from_the_meeting_page_and_moves_it_on_the_tracker(browser_page, cast,
                                                                                          demoshire):
    world = small_governance(demoshire, cast["admin"], cast["contributor"])
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/")
    page.assert_accessible()
    assert "That backlog figures be shared with all members" in page.page.content()
    with page.page.expect_navigation():
        page.page.click("a:has-text('Track it')")
    page.assert_accessible()
    page.page.fill("#id_reference", "S1")
    page.page.fill("#id_due_date-day", "1")
    page.page.fill("#id_due_date-month", "1")
    page.page.fill("#id_due_date-year", "2000")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Add recommendation')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    assert "before the recommendation was made" in page.page.content()
    page.assert_accessible()
    page.page.fill("#id_due_date-year", "2099")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Add recommendation')")
    rec = Recommendation.objects.get(reference="S1")
    assert rec.decision == world["decision"]
    page.assert_accessible()

    page.goto("/o/demoshire/governance/recommendations/")
    page.assert_accessible()
    page.page.select_option("#filter-source", "scrutiny")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Filter')")
    assert page.page.locator("#recommendations tbody tr").count() == 1
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("#recommendations a:has-text('S1')")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Change the status')")
    page.page.check("input[name=status][value=in_progress]")
    page.page.fill("#id_reason", "Figures being prepared by Performance and Intelligence")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save status')")
    rec.refresh_from_db()
    assert rec.status == RecStatus.IN_PROGRESS
    assert "Figures being prepared" in page.page.content()
    page.assert_accessible()
