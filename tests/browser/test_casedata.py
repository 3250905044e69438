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


def test_a_manager_compares_a_recomputed_figure_with_the_approved_one_and_approves_it(browser_page, cast,
                                                                                     tmp_path):
    from carestat.casedata import services
    from carestat.casedata.tests.builders import rewritten_census
    from carestat.measures.models import MeasureValue, PendingRevision
    from conftest import access_for

    files = write_children_demo(tmp_path, seed=3, years=(2024,), cin_children=300, lac_children=50)
    access = access_for(cast["manager"], cast["manager"].memberships.get().organisation)
    services.ingest(access, [files["cin"][0]])
    short = rewritten_census(files["cin"][0], tmp_path / "short" / files["cin"][0].name, keep_every=3)
    services.ingest(access, [short], confirm_fewer=True)
    waiting = PendingRevision.objects.filter(status="pending").count()
    assert waiting > 0
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/measures/")
    with page.page.expect_navigation():
        page.page.click(f"text=Recomputed figures ({waiting} awaiting approval)")
    page.assert_accessible()
    first = PendingRevision.objects.order_by("-computed_at", "-id").select_related("current__measure").first()
    code = first.current.measure.code
    with page.page.expect_navigation():
        page.page.click(f"button[aria-label^='Approve {code} {first.current.period}']")
    assert f"Approved the recomputed {code}" in page.page.content()
    page.assert_accessible()
    assert MeasureValue.objects.get(pk=first.current_id).value == first.value
    assert PendingRevision.objects.filter(status="pending").count() == waiting - 1
