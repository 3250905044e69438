"""A figure is frozen if its period, or any period containing it, is closed: a month in a
closed quarter, half or year, a quarter in a closed year. One rule (core's
``refuse_if_closed``) for entering, approving, importing and recomputing values and targets."""

from decimal import Decimal

import pytest
from django.utils import timezone

from carestat.analytics.measures.base import MeasureResult
from carestat.core import services as core_services
from carestat.core.errors import PeriodClosed
from carestat.core.models import ReportingPeriod
from carestat.measures import importing, services
from carestat.measures.models import MeasureValue, ValueStatus
from conftest import access_for


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 't')[1]}"}


@pytest.fixture
def year(demoshire):
    """Demoshire's 2024-25 periods (all ended, so all can be closed)."""
    core_services.ensure_year_periods(demoshire, "2024-25")
    return {p.identifier: p for p in ReportingPeriod.objects.filter(organisation=demoshire)}


def close(manager, demoshire, identifier):
    period = ReportingPeriod.objects.get(organisation=demoshire, identifier=identifier)
    return core_services.close_period(access_for(manager, demoshire), period)


def test_a_month_inside_a_closed_quarter_cannot_be_entered(ot_measure, manager, demoshire, year):
    close(manager, demoshire, "2024-25-Q2")
    with pytest.raises(PeriodClosed) as exc:
        services.enter_value(access_for(manager, demoshire), ot_measure, period="2024-08", numerator=8, denominator=10)
    assert exc.value.message == ("2024-08 falls in 2024-25-Q2, which is closed, so its figures are frozen; "
                                 "a manager can reopen it with a reason")
    assert exc.value.field == "period"
    assert not MeasureValue.objects.filter(measure=ot_measure).exists()


def test_a_month_outside_the_closed_quarter_can_still_be_entered(ot_measure, manager, demoshire, year):
    close(manager, demoshire, "2024-25-Q2")
    value = services.enter_value(access_for(manager, demoshire), ot_measure, period="2024-10", numerator=8,
                                 denominator=10)
    assert value.period == "2024-10" and value.value == Decimal("80.0000")


def test_a_month_inside_a_closed_half_or_year_cannot_be_entered(ot_measure, manager, demoshire, year):
    close(manager, demoshire, "2024-25-H2")
    with pytest.raises(PeriodClosed, match="2025-01 falls in 2024-25-H2, which is closed"):
        services.enter_value(access_for(manager, demoshire), ot_measure, period="2025-01", numerator=8, denominator=10)
    close(manager, demoshire, "2024-25")
    with pytest.raises(PeriodClosed, match="2024-05 falls in 2024-25, which is closed"):
        services.enter_value(access_for(manager, demoshire), ot_measure, period="2024-05", numerator=8, denominator=10)
    with pytest.raises(PeriodClosed, match="2025-01 falls in 2024-25-H2 and 2024-25, which are closed, .* reopen "
                                           "them with a reason"):
        services.enter_value(access_for(manager, demoshire), ot_measure, period="2025-01", numerator=8, denominator=10)


def test_a_quarter_inside_a_closed_year_cannot_be_entered_nor_its_target_set(permanent_share, manager, demoshire,
                                                                            year):
    close(manager, demoshire, "2024-25")
    access = access_for(manager, demoshire)
    with pytest.raises(PeriodClosed, match="2024-25-Q3 falls in 2024-25, which is closed"):
        services.enter_value(access, permanent_share, period="2024-25-Q3", value="82")
    with pytest.raises(PeriodClosed, match="2024-25-Q3 falls in 2024-25"):
        services.set_target(access, permanent_share, period="2024-25-Q3", value=70)
    with pytest.raises(PeriodClosed, match="^2024-25 is closed, so its figures are frozen"):
        services.set_target(access, permanent_share, period="2024-25", value=70)


def test_closing_a_month_does_not_freeze_its_quarter(permanent_share, manager, demoshire, year):
    close(manager, demoshire, "2024-07")
    value = services.enter_value(access_for(manager, demoshire), permanent_share, period="2024-25-Q2", value="82")
    assert value.status == ValueStatus.APPROVED


