"""A quarter's update from submission to a frozen, reopened and corrected period, in Chromium."""

import pytest
from django.utils import timezone

from carestat.analytics.periods import previous_period, quarter_of
from carestat.core.models import AuditEntry
from carestat.plans.models import ActionUpdate, UpdateStatus
from carestat.plans.tests.builders import quarter, small_plan
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_out(page):
    with page.page.expect_navigation():
        page.page.click("button:has-text('Sign out')")


def _write_update(page, action, identifier, commentary, percent="40"):
    page.goto(f"/o/demoshire/actions/{action.pk}/")
    page.page.select_option("#id_period", identifier)
    page.page.check("input[name=delivery][value=at_risk]")
    page.page.fill("#id_percent_complete", percent)
    page.page.fill("#id_commentary", commentary)
    with page.page.expect_navigation():
        page.page.click("button:has-text('Submit for approval')")


def _review(page, action, identifier, decision, comments=""):
    page.goto(f"/o/demoshire/actions/{action.pk}/")
    page.assert_accessible()
    page.page.check(f"input[name=decision][value={decision}]")
    if comments:
        page.page.fill(f"#comments-{identifier}", comments)
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save decision')")


def test_an_update_is_submitted_returned_fixed_approved_frozen_and_corrected_after_reopening(browser_page, cast,
                                                                                           demoshire):
    world = small_plan(demoshire, cast["admin"], cast["contributor"])
    q = previous_period(quarter_of(timezone.localdate()))
    period = quarter(demoshire, q.label, q.start, q.end)
    action, page = world["action"], browser_page

    page.sign_in(cast["contributor"].email, PASSWORD)
    page.goto("/o/demoshire/plans/")
    page.assert_accessible()
    page.page.click(f"text={world['plan'].title}")
    page.assert_accessible()
    _write_update(page, action, period.identifier, "Agency therapists started; waiting list down to 240")
    assert "Submitted the" in page.page.content()
    page.assert_accessible()
    _sign_out(page)

    page.sign_in(cast["manager"].email, PASSWORD)
    _review(page, action, period.identifier, "return", "Add the number still waiting over 28 days")
    assert ActionUpdate.objects.get(action=action).status == UpdateStatus.RETURNED
    _sign_out(page)

    page.sign_in(cast["contributor"].email, PASSWORD)
    page.goto(f"/o/demoshire/actions/{action.pk}/")
    assert "Add the number still waiting over 28 days" in page.page.content()
    _write_update(page, action, period.identifier, "Waiting list down to 240, of whom 65 have waited over 28 days",
                  percent="45")
    _sign_out(page)

    page.sign_in(cast["manager"].email, PASSWORD)
    _review(page, action, period.identifier, "approve")
    assert ActionUpdate.objects.get(action=action).status == UpdateStatus.APPROVED
    page.goto("/o/demoshire/periods/?kind=quarter")
    with page.page.expect_navigation():
        page.page.click(f"button:has-text('Close {period.identifier}')")
    assert "Its updates are now frozen" in page.page.content()
    _sign_out(page)

    page.sign_in(cast["contributor"].email, PASSWORD)
    _write_update(page, action, period.identifier, "A late change", percent="50")
    assert page.page.locator(".govuk-error-summary").is_visible()
    assert f"{period.identifier} is closed, so its updates are frozen" in page.page.content()
    page.assert_accessible()
    assert ActionUpdate.objects.get(action=action).percent_complete == 45
    _sign_out(page)

    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto(f"/o/demoshire/periods/{period.identifier}/reopen/")
    page.page.fill("#id_reason", "The waiting list figure was corrected by the data team")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Reopen period')")
    _sign_out(page)

    page.sign_in(cast["contributor"].email, PASSWORD)
    _write_update(page, action, period.identifier, "Corrected: 58 people have waited over 28 days", percent="50")
    update = ActionUpdate.objects.get(action=action)
    assert (update.status, update.percent_complete) == (UpdateStatus.SUBMITTED, 50)

    page.goto(f"/o/demoshire/history/actionupdate/{update.pk}/")
    page.assert_accessible()
    history = page.page.content()
    assert history.count("submitted the") == 3 and "returned the" in history and "approved the" in history
    page.goto(f"/o/demoshire/history/reportingperiod/{period.pk}/")
    history = page.page.content()
    assert "closed reporting period" in history and "reopened reporting period" in history
    assert "The waiting list figure was corrected by the data team" in history
    assert AuditEntry.objects.filter(action="plans.update.returned").count() == 1


def test_every_plans_page_is_accessible(browser_page, cast, demoshire):
    from carestat.plans import services
    from conftest import access_for

    world = small_plan(demoshire, cast["admin"], cast["contributor"])
    m = world["m1"]
    services.redate_milestone(access_for(cast["manager"], demoshire), m, new_date=m.baseline_date.replace(year=2031),
                              reason="Provider capacity")
    q = quarter_of(timezone.localdate())
    quarter(demoshire, q.label, q.start, q.end)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    pk = world["plan"].pk
    for path in ("/o/demoshire/plans/", "/o/demoshire/plans/my-actions/", "/o/demoshire/plans/import/",
                 f"/o/demoshire/plans/{pk}/", f"/o/demoshire/plans/{pk}/?phase=First+100+days",
                 f"/o/demoshire/plans/{pk}/delivery/", f"/o/demoshire/plans/{pk}/timeline/",
                 f"/o/demoshire/plans/{pk}/changes/", f"/o/demoshire/milestones/{m.pk}/",
                 f"/o/demoshire/actions/{world['action'].pk}/"):
        response = page.goto(path)
        assert response.status == 200, path
        page.assert_accessible()
    page.goto(f"/o/demoshire/milestones/{m.pk}/")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Move the date')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.assert_accessible()


