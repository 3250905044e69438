import datetime as dt

import pytest
from django.utils import timezone

from carestat.plans.tests.builders import quarter, small_plan

D = dt.timedelta


@pytest.fixture
def world(cast, demoshire):
    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    today = timezone.localdate()
    w["period"] = quarter(demoshire, "2026-27-Q2", today - D(90), today - D(1))
    w["cast"] = cast
    w["org"] = demoshire
    return w
