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
