"""Hours of home care in the cost model: activity from the loaded client level data equal to the
measure ASC-HOMECARE-HOURS computed from the same submission, costed as hours a week x 365/7
weeks x an hourly rate with inflation, with price and volume variance and scenarios, shown by
the page, the API, the command and the report. Hand counts in
carestat/analytics/tests/adults/test_homecare.py: 26 hours a week for 3 adults at 31 March 2025."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from carestat.finance import costmodel, services

D = Decimal


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture
def hours(world, tmp_path):
    from carestat.analytics.tests.adults.test_homecare import write
    from carestat.casedata import services as casedata

    a = world["access"]
    casedata.ingest(a, [write(tmp_path / "cld_2024-25.csv")], format="cld")
    services.set_budget(a, world["teams"], year="2026-27", amount_="30000")
    services.set_driver(a, world["teams"], activity="homecare_hours", base_year="2026-27", unit_cost="26.00",
                        inflation_percent="3", budget_volume="22")
    return world


def test_the_models_hours_of_home_care_equal_the_measure_from_the_same_submission(hours):
    from carestat.measures.models import MeasureValue

    act = costmodel.activity(hours["access"].organisation)
    assert act.adults_year == "2024-25" and not act.problem
    assert (act.homecare_hours, act.homecare_people) == (D("26.00"), 3)
    value = MeasureValue.objects.get(measure__code="ASC-HOMECARE-HOURS", period="2024-25")
    assert (value.value, value.numerator, value.denominator) == (D("26"), D("26"), D("3"))
    assert act.homecare_hours == value.numerator and act.homecare_people == int(value.denominator)


def test_hours_cost_weeks_times_an_hourly_rate_and_split_into_price_and_volume_by_hand(hours):
    model = costmodel.build(hours["access"].organisation, year="2026-27")
    [row] = model.rows
    # 26 h x 365/7 weeks x £26 = £35,248.57; 2027-28 at £26.78 = £36,306.03 (analytics test)
    assert row.volume == D("26.00") and row.baseline[0].cost == D("35248.57")
    # £30,000 budgeted for 22 hours: 4 more hours are 4/22 of it = £5,454.55; price -£205.98
    pv = row.price_volume
    assert (pv.volume_variance, pv.price_variance) == (D("5454.55"), D("-205.98"))
    services.save_scenario(hours["access"], name="Four hours fewer from Q3", changes=[
        {"cost_code": "CS200", "kind": "volume", "amount": "-4", "start": "2026-27-Q3"}])
    _, fewer = costmodel.build(hours["access"].organisation, year="2026-27").results
    # 24 hours on average in 2026-27: £32,537.14, £2,711.43 less
    assert fewer.totals[0] == D("32537.14") and fewer.effect[0] == D("-2711.43")



def test_a_scenario_on_hours_of_home_care_says_hours_a_week_and_other_lines_keep_their_wording(hours):
    from carestat.core.models import AuditEntry

    a = hours["access"]
    services.set_driver(a, hours["residential"], activity="residential", base_year="2026-27", unit_cost="260000")
    services.save_scenario(a, name="Fewer hours, fewer placements", changes=[
        {"cost_code": "CS200", "kind": "volume", "amount": "-4", "start": "2026-27-Q3"},
        {"cost_code": "CS200", "kind": "volume", "amount": "1", "start": "2026-27-Q4"},
        {"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"},
        {"cost_code": "CS200", "kind": "unit_cost", "amount": "5", "start": "2026-27-Q3"},
        {"cost_code": "CS200", "kind": "inflation", "amount": "2"}])
    words = ["4 fewer hours a week on CS200 from 2026-27-Q3", "1 more hour a week on CS200 from 2026-27-Q4",
             "2 fewer on CS110 from 2026-27-Q3", "unit cost of CS200 5% higher from 2026-27-Q3",
             "inflation on CS200 of 2% a year"]
    _, scenario = costmodel.build(a.organisation, year="2026-27").results
    assert scenario.words == words
    assert AuditEntry.objects.get(action="finance.scenario.saved").message.endswith(": " + "; ".join(words))


def test_the_page_api_and_command_show_hours_of_home_care(hours, client, viewer, capsys):
    from carestat.core import services as core_services

    client.force_login(viewer)
    html = client.get("/o/demoshire/finance/model/?year=2026-27").content.decode()
    assert "26.00 planned hours of home care a week on 31 March 2025 for 3 adults" in html
    assert "26.00 hours a week" in html and "£26.00 an hour" in html and "£35,248.57" in html
    token = core_services.create_api_token(viewer, "t")[1]
    body = client.get("/api/v1/organisations/demoshire/finance/model?year=2026-27",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["activity"]["counts"]["homecare_hours"] == "26.00" and body["activity"]["homecare_people"] == 3
    [line] = body["lines"]
    assert (line["volume"], line["unit_cost_per"], line["forecast"]["2026-27"]) == ("26.00", "hour", "35248.57")
    assert line["price_volume"]["volume_variance"] == "5454.55"
    call_command("finance", "scenario", "--org", "demoshire", "--year", "2026-27")
    out = capsys.readouterr().out
    assert "CS200 Social work teams: 26.00 hours of home care a week at £26.00 an hour in 2026-27, " \
           "2026-27 £35,248.57" in out


def test_the_summary_command_shows_the_hours_of_home_care_line_as_the_page_does(hours, client, viewer, capsys):
    import json

    client.force_login(viewer)
    html = client.get("/o/demoshire/finance/model/?year=2026-27").content.decode()
    sentence = ("26.00 planned hours of home care a week on 31 March 2025 for 3 adults with long-term support in "
                "the community, summed as the measure ASC-HOMECARE-HOURS sums them for 2024-25.")
    assert sentence in html
    call_command("finance", "summary", "--org", "demoshire", "--year", "2026-27")
    out = capsys.readouterr().out
    assert f"Hours of home care in the cost model: {sentence}" in out
    assert "CS200 Social work teams: 26.00 hours a week for 3 adults at £26.00 an hour, modelled cost " \
           "2026-27 £35,248.57 against a budget of £30,000.00" in out
    call_command("finance", "summary", "--org", "demoshire", "--year", "2026-27", "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["home_care"] == {
        "as_at": "2025-03-31", "measure_period": "2024-25", "hours_a_week": "26.00", "adults": 3, "problem": None,
        "lines": [{"cost_code": "CS200", "name": "Social work teams", "hours_a_week": "26.00",
                   "unit_cost_an_hour": "26.00", "modelled_cost": "35248.57", "budget": "30000.00"}]}


def test_the_summary_command_says_nothing_of_home_care_when_no_line_is_costed_in_hours(world, capsys):
    import json

    call_command("finance", "summary", "--org", "demoshire", "--year", "2026-27")
    assert "home care" not in capsys.readouterr().out
    call_command("finance", "summary", "--org", "demoshire", "--year", "2026-27", "--json")
    assert json.loads(capsys.readouterr().out)["home_care"] is None


def test_the_report_explains_hours_of_home_care_by_volume_and_price(hours, admin, manager):
    from carestat.core.models import ReportingPeriod
    from carestat.plans.tests.builders import small_plan
    from carestat.reports import services as reports

    a = hours["access"]
    services.create_medium_term_plan(a, title="MTFP", first_year="2026-27", years=3)
    plan = small_plan(a.organisation, admin, manager)["plan"]
    q2 = ReportingPeriod.objects.get(organisation=a.organisation, identifier="2026-27-Q2")
    report = reports.create_report(a, period=q2, scope="plan", plan=plan)
    money = next(d for d in report.snapshot["domains"] if d["key"] == "money")
    table = next(t for t in money["tables"] if t["caption"].startswith("What explains"))
    assert "planned hours of home care a week (ASC-HOMECARE-HOURS)" in table["caption"]
    # budgeted unit cost £30,000 / (22 x 365/7) = £26.15 an hour
    assert table["rows"] == [["CS200", "Social work teams (hours a week; unit cost an hour)", 26.0, 22.0, 26.15, 26.0,
                              5454.55, -205.98]]


def test_a_line_cannot_be_modelled_on_an_unknown_activity(world):
    from carestat.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Choose what activity drives"):
        services.set_driver(world["access"], world["teams"], activity="hours", base_year="2026-27", unit_cost="26")
