import datetime as dt

import pytest

from carestat.core.models import ReportingPeriod
from carestat.measures import services
from carestat.measures.judging import judge
from conftest import access_for


@pytest.mark.parametrize("polarity,target,value,expected", [
    ("higher_is_better", 70, "64", "64.0% is 6.0 points below the target of 70.0%; outside the 5-point tolerance, "
                                   "so red. Higher is better."),
    ("higher_is_better", 70, "65", "65.0% is 5.0 points below the target of 70.0%; within the 5-point tolerance, "
                                   "so amber. Higher is better."),
    ("lower_is_better", 20, "25", "25.0% is 5.0 points above the target of 20.0%; within the 5-point tolerance, "
                                  "so amber. Lower is better."),
    ("lower_is_better", 20, "25.1", "25.1% is 5.1 points above the target of 20.0%; outside the 5-point tolerance, "
                                    "so red. Lower is better."),
    ("neither", 50, "45", "45.0% is 5.0 points below the target of 50.0%; within the 5-point tolerance, so amber. "
                          "Neither higher nor lower is better. The distance from the target counts either side."),
])
def test_the_measure_page_explains_rag_for_each_polarity_at_the_tolerance_edge(client, catalogue, manager, demoshire,
                                                                              polarity, target, value, expected):
    access = access_for(manager, demoshire)
    measure = services.add_local_measure(access, code="LOCAL-1", title="A local rate", domain="adults",
                                         unit="percent", polarity=polarity, frequency="annual", tolerance=5)
    services.set_target(access, measure, period="2025-26", value=target)
    services.enter_value(access, measure, period="2025-26", value=value)
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/LOCAL-1/").content.decode()
    assert expected in page


def test_a_process_change_with_too_few_points_after_it_keeps_one_set_of_limits_and_says_so(permanent_share,
                                                                                           manager, demoshire):
    access = access_for(manager, demoshire)
    quarters = [f"{y}-{str(y + 1)[2:]}-Q{q}" for y in (2021, 2022, 2023, 2024) for q in (1, 2, 3, 4)]
    for period, v in zip(quarters, [70, 71, 69, 70, 72, 70, 71, 69, 70, 71, 70, 69, 75, 76, 77, 78], strict=True):
        services.enter_value(access, permanent_share, period=period, value=str(v))
    services.record_process_change(access, permanent_share, starts_on=dt.date(2024, 4, 1), reason="New rota")
    report = judge(permanent_share)
    assert len(report.judgement.spc.segments) == 1
    assert "there are not yet 15 values after it" in " ".join(report.notes)


def test_same_period_last_year_is_not_compared_across_a_gap(permanent_share, manager, demoshire):
    access = access_for(manager, demoshire)
    for period in ("2024-25-Q1", "2024-25-Q3", "2024-25-Q4", "2025-26-Q1", "2025-26-Q2"):
        services.enter_value(access, permanent_share, period=period, value="80")
    report = judge(permanent_share)
    # four positions back is 2024-25-Q1, not 2024-25-Q2, so there is no same-period comparison
    assert report.judgement.travel.same_period_last_year.direction is None
    assert "Some periods have no approved value" in " ".join(report.notes)


def test_the_value_form_says_a_closed_period_is_frozen(client, permanent_share, manager, demoshire):
    ReportingPeriod.objects.create(organisation=demoshire, identifier="2024-25-Q1", kind="quarter",
                                   start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30), status="closed")
    client.force_login(manager)
    page = client.post("/o/demoshire/measures/WF-PERMANENT-SHARE/values/new/",
                       {"period": "2024-25-Q1", "value": "80"}).content.decode()
    assert "2024-25-Q1 is closed, so its figures are frozen; a manager can reopen it with a reason" in page
    assert not permanent_share.values.exists()


def test_a_shift_is_offered_as_a_process_change_and_recording_it_ends_the_contradiction(
        client, ot_measure, manager, viewer, demoshire):
    from carestat.analytics.periods import parse_period
    from carestat.core.models import AuditEntry
    from carestat.measures.models import ProcessChange

    access = access_for(manager, demoshire)
    for year in ("2023-24", "2024-25", "2025-26", "2026-27"):
        services.set_target(access, ot_measure, period=year, value=75)
    noise = (-1, 1, 0, -1, 1) * 4
    values = [60 + d for d in noise] + [78 + d for d in noise[:18]]  # a step up in the 21st month
    month = parse_period("2023-04")
    months = []
    for v in values:
        months.append(month.label)
        services.enter_value(access, ot_measure, period=month.label, value=str(v))
        month = parse_period(f"{(month.end.replace(day=28) + dt.timedelta(days=4)):%Y-%m}")
    assert months[20] == "2024-12"
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/OT-28DAYS/").content.decode()
    assert "so the target is met: green" in page and "consistently missed" in page
    assert ("The latest value meets the target (green) but the process limits (63.3% to 73.8%) say it will be "
            "consistently missed, because those limits span the shift that began in 2024-12: record a process "
            "change there to calculate limits for the process as it is now.") in page
    form = page[page.index('id="suggested-change"'):page.index("</form>", page.index('id="suggested-change"'))]
    assert 'name="starts_on-day" value="1"' in form and 'name="starts_on-month" value="12"' in form
    assert 'name="starts_on-year" value="2024"' in form and "Record a process change from 1 December 2024" in form
    api = client.get("/api/v1/organisations/demoshire/measures/OT-28DAYS").json()["judgement"]
    assert api["suggested_process_change"] == "2024-12-01" and api["rag_and_assurance"].startswith("The latest")

    marker = 'name="reason" value="'
    reason = form[form.index(marker) + len(marker):]
    reason = reason[:reason.index('"')].replace("&#39;", "'")
    response = client.post("/o/demoshire/measures/OT-28DAYS/process-changes/new/", {
        "starts_on-day": "1", "starts_on-month": "12", "starts_on-year": "2024", "reason": reason})
    assert response.status_code == 302
    change = ProcessChange.objects.get(measure=ot_measure)
    assert change.starts_on == dt.date(2024, 12, 1) and "SPC shift" in change.reason
    assert AuditEntry.objects.filter(action="measures.process_change.recorded", record_id=str(change.pk)).exists()
    page = client.get("/o/demoshire/measures/OT-28DAYS/").content.decode()
    assert "process limits 73.8% to 82.2% (recalculated from 2024-12)" in page
    assert "hit and missed at random" in page and "consistently missed" not in page
    assert 'id="suggested-change"' not in page and 'id="rag-and-assurance"' not in page

    client.force_login(viewer)  # a viewer is never offered the button
    ProcessChange.objects.all().delete()
    assert 'id="suggested-change"' not in client.get("/o/demoshire/measures/OT-28DAYS/").content.decode()
