import pytest

from carestat.commissioning.tests.builders import market


@pytest.fixture
def loaded(cast, demoshire, manager_access):
    market(manager_access)
    return manager_access
