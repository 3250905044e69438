import pytest

from carestat.measures import services
from carestat.measures.catalogue import load_catalogue
from carestat.measures.models import Frequency
from conftest import access_for


@pytest.fixture
def catalogue(db):
    load_catalogue()


@pytest.fixture
def permanent_share(catalogue, manager, demoshire):
    """WF-PERMANENT-SHARE tracked quarterly by Demoshire with a 2-point tolerance."""
    return services.adopt_measure(access_for(manager, demoshire), "WF-PERMANENT-SHARE",
                                  frequency=Frequency.QUARTERLY, tolerance=2)


@pytest.fixture
def ot_measure(catalogue, manager, demoshire):
    """A local monthly count measure."""
    return services.add_local_measure(
        access_for(manager, demoshire), code="OT-28DAYS", title="OT assessments completed within 28 days",
        domain="adults", unit="percent", polarity="higher_is_better",
        numerator="OT assessments completed within 28 days",
        denominator="OT assessments completed", frequency=Frequency.MONTHLY, tolerance=5, is_public=True)

