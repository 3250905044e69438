import pytest

from carestat.core.models import Membership
from conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["admin", "manager", "contributor", "viewer", "auditor"])
def test_each_role_signs_in_and_moves_around_accessibly(browser_page, cast, role):
    page = browser_page
    page.sign_in(cast[role].email, PASSWORD)
    assert page.page.url.endswith("/o/demoshire/")
    assert page.page.locator("h1").inner_text() == "Demoshire County Council"
    page.assert_accessible()
    nav = page.page.locator(".govuk-service-navigation").inner_text()
    assert "Members" not in nav and "Periods" not in nav  # the Organisation page lists them
    assert ("Organisation" in nav) == (role in ("admin", "manager", "auditor"))
    if role not in ("admin", "manager", "auditor"):
        return
    page.page.click(".govuk-service-navigation >> text=Organisation")
    assert page.page.locator("h1").inner_text() == "Organisation"
    page.assert_accessible()
    links = page.page.locator("main").inner_text()
    assert ("Members and roles" in links) == (role == "admin")
    assert ("Audit trail" in links) == (role in ("admin", "auditor"))
    page.page.click("main a:has-text('Reporting periods')")
    assert page.page.locator("h1").inner_text() == "Reporting periods"
    page.assert_accessible()
    if role in ("admin", "auditor"):
        page.page.go_back()
        page.page.click("main a:has-text('Audit trail')")
        assert "Audit trail" in page.page.locator("h1").inner_text()
        page.assert_accessible()


def test_an_admin_adds_a_member_through_the_form(browser_page, cast):
    page = browser_page
    page.sign_in(cast["admin"].email, PASSWORD)
    page.goto("/o/demoshire/members/")
    page.assert_accessible()
    page.page.click("button:has-text('Add member')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.assert_accessible()
    page.page.fill("#id_email", "kim@demoshire.example")
    page.page.fill("#id_full_name", "Kim Lee")
    page.page.check("input[name=role][value=contributor]")
    page.page.click("button:has-text('Add member')")
    assert page.page.locator("#one-time-password").is_visible()
    assert Membership.objects.filter(user__username="kim@demoshire.example", role="contributor").exists()


def test_a_viewer_is_refused_the_members_page_and_another_council_is_not_found(browser_page, cast):
    page = browser_page
    page.sign_in(cast["viewer"].email, PASSWORD)
    response = page.goto("/o/demoshire/members/")
    assert response.status == 403
    assert "You cannot do this" in page.page.locator("h1").inner_text()
    response = page.goto("/o/westmarch/")
    assert response.status == 404
    page.assert_accessible()
    page.forgive(403, 404)


def test_signing_in_and_adding_a_unit_work_without_javascript(no_js_page, cast):
    page = no_js_page
    page.sign_in(cast["admin"].email, PASSWORD)
    page.goto("/o/demoshire/units/")
    page.page.fill("#id_name", "Adults' Services")
    page.page.check("input[name=kind][value=directorate]")
    page.page.click("button:has-text('Add unit')")
    assert "Added directorate ‘Adults' Services’" in page.page.content()


def test_an_admin_resets_a_password_and_the_member_chooses_their_own_at_sign_in(browser_page, cast):
    page = browser_page
    viewer = cast["viewer"]
    membership = Membership.objects.get(user=viewer, organisation__slug="demoshire")
    page.sign_in(cast["admin"].email, PASSWORD)
    page.goto(f"/o/demoshire/members/{membership.pk}/")
    page.page.click("text=reset it")
    page.assert_accessible()
    page.page.click("button:has-text('Reset password')")
    one_time = page.page.locator("#one-time-password").inner_text().strip()
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("button:has-text('Sign out')")

    page.sign_in(viewer.email, one_time)
    assert "/account/password/" in page.page.url
    assert "Your password was chosen by someone else" in page.page.locator("main").inner_text()
    page.page.fill("#id_old_password", one_time)
    page.page.fill("#id_new_password", "short")
    page.page.fill("#id_new_password_again", "short")
    page.page.click("button:has-text('Change password')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.assert_accessible()
    page.page.fill("#id_old_password", one_time)
    page.page.fill("#id_new_password", "kettle-lantern-orchard-7")
    page.page.fill("#id_new_password_again", "kettle-lantern-orchard-7")
    page.page.click("button:has-text('Change password')")
    assert "Your password has been changed" in page.page.locator("body").inner_text()
    viewer.refresh_from_db()
    assert viewer.check_password("kettle-lantern-orchard-7") and not viewer.must_change_password
