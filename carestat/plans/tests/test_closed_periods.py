"""Plans use core's one rule for closed periods: an update or a date inside any closed
period (its own, or a quarter, half or year around it) is frozen."""

import datetime as dt

import pytest

from carestat.core import services as core_services
from carestat.core.errors import PeriodClosed
from carestat.core.models import ReportingPeriod
from carestat.plans import services
from carestat.plans.models import ActionUpdate
from conftest import access_for


def acc(w, role):
    return access_for(w["cast"][role], w["org"])


def test_an_update_for_a_month_inside_a_closed_quarter_is_refused(world):
    quarter = world["period"]
    month = ReportingPeriod.objects.create(organisation=world["org"], identifier="2026-27-M1", kind="month",
                                           start=quarter.start, end=quarter.start + dt.timedelta(days=27))
    core_services.close_period(acc(world, "manager"), quarter)
    with pytest.raises(PeriodClosed, match=f"2026-27-M1 falls in {quarter.identifier}, which is closed, so its "
                                           "updates are frozen"):
        services.save_update(acc(world, "contributor"), world["action"], month, delivery="on_track",
                             percent_complete=40, commentary="Agency OTs started", submit=True)
    assert not ActionUpdate.objects.filter(period=month).exists()


def test_re_dating_a_milestone_into_a_closed_year_is_refused_though_its_quarter_is_open(world):
    core_services.ensure_year_periods(world["org"], "2025-26")
    year = ReportingPeriod.objects.get(organisation=world["org"], identifier="2025-26")
    core_services.close_period(acc(world, "manager"), year)
    assert not ReportingPeriod.objects.get(organisation=world["org"], identifier="2025-26-Q3").is_closed
    with pytest.raises(PeriodClosed, match="The new date 1 October 2025 falls in 2025-26, which is closed") as exc:
        services.redate_milestone(acc(world, "contributor"), world["m1"], new_date=dt.date(2025, 10, 1),
                                  reason="It was done earlier than we said")
    assert exc.value.field == "new_date"
