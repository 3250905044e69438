import pytest

from carestat.finance.tests.builders import lines


@pytest.fixture
def world(cast, demoshire, manager_access):
    return {"access": manager_access, **lines(manager_access)}