def test_a_submitted_month_cannot_be_approved_once_its_quarter_is_closed(ot_measure, contributor, manager,
                                                                        demoshire, year):
    value = services.enter_value(access_for(contributor, demoshire), ot_measure, period="2024-08", numerator=8,
                                 denominator=10)
    close(manager, demoshire, "2024-25-Q2")
    with pytest.raises(PeriodClosed, match="2024-08 falls in 2024-25-Q2"):
        services.approve_value(access_for(manager, demoshire), value)
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_recomputing_leaves_a_month_inside_a_closed_quarter_alone(catalogue, manager, demoshire, year):
    at = timezone.now()
    first = [MeasureResult("OPS-WITHIN-TARGET", "2024-08", 90.0, 90, 100, "percent", "1.0"),
             MeasureResult("OPS-WITHIN-TARGET", "2024-10", 90.0, 90, 100, "percent", "1.0")]
    services.record_computed_values(demoshire, first, submissions=["S1"], computed_at=at)
    close(manager, demoshire, "2024-25-Q2")
    again = [MeasureResult("OPS-WITHIN-TARGET", "2024-08", 50.0, 50, 100, "percent", "1.1"),
             MeasureResult("OPS-WITHIN-TARGET", "2024-10", 60.0, 60, 100, "percent", "1.1")]
    outcome = services.record_computed_values(demoshire, again, submissions=["S2"], computed_at=at,
                                              auto_approve=True)
    assert outcome.skipped_closed == ["OPS-WITHIN-TARGET 2024-08"]
    assert outcome.revised == ["OPS-WITHIN-TARGET 2024-10"]
    kept = MeasureValue.objects.get(measure__code="OPS-WITHIN-TARGET", period="2024-08")
    assert kept.value == Decimal("90.0000") and kept.version == 1 and kept.submissions == ["S1"]


def test_importing_a_month_inside_a_closed_quarter_names_the_row_and_quarter(ot_measure, manager, demoshire, year):
    close(manager, demoshire, "2024-25-Q2")
    content = b"code,period,value,numerator,denominator\nOT-28DAYS,2024-10,,8,10\nOT-28DAYS,2024-09,,8,10\n"
    with pytest.raises(importing.ImportRejected) as exc:
        importing.import_values(access_for(manager, demoshire), "values.csv", content)
    assert [(p.row, p.column, p.rule) for p in exc.value.problems] == [
        (3, "period", "2024-09 falls in 2024-25-Q2, which is closed, so its figures are frozen; "
                      "a manager can reopen it with a reason")]
    assert not MeasureValue.objects.filter(measure=ot_measure).exists()


def test_the_api_refuses_a_month_inside_a_closed_quarter_with_409(client, ot_measure, manager, demoshire, year):
    close(manager, demoshire, "2024-25-Q2")
    r = client.post("/api/v1/organisations/demoshire/measures/OT-28DAYS/values",
                    {"period": "2024-09", "numerator": 8, "denominator": 10}, content_type="application/json",
                    **_bearer(manager))
    assert r.status_code == 409
    assert r.json()["detail"].startswith("2024-09 falls in 2024-25-Q2, which is closed")
    assert not MeasureValue.objects.filter(measure=ot_measure).exists()


def test_the_api_refuses_to_approve_a_month_once_its_quarter_is_closed(client, ot_measure, contributor, manager,
                                                                      demoshire, year):
    created = client.post("/api/v1/organisations/demoshire/measures/OT-28DAYS/values",
                          {"period": "2024-09", "numerator": 8, "denominator": 10}, content_type="application/json",
                          **_bearer(contributor))
    assert created.status_code == 201 and created.json()["status"] == "submitted"
    close(manager, demoshire, "2024-25-Q2")
    r = client.post(f"/api/v1/organisations/demoshire/measures/OT-28DAYS/values/{created.json()['id']}/approve",
                    **_bearer(manager))
    assert r.status_code == 409 and "2024-25-Q2, which is closed" in r.json()["detail"]
    assert MeasureValue.objects.get(pk=created.json()["id"]).status == ValueStatus.SUBMITTED
