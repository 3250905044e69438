"""Demoshire's and Jersey's future need load through the real files and services."""

import pytest

from carestat.demand.models import Need, PopulationProjection, PrevalenceRate, Projection, Scenario


@pytest.fixture
def demo(db, settings, tmp_path, story_day):
    from carestat.casedata import demo as casedata_demo
    from carestat.core import demo as core_demo
    from carestat.demand import demo as demand_demo

    settings.DATA_DIR = tmp_path
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    quiet = lambda msg: None  # noqa: E731
    org = core_demo.load(None, quiet)
    casedata_demo.load(org, quiet)
    return demand_demo.load(org, quiet)


def test_the_demo_projects_demoshire_and_jersey_and_backtests_the_childrens_model(demo):
    from carestat.core.models import Organisation

    jersey = Organisation.objects.get(slug="jersey")
    # Demoshire: adults, a baseline and a scenario projection of children, a backtest
    kinds = sorted(Projection.objects.filter(organisation=demo).values_list("kind", flat=True))
    assert kinds == ["adults", "backtest", "children", "children"]
    scenario = Scenario.objects.get(organisation=demo)
    assert scenario.in_report
    children = Projection.objects.filter(organisation=demo, kind="children", scenario__isnull=True).get()
    r = children.result
    assert r["start_total"] > 50
    assert len(r["total"]) == 3 and all(lo <= hi for lo, hi in zip(r["lower"]["total"], r["upper"]["total"],
                                                                    strict=True))
    stepped = Projection.objects.get(organisation=demo, kind="children", scenario=scenario).result
    # stepping down from residential leaves fewer in residential care at every year end
    assert all(s < b for s, b in zip(stepped["projection"]["residential"], r["projection"]["residential"],
                                     strict=True))
    bt = Projection.objects.get(organisation=demo, kind="backtest").result
    assert bt["mape"]["total"] is not None
    adults = Projection.objects.get(organisation=demo, kind="adults").result
    assert adults["years"][0] <= 2026 and adults["years"][-1] == 2045
    self_care = next(n for n in adults["needs"] if n["code"] == "self_care")
    assert self_care["users"] is not None and self_care["cost"] is not None
    assert self_care["people"][-1] > self_care["people"][0]  # an ageing county
    # Jersey: an island-sized file and an adults' projection of need (no client level data there)
    pop = PopulationProjection.objects.get(organisation=jersey)
    assert 95_000 < pop.total_first_year < 110_000
    assert PrevalenceRate.objects.filter(organisation=jersey).count() == 26
    assert Need.objects.filter(organisation=jersey).count() == 3
    j = Projection.objects.get(organisation=jersey, kind="adults").result
    assert all(n["users"] is None for n in j["needs"])
    assert all(n["people"][0] > 0 for n in j["needs"])
