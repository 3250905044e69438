"""A manager builds a risk in the browser, scores it, re-scores it and links a plan action;
the register, heatmap and risk page pass axe."""

import pytest

from carestat.risks import services
from carestat.risks.models import Assessment, Mitigation, Risk
from carestat.risks.tests.builders import small_register
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser


def _submit(page, text):
    with page.page.expect_navigation():
        page.page.click(f"button:has-text('{text}')")


def test_a_manager_adds_scores_rescores_and_links_a_risk_and_the_pages_are_accessible(browser_page, cast,
                                                                                      demoshire):
    world = small_register(demoshire, cast["admin"], cast["contributor"])
    services.add_category(access_for(cast["admin"], demoshire), name="Market", appetite="cautious",
                          max_target_score=9)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    page.page.click(".govuk-service-navigation >> text=Risks")
    assert page.page.locator("h1").inner_text() == "Risk register"
    page.assert_accessible()
    page.page.click("text=Add a risk")
    page.page.fill("#id_ref", "R02")
    page.page.fill("#id_title", "Small care homes close at short notice")
    page.page.fill("#id_cause", "Rising costs in homes of fewer than 20 beds")
    page.page.select_option("#id_category", label="Market (Cautious: at most 9)")
    page.page.check("input[name=review_frequency][value=quarterly]")
    _submit(page, "Add risk")
    page.assert_accessible()

    page.page.check("input[name=kind][value=current]")
    page.page.check("input[name=likelihood][value='4']")
    page.page.check("input[name=impact][value='4']")
    page.page.fill("#id_reason", "Two homes gave notice this quarter")
    _submit(page, "Save score")
    assert "Scored R02 (current) at 16, Very high" in page.page.content()
    page.assert_accessible()

    risk = Risk.objects.get(ref="R02")
    page.page.click("text=Re-score this risk")
    page.page.check("input[name=kind][value=current]")
    page.page.check("input[name=likelihood][value='3']")
    page.page.check("input[name=impact][value='4']")
    page.page.fill("#id_reason", "Provider failure protocol agreed with the CQC")
    _submit(page, "Save score")
    assert list(Assessment.objects.filter(risk=risk).values_list("score", flat=True)) == [16, 12]

    page.page.click("text=Link a plan action")
    page.page.select_option("#id_action", label=f"{world['plan'].title}: {world['action'].title}")
    _submit(page, "Link action")
    assert Mitigation.objects.filter(risk=risk, action=world["action"]).exists()
    content = page.page.content()
    assert "Score history of R02" in content and world["action"].title in content
    page.assert_accessible()

    page.goto("/o/demoshire/risks/heatmap/")
    assert "Likelihood 3 by impact 4: score 12, High; R02" in page.page.content()
    page.assert_accessible()
    page.goto("/o/demoshire/risks/?flag=above_appetite&sort=gap")
    page.assert_accessible()
    page.goto("/o/demoshire/risks/review/")
    page.assert_accessible()
    page.goto("/o/demoshire/risks/settings/")
    page.assert_accessible()
    assert not page.problems, page.problems
