import pytest

from carestat.analytics.demo import write_children_demo
from carestat.casedata.models import Submission
from conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


def test_an_analyst_loads_a_return_and_reads_its_data_quality_page(browser_page, cast, tmp_path):
    files = write_children_demo(tmp_path, seed=3, years=(2024,), cin_children=200, lac_children=50)
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/data/")
    page.assert_accessible()
    page.page.click("text=Load a return")
    page.assert_accessible()
    page.page.set_input_files("input[type=file]", str(files["cin"][0]))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Check and load')")
    assert "/jobs/" in page.page.url and "Finished" in page.page.content()
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click("text=See the result")
    submission = Submission.objects.get()
    assert page.page.url.endswith(f"/o/demoshire/data/{submission.pk}/")
    assert "Data quality" in page.page.content() and "Section 47 enquiries" in page.page.content()
    page.assert_accessible()


def test_a_manager_forecasts_from_where_the_case_events_end(browser_page, cast, demoshire, tmp_path):
    from carestat.casedata import services
    from carestat.casedata.tests.test_forecasts import write_events
    from conftest import access_for

    services.ingest(access_for(cast["manager"], demoshire), [write_events(tmp_path / "ot_events.csv")],
                    format="case_events")
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/data/forecasts/")
    assert "The loaded case events end on 3 April 2026" in page.page.content()
    page.assert_accessible()
    page.page.select_option("#id_work_type", "ot_assessment")
    page.page.fill("#id_as_of-day", "10")
    page.page.fill("#id_as_of-month", "6")
    page.page.fill("#id_as_of-year", "2026")
    page.page.click("button:has-text('Show the forecast')")
    assert "From case events up to 3 April 2026" in page.page.locator("#forecast-basis").inner_text()
    assert "68 days before 10 June 2026" in page.page.content()
    page.assert_accessible()
