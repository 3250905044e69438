import pytest

from carestat.reports.tests.builders import report_world


@pytest.fixture
def world(cast, demoshire):
    return report_world(cast, demoshire)
