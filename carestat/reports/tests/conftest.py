import pytest

from carestat.reports.tests.builders import report_world


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    # Drafting, refreshing and making published files are background jobs; run them at once.
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture
def world(cast, demoshire):
    return report_world(cast, demoshire)
