"""Each role's home page, the approvals inbox and notifications, in Chromium, with axe on
every page; the inbox's bulk decision also without JavaScript."""

import pytest
from django.utils import timezone

from carestat.plans import services
from carestat.plans.models import ActionUpdate, UpdateStatus
from carestat.plans.tests.builders import quarter, small_plan
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted(cast, demoshire):
    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    today = timezone.localdate()
    period = quarter(demoshire, "2026-27-Q2", today - timezone.timedelta(days=90), today - timezone.timedelta(days=1))
    second = services.add_action(access_for(cast["admin"], demoshire), w["objective"], title="Recruit two senior OTs",
                                 owner=cast["contributor"], lead_unit=w["ot"], due=today + timezone.timedelta(days=90))
    mine = access_for(cast["contributor"], demoshire)
    for action in (w["action"], second):
        services.save_update(mine, action, period, delivery="on_track", percent_complete=40,
                             commentary="Going well", submit=True)
    return w


@pytest.mark.parametrize("role,heading", [("contributor", "Your work"), ("manager", "Needs your attention"),
                                          ("viewer", "Plans and performance"), ("auditor", "Data and reports"),
                                          ("admin", "Administration")])
def test_each_roles_home_page_shows_its_own_view_and_is_accessible(browser_page, cast, submitted, role, heading):
    page = browser_page
    page.sign_in(cast[role].email, PASSWORD)
    page.goto("/o/demoshire/")
    assert heading in page.page.content()
    page.assert_accessible()


def test_a_manager_approves_two_updates_at_once_from_the_inbox_and_the_owner_is_told(browser_page, cast, submitted):
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/")
    with page.page.expect_navigation():
        page.page.click("a:has-text('Updates awaiting your approval')")
    page.assert_accessible()
    for box in page.page.query_selector_all("input[name=updates]"):
        box.check()
    page.page.check("input[name=decision][value=approve]")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save decision')")
    assert "Approved 2 updates." in page.page.content()
    page.assert_accessible()
    assert set(ActionUpdate.objects.values_list("status", flat=True)) == {UpdateStatus.APPROVED}

    page.sign_in(cast["contributor"].email, PASSWORD)
    page.goto("/o/demoshire/notifications/")
    assert "Update approved: Recruit two senior OTs" in page.page.content()
    page.assert_accessible()
    page.goto("/o/demoshire/notifications/settings/")
    page.assert_accessible()


def test_the_inbox_returns_updates_with_one_reason_without_javascript(no_js_page, cast, submitted):
    page = no_js_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/plans/approvals/")
    page.page.check("#id_updates")
    page.page.check("input[name=decision][value=return]")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save decision')")
    assert "Say what the owners need to change" in page.page.content()
    page.page.check("input[name=decision][value=return]")
    page.page.fill("#id_comments", "Add the waiting list figure")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save decision')")
    assert "Returned 1 update." in page.page.content()
    assert ActionUpdate.objects.filter(status=UpdateStatus.RETURNED).count() == 1
