"""The cost model: activity from the loaded SSDA903 returns equal to the measure computed from
them, scenarios' effects checked by hand arithmetic, and the page, API and command agreeing."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from carestat.analytics.demo import write_children_demo
from carestat.core.errors import InvalidInput
from carestat.finance import costmodel, services

D = Decimal


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture(scope="module")
def lac_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("children")
    return write_children_demo(out, seed=7, years=(2023, 2024), cin_children=400, lac_children=120)["ssda903"]


@pytest.fixture
def loaded(world, lac_files):
    from carestat.casedata import services as casedata

    casedata.ingest(world["access"], [p for p in lac_files if "2024" in p.name], year=2024)
    services.create_medium_term_plan(world["access"], title="MTFP", first_year="2026-27", years=3)
    services.set_budget(world["access"], world["residential"], year="2026-27", amount_="4000000")
    return world


def test_the_models_activity_equals_the_children_looked_after_measure_from_the_same_return(loaded):
    from carestat.measures.models import MeasureValue

    act = costmodel.activity(loaded["access"].organisation)
    assert act.year == "2023-24" and not act.problem
    value = MeasureValue.objects.get(measure__code="LAC-COUNT", period="2023-24")
    assert sum(act.counts.values()) == int(value.value) > 0
    assert act.counts["residential"] > 0 and act.counts["fostering"] > 0


def test_a_scenarios_effect_on_each_year_is_worked_out_by_hand(loaded):
    a = loaded["access"]
    services.set_driver(a, loaded["residential"], activity="residential", base_year="2026-27", unit_cost="260000",
                        inflation_percent="5", budget_volume="10")
    services.save_scenario(a, name="Two fewer residential placements from Q3",
                           changes=[{"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"}])
    model = costmodel.build(a.organisation, year="2026-27")
    n = model.rows[0].volume
    assert n >= 2
    base, scenario = model.results
    # baseline: n x 260,000; n x 273,000; n x 286,650
    assert base.totals == [n * D("260000"), n * D("273000"), n * D("286650")]
    # 2 fewer from Q3: half of 2 in 2026-27 at 260,000 = -260,000; then 2 x 273,000 = -546,000; 2 x 286,650 = -573,300
    assert scenario.effect == [D("-260000"), D("-546000"), D("-573300")]
    assert scenario.words == ["2 fewer on CS110 from 2026-27-Q3"]
    # price and volume against the 2026-27 budget of 4,000,000 for 10 children (400,000 each):
    # volume (n - 10) x 400,000; price (260,000 - 400,000) x n
    pv = model.rows[0].price_volume
    assert pv.volume_variance == (n - 10) * D("400000") and pv.price_variance == (D("260000") - D("400000")) * n
    assert pv.variance == n * D("260000") - D("4000000")


def test_a_scenario_names_a_modelled_line_and_a_starting_quarter(loaded):
    a = loaded["access"]
    with pytest.raises(InvalidInput):
        services.save_scenario(a, name="x", changes=[{"cost_code": "CS110", "kind": "volume", "amount": "-1",
                                                      "start": "2026-27-Q3"}])  # no driver yet
    services.set_driver(a, loaded["residential"], activity="residential", base_year="2026-27", unit_cost="1")
    with pytest.raises(InvalidInput) as caught:
        services.save_scenario(a, name="x", changes=[{"cost_code": "CS110", "kind": "volume", "amount": "-1",
                                                      "start": "2026-09"}])
    assert caught.value.field == "start"


def test_the_page_api_and_command_show_the_scenarios_side_by_side(loaded, client, viewer, capsys):
    a = loaded["access"]
    services.set_driver(a, loaded["residential"], activity="residential", base_year="2026-27", unit_cost="260000")
    services.save_scenario(a, name="Fewer residential", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "-1", "start": "2027-28-Q1"}])
    client.force_login(viewer)
    html = client.get("/o/demoshire/finance/model/?year=2026-27").content.decode()
    assert "Fewer residential" in html and "-£260,000.00" in html and "<svg" in html
    assert "counted as the measure LAC-COUNT counts them for 2023-24" in html
    from carestat.core import services as core_services

    token = core_services.create_api_token(viewer, "t")[1]
    body = client.get("/api/v1/organisations/demoshire/finance/model?year=2026-27",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["scenarios"][1]["effect"] == ["0.00", "-260000.00", "-260000.00"]
    call_command("finance", "scenario", "--org", "demoshire", "--year", "2026-27", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["scenarios"][1]["name"] == "Fewer residential" and out["scenarios"][1]["effect"][1] == "-260000.00"


def test_without_case_data_the_model_says_so(world, client, viewer):
    client.force_login(viewer)
    html = client.get("/o/demoshire/finance/model/").content.decode()
    assert "No case data has been loaded yet" in html


def test_the_report_explains_modelled_lines_by_volume_and_price_and_keeps_it_from_the_public(loaded, admin, manager):
    from carestat.core.models import ReportingPeriod
    from carestat.plans.tests.builders import small_plan
    from carestat.reports import services as reports
    from carestat.reports.render import view

    a = loaded["access"]
    services.set_driver(a, loaded["residential"], activity="residential", base_year="2026-27", unit_cost="260000",
                        budget_volume="10")
    plan = small_plan(a.organisation, admin, manager)["plan"]
    q2 = ReportingPeriod.objects.get(organisation=a.organisation, identifier="2026-27-Q2")
    report = reports.create_report(a, period=q2, scope="plan", plan=plan)
    money = next(d for d in report.snapshot["domains"] if d["key"] == "money")
    n = costmodel.activity(a.organisation).counts["residential"]
    [row] = money["tables"][-1]["rows"]
    # volume: (n - 10) x 400,000 (the 4,000,000 budget for 10 children); price: (260,000 - 400,000) x n
    assert row == ["CS110", "Residential placements", n, 10.0, 400000.0, 260000.0, float((n - 10) * 400000),
                   float((260000 - 400000) * n)]
    public = next(d for d in view(report.snapshot, public=True)["domains"] if d["key"] == "money")
    assert all("What explains" not in t["caption"] for t in public["tables"])


def test_the_report_names_the_scenario_the_settings_choose_beside_the_base_case(loaded, admin, manager, client):
    from carestat.core.models import ReportingPeriod
    from carestat.finance.models import settings_for
    from carestat.plans.tests.builders import small_plan
    from carestat.reports import services as reports
    from carestat.reports.render import view

    a = loaded["access"]
    services.set_driver(a, loaded["residential"], activity="residential", base_year="2026-27", unit_cost="260000",
                        inflation_percent="5")
    two_more = services.save_scenario(a, name="Two more residential placements from Q3", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "2", "start": "2026-27-Q3"}])
    services.save_scenario(a, name="Not named", changes=[
        {"cost_code": "CS110", "kind": "unit_cost", "amount": "10", "start": "2026-27-Q1"}])
    client.force_login(manager)
    form = {k: str(getattr(settings_for(a.organisation), k)) for k in services.SETTINGS_FIELDS}
    assert client.post("/o/demoshire/finance/settings/", {**form, "report_scenario": str(two_more.pk)}
                       ).status_code == 302
    assert settings_for(a.organisation).report_scenario == two_more
    n = costmodel.activity(a.organisation).counts["residential"]
    plan = small_plan(a.organisation, admin, manager)["plan"]
    q2 = ReportingPeriod.objects.get(organisation=a.organisation, identifier="2026-27-Q2")
    report = reports.create_report(a, period=q2, scope="plan", plan=plan)
    money = next(d for d in report.snapshot["domains"] if d["key"] == "money")
    # 2 more from Q3: half of 2 at 260,000 in 2026-27 = 260,000; 2 x 273,000 = 546,000; 2 x 286,650 = 573,300
    assert money["paragraphs"][-1] == (
        "The scenario this report names is ‘Two more residential placements from Q3’ (2 more on CS110 from "
        "2026-27-Q3). Against the base case it changes the modelled cost of the modelled lines by +£260k in "
        "2026-27, +£546k in 2027-28, +£573k in 2028-29.")
    table = money["tables"][-1]
    assert table["headers"] == ["", "2026-27", "2027-28", "2028-29"]
    assert table["rows"] == [
        ["Budget", 4000000.0, 0.0, 0.0],
        ["Base case (no changes)", float(n * 260000), float(n * 273000), float(n * 286650)],
        ["Two more residential placements from Q3", float(n * 260000 + 260000), float(n * 273000 + 546000),
         float(n * 286650 + 573300)],
        ["Effect of the scenario", 260000.0, 546000.0, 573300.0]]
    assert "Not named" not in str(money)
    # the public version names the scenario but leaves out the modelled costs, which rest on counts
    public = next(d for d in view(report.snapshot, public=True)["domains"] if d["key"] == "money")
    assert "Two more residential" in public["paragraphs"][-1]
    assert all("beside the base case" not in t["caption"] for t in public["tables"])
    # frozen: renaming the scenario later leaves the report as it was
    services.update_scenario(a, two_more, name="Renamed", changes=two_more.changes)
    report.refresh_from_db()
    assert "Two more residential" in str(report.snapshot)


def test_adults_lines_take_their_activity_from_client_level_data_equal_to_the_ascof_measures(world, tmp_path):
    """The same CLD submissions the ASCOF measures are computed from give the model its adults;
    the community count is ASCOF-3D's denominator (hand counts in the analytics test)."""
    from carestat.analytics.tests.adults.test_adults import SUBMISSIONS, write_submission
    from carestat.casedata import services as casedata
    from carestat.measures.models import MeasureValue

    a = world["access"]
    for name in SUBMISSIONS:
        path = tmp_path / f"cld_{name}.csv"
        write_submission(path, name)
        casedata.ingest(a, [path], format="cld")
    act = costmodel.activity(a.organisation)
    assert act.adults_year == "2024-25" and act.year is None and not act.problem
    assert act.adults == {"adults_residential": 1, "adults_nursing": 2, "adults_community": 3}
    value = MeasureValue.objects.get(measure__code="ASCOF-3D", period="2024-25")
    assert act.counts["adults_community"] == int(value.denominator)
    services.set_budget(a, world["teams"], year="2026-27", amount_="120000")
    services.set_driver(a, world["teams"], activity="adults_nursing", base_year="2026-27", unit_cost="58500",
                        budget_volume="3")
    model = costmodel.build(a.organisation, year="2026-27")
    [row] = model.rows
    # 2 in nursing care against 3 budgeted at 40,000 each: volume -40,000; price (58,500 - 40,000) x 2 = 37,000
    assert row.volume == 2 and row.baseline[0].cost == D("117000")
    assert (row.price_volume.volume_variance, row.price_volume.price_variance) == (D("-40000"), D("37000"))
