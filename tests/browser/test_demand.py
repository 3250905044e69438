"""A performance officer loads a population projection and rates, projects adults' needs, saves a
scenario, and reads the assumptions and sources, in Chromium, with axe on every page."""

import pytest

from carestat.demand.models import PopulationProjection, Projection, Scenario
from carestat.demand.tests.builders import POPULATION, RATES
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_population_and_rates_are_loaded_projected_and_their_sources_shown(browser_page, cast, demoshire, tmp_path):
    (tmp_path / "snpp.csv").write_bytes(POPULATION)
    (tmp_path / "rates.csv").write_bytes(RATES)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto("/o/demoshire/demand/")
    page.assert_accessible()
    assert "No adults' projection has been made yet" in page.page.content()

    page.goto("/o/demoshire/demand/upload/")
    page.assert_accessible()
    page.page.fill("#id_p-name", "ONS 2022-based projection")
    page.page.set_input_files("#id_p-file", str(tmp_path / "snpp.csv"))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Load the projection')")
    assert PopulationProjection.objects.get().name == "ONS 2022-based projection"
    page.goto("/o/demoshire/demand/upload/")
    page.page.set_input_files("#id_r-file", str(tmp_path / "rates.csv"))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Load the rates')")
    page.assert_accessible()  # the assumptions and sources page
    assert "Health Survey for England, 2016" in page.page.content()

    page.goto("/o/demoshire/demand/run/")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("button:has-text(\"Project adults' needs\")")
    page.assert_accessible()  # the projection, with its chart, table and assumptions
    assert Projection.objects.get().result["needs"][0]["people"] == [440.0, 450.0]
    assert "440" in page.page.content()

    page.goto("/o/demoshire/demand/")
    page.assert_accessible()

    page.goto("/o/demoshire/demand/scenarios/")
    page.assert_accessible()
    page.page.fill("#id_s-name", "Too many fewer")
    page.page.select_option("#id_s-kind", "entry_rate")
    page.page.fill("#id_s-percent", "-150")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the scenario')")
    page.assert_accessible()  # the error summary and the field's error
    assert "negative" in page.page.content() and not Scenario.objects.exists()
    page.page.fill("#id_s-name", "Step down from residential")
    page.page.select_option("#id_s-kind", "step_down")
    page.page.fill("#id_s-percent", "20")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save the scenario')")
    assert Scenario.objects.get().name == "Step down from residential"
    page.assert_accessible()