def test_a_manager_builds_a_plan_through_the_forms_and_each_form_is_accessible(browser_page, cast, demoshire):
    import datetime as dt

    from carestat.plans.models import Milestone, Plan

    today = dt.date.today()
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    def fill_date(prefix, day):
        page.page.fill(f"#id_{prefix}-day", str(day.day))
        page.page.fill(f"#id_{prefix}-month", str(day.month))
        page.page.fill(f"#id_{prefix}-year", str(day.year))

    def submit(text):
        with page.page.expect_navigation():
            page.page.click(f"button:has-text('{text}')")

    page.goto("/o/demoshire/plans/")
    with page.page.expect_navigation():
        page.page.click("text=Create a plan")
    page.assert_accessible()
    submit("Create plan")  # nothing filled in: the errors name each field
    assert page.page.locator(".govuk-error-summary").is_visible()
    assert "Enter the plan's title" in page.page.content()
    page.assert_accessible()
    page.page.fill("#id_title", "Governance framework action plan")
    page.page.check("input[name=kind][value=governance]")
    fill_date("start", today)
    fill_date("end", today + dt.timedelta(days=730))
    submit("Create plan")
    plan = Plan.objects.get(title="Governance framework action plan")

    page.page.click("text=Add a priority or theme")
    page.page.wait_for_url(f"**/plans/{plan.pk}/priorities/new/")
    page.assert_accessible()
    page.page.fill("#id_title", "Clear milestones for the governance framework")
    submit("Add priority or theme")

    page.page.click("a:has-text('Add an objective')")
    page.page.wait_for_url("**/objectives/new/")
    page.assert_accessible()
    page.page.fill("#id_statement", "Every service has a governance milestone it reports against")
    submit("Add objective")

    page.page.click("a:has-text('Add an action')")
    page.page.wait_for_url("**/actions/new/")
    page.assert_accessible()
    page.page.fill("#id_title", "Agree the governance framework")
    page.page.select_option("#id_owner", str(cast["contributor"].pk))
    page.page.check("input[name=bau_or_change][value=change]")
    page.page.fill("#id_phase", "First 100 days")
    fill_date("start", today)
    fill_date("due", today + dt.timedelta(days=90))
    submit("Add action")
    assert "Agree the governance framework" in page.page.content()

    page.page.click("text=Add a milestone")
    page.page.wait_for_url("**/milestones/new/")
    page.assert_accessible()
    page.page.fill("#id_title", "Framework approved by committee")
    fill_date("baseline_date", today + dt.timedelta(days=60))
    submit("Add milestone")
    milestone = Milestone.objects.get(title="Framework approved by committee")
    assert milestone.forecast_date == milestone.baseline_date

    page.goto(f"/o/demoshire/plans/{plan.pk}/")
    page.assert_accessible()
    content = page.page.content()
    assert "Every service has a governance milestone it reports against" in content
    assert "Agree the governance framework" in content and "Tom Okafor" in content

    page.goto(f"/o/demoshire/actions/{milestone.action_id}/edit/")
    page.assert_accessible()
    page.goto(f"/o/demoshire/milestones/{milestone.pk}/archive/")
    page.assert_accessible()
    _sign_out(page)
    page.sign_in(cast["admin"].email, PASSWORD)
    page.goto("/o/demoshire/plans/rules/")
    page.assert_accessible()


def test_renaming_a_milestone_and_restoring_archived_items_pages_are_accessible(browser_page, cast, demoshire):
    from carestat.plans import services
    from conftest import access_for

    world = small_plan(demoshire, cast["admin"], cast["contributor"])
    manager = access_for(cast["manager"], demoshire)
    services.archive(manager, world["action"], reason="Merged into the recruitment action")
    services.archive(manager, world["objective"], reason="Folded into the waiting list objective")
    page, m, pk = browser_page, world["m1"], world["plan"].pk
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto(f"/o/demoshire/milestones/{m.pk}/edit/")
    page.assert_accessible()
    page.page.fill("#id_title", "")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.assert_accessible()

    page.goto(f"/o/demoshire/plans/{pk}/archived/")
    page.assert_accessible()
    page.goto(f"/o/demoshire/actions/{world['action'].pk}/unarchive/")
    assert "restore that objective" in page.page.content().lower()
    page.assert_accessible()
    page.goto(f"/o/demoshire/objectives/{world['objective'].pk}/unarchive/")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Restore objective')")
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.assert_accessible()


def test_a_manager_renames_a_milestone_and_restores_an_action_without_javascript(no_js_page, cast, demoshire):
    from carestat.plans import services
    from carestat.plans.models import Action, Milestone
    from conftest import access_for

    world = small_plan(demoshire, cast["admin"], cast["contributor"])
    services.archive(access_for(cast["manager"], demoshire), world["action"], reason="Merged into another action")
    page, m, action = no_js_page, world["m1"], world["action"]
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto(f"/o/demoshire/actions/{action.pk}/")
    with page.page.expect_navigation():
        page.page.click("text=Restore this action")
    page.page.fill("#id_reason", "The merge was reversed at committee")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Restore action')")
    assert "Restored action" in page.page.content()
    assert not Action.objects.get(pk=action.pk).is_archived

    page.goto(f"/o/demoshire/milestones/{m.pk}/")
    with page.page.expect_navigation():
        page.page.click("text=Change the title")
    page.page.fill("#id_title", "Recruit agency and bank OTs")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save')")
    assert "Recruit agency and bank OTs" in page.page.content()
    assert Milestone.objects.get(pk=m.pk).title == "Recruit agency and bank OTs"
