import pytest

from carestat.measures import services
from carestat.measures.catalogue import load_catalogue
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser


@pytest.fixture
def measure_with_history(cast, demoshire):
    """WF-PERMANENT-SHARE with 16 quarters of approved history and a 70% target."""
    load_catalogue()
    access = access_for(cast["manager"], demoshire)
    measure = services.adopt_measure(access, "WF-PERMANENT-SHARE", frequency="quarterly", tolerance=2)
    services.set_target(access, measure, period="2025-26", value=70)
    services.set_target(access, measure, period="2026-27", value=70)
    quarters = [f"{y}-{str(y + 1)[2:]}-Q{q}" for y in (2022, 2023, 2024, 2025) for q in (1, 2, 3, 4)]
    for period, v in zip(quarters, [66, 67, 65, 66, 68, 66, 67, 65, 66, 67, 66, 74, 76, 77, 78, 79], strict=True):
        services.enter_value(access, measure, period=period, numerator=v * 3, denominator=300)
    return measure


def test_a_manager_enters_a_value_and_sees_the_judgement(browser_page, cast, measure_with_history):
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.page.click(".govuk-service-navigation >> text=Measures")
    assert page.page.locator("h1").inner_text() == "Measures"
    page.assert_accessible()
    page.page.click("text=Frontline staff who are permanent employees")
    page.page.click("text=Enter a value")
    page.assert_accessible()
    page.page.fill("#id_period", "2026-27-Q1")
    page.page.fill("#id_numerator", "246")
    page.page.fill("#id_denominator", "300")
    page.page.click("button:has-text('Save value')")
    assert "Saved WF-PERMANENT-SHARE for 2026-27-Q1: approved." in page.page.content()
    explanations = page.page.locator("#explanations").inner_text()
    assert "82.0% is 12.0 points above the target of 70.0%, so the target is met: green." in explanations
    assert page.page.locator("#measure-chart svg .point").count() == 17
    assert page.page.locator("#measure-chart svg .mean").count() == 1
    page.assert_accessible()


def test_a_viewer_sees_the_measure_read_only_with_its_chart(browser_page, cast, measure_with_history):
    page = browser_page
    page.sign_in(cast["viewer"].email, PASSWORD)
    page.goto("/o/demoshire/measures/WF-PERMANENT-SHARE/")
    assert page.page.locator("#measure-chart svg").is_visible()
    assert "Statistical process control" in page.page.locator("#explanations").inner_text()
    assert page.page.locator("text=Enter a value").count() == 0
    assert page.page.locator("button:has-text('Approve')").count() == 0
    page.assert_accessible()
    page.goto("/o/demoshire/measures/?public=true")
    page.assert_accessible()


def test_a_manager_records_the_process_change_a_shift_points_to_in_one_click(browser_page, cast, demoshire):
    load_catalogue()
    access = access_for(cast["manager"], demoshire)
    measure = services.add_local_measure(
        access, code="OT-28DAYS", title="OT assessments completed within 28 days", domain="adults", unit="percent",
        polarity="higher_is_better", frequency="quarterly", tolerance=5)
    services.set_target(access, measure, period="2025-26", value=75)
    noise = (-1, 1, 0, -1, 1) * 4
    quarters = [f"{y}-{str(y + 1)[2:]}-Q{q}" for y in range(2016, 2026) for q in (1, 2, 3, 4)][:38]
    for period, v in zip(quarters, [60 + d for d in noise] + [78 + d for d in noise[:18]], strict=True):
        services.enter_value(access, measure, period=period, value=str(v))
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/measures/OT-28DAYS/")
    assert "say it will be consistently missed" in page.page.locator("#rag-and-assurance").inner_text()
    page.assert_accessible()
    page.page.click("#suggested-change button")
    assert "Recorded the process change." in page.page.content()
    assert page.page.locator("#suggested-change").count() == 0
    assert "recalculated from 2021-22-Q1" in page.page.locator("#explanations").inner_text()
    page.assert_accessible()
