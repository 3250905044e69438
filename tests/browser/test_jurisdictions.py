"""A Welsh council's officer finds Wales's measures grouped by quality standard, tracks one,
reads the report grouped by the framework, and names the council's bodies, in Chromium, with
axe on every page."""

import datetime as dt

import pytest

from carestat.core.models import Organisation
from carestat.measures import services as measures
from carestat.plans.tests.builders import quarter
from carestat.reports import services as reports
from conftest import PASSWORD, _member, access_for

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


def test_a_welsh_councils_measures_framework_and_report_pages(browser_page, db):
    glanmor = Organisation.objects.create(name="Glanmor County Borough Council", slug="glanmor",
                                          jurisdiction="wales")
    admin = _member(glanmor, "admin", "rhys@glanmor.example", "Rhys Pritchard")
    access = access_for(admin, glanmor)
    period = quarter(glanmor, "2026-27-Q2", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    m = measures.adopt_measure(access, "WAL-PM27")
    measures.enter_value(access, m, period="2026-27-Q2", numerator=4, denominator=40)
    page = browser_page
    page.sign_in("rhys@glanmor.example", PASSWORD)

    page.goto("/o/glanmor/framework/")
    page.assert_accessible()
    assert "Quality standard 3: protecting and safeguarding people from abuse, neglect or harm" in page.page.content()

    page.goto("/o/glanmor/measures/add/")
    page.assert_accessible()
    assert "CIN-ASSESS-45WD" not in page.page.content()
    page.page.select_option("#id_code", "WAL-PM24")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Track measure')")
    assert "WAL-PM24 is now tracked" in page.page.content()

    page.goto("/o/glanmor/measures/")
    page.assert_accessible()

    report = reports.create_report(access, period=period, scope="organisation")
    page.goto(f"/o/glanmor/reports/{report.pk}/")
    page.assert_accessible()
    content = page.page.content()
    assert "Quality standard 3: protecting and safeguarding people from abuse, neglect or harm" in content
    assert "definition and data" in content

    page.goto("/o/glanmor/bodies/")
    page.assert_accessible()
    page.page.fill("#id_council", "Glanmor County Borough Council")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save names')")
    assert "Saved the names of your bodies" in page.page.content()
    page.assert_accessible()
