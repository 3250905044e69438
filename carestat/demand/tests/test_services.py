"""Loading, keeping and projecting future need through the services, checked by hand."""

import datetime as dt

import pytest

from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import AuditEntry
from carestat.demand import services
from carestat.demand.models import PopulationFigure, PopulationProjection, PrevalenceRate, Projection, Scenario
from carestat.demand.tests.builders import MISSING_YEAR, POPULATION, RATE_ABOVE_ONE
from conftest import access_for


def test_a_population_file_with_a_missing_year_stores_nothing_and_names_the_row(world):
    with pytest.raises(services.DemandFileInvalid) as err:
        services.load_population(world["access"], MISSING_YEAR, filename="snpp.csv")
    assert str(err.value.problems[0]) == ("snpp.csv row 4, column '2026': there is no population for 2026; "
                                          "every row needs every year")
    assert not PopulationProjection.objects.exists() and not PopulationFigure.objects.exists()


def test_loading_the_same_population_file_twice_changes_nothing(world):
    first = services.load_population(world["access"], POPULATION, filename="snpp.csv")
    again = services.load_population(world["access"], POPULATION, filename="snpp-copy.csv")
    assert not first.already_loaded and again.already_loaded
    assert PopulationProjection.objects.count() == 1 and PopulationFigure.objects.count() == 6
    assert first.projection.total_first_year == 3000


def test_a_rate_file_with_a_rate_above_one_stores_nothing(world):
    with pytest.raises(services.DemandFileInvalid) as err:
        services.load_rates(world["access"], RATE_ABOVE_ONE, filename="rates.csv")
    assert err.value.problems[0].row == 4 and err.value.problems[0].column == "rate"
    assert not PrevalenceRate.objects.exists()


def test_the_adults_projection_saved_is_population_times_rate(adults):
    p = services.project_adults(adults["access"])
    need = p.result["needs"][0]
    # 2025: 1000 x 0.1 + 1200 x 0.15 + 800 x 0.2 = 440; 2026: 1100 x 0.1 + 180 + 160 = 450
    assert p.result["years"] == [2025, 2026]
    assert need["people"] == [440.0, 450.0]
    # no client level data loaded: need is projected, service users and cost are not
    assert need["users"] is None and need["cost"] is None
    assert AuditEntry.objects.filter(action="demand.adults.projected").count() == 1


def test_a_need_with_users_now_projects_their_cost_with_inflation(adults, monkeypatch):
    counted = ({"Physical Support: Personal care support": 44}, dt.date(2025, 9, 30))
    monkeypatch.setattr(services, "_service_users", lambda org: counted)
    services.set_need(adults["access"], code="self_care", name="Self-care", support_reason="Physical Support",
                      unit_cost="20000", base_year="2025-26", inflation_percent="2")
    need = services.project_adults(adults["access"]).result["needs"][0]
    # 44 of 440: a share of 0.1; 45 in 2026; 44 x £20,000 and 45 x £20,400
    assert need["users"] == [44.0, 45.0]
    assert need["cost"] == ["880000.00", "918000.00"]


def test_a_rate_is_changed_with_its_source_and_recorded_in_words(adults):
    rate = PrevalenceRate.objects.get(sex="female")
    services.set_rate(adults["access"], rate, value="12.5%", source="POPPI", source_year="2020")
    rate.refresh_from_db()
    assert (str(rate.rate), rate.source, rate.source_year) == ("0.125000", "POPPI", 2020)
    entry = AuditEntry.objects.get(action="demand.rate.changed")
    assert "to 0.125 (POPPI, 2020)" in entry.message


def test_a_rate_above_one_is_refused_on_the_rate_field(adults):
    rate = PrevalenceRate.objects.get(sex="female")
    with pytest.raises(InvalidInput) as err:
        services.set_rate(adults["access"], rate, value="1.5", source="x")
    assert err.value.field == "rate" and "above 1" in err.value.message


def test_a_viewer_cannot_change_a_rate(adults, cast, demoshire):
    rate = PrevalenceRate.objects.get(sex="female")
    with pytest.raises(NotAllowed):
        services.set_rate(access_for(cast["viewer"], demoshire), rate, value="0.1", source="x")


def test_a_scenario_that_would_make_negative_numbers_is_refused_and_nothing_is_saved(world):
    with pytest.raises(InvalidInput, match="negative"):
        services.save_scenario(world["access"], name="Fewer", changes=[{"kind": "entry_rate", "percent": -150}])
    with pytest.raises(InvalidInput, match="negative"):
        services.save_scenario(world["access"], name="Odd", changes=[
            {"kind": "step_down", "from": "residential", "to": "fostering_in_house", "percent": -10}])
    assert not Scenario.objects.exists()


def test_scenario_names_are_unique_and_only_one_is_named_in_the_report(world):
    change = [{"kind": "entry_rate", "percent": -10}]
    services.save_scenario(world["access"], name="A", changes=change, in_report=True)
    services.save_scenario(world["access"], name="B", changes=change, in_report=True)
    assert list(Scenario.objects.filter(in_report=True).values_list("name", flat=True)) == ["B"]
    with pytest.raises(Conflict):
        services.save_scenario(world["access"], name="a", changes=change)


def test_the_childrens_projection_starts_from_the_children_in_care_at_the_latest_return(loaded):
    from carestat.analytics import finance as money
    from carestat.casedata import stores

    p = services.project_children(loaded["access"], years=2, reference_years=1, resamples=20)
    r = p.result
    assert r["as_at"] == "2024-03-31"
    with stores.reading(loaded["access"].organisation) as store:
        counts = money.looked_after_by_placement(store, dt.date(2024, 3, 31))
    # the model's children now are LAC-COUNT's, less any aged 18 or over
    assert r["start_total"] <= sum(counts.values())
    assert r["start"]["residential"] <= counts[money.PlacementGroup.RESIDENTIAL]
    assert len(r["total"]) == 2 and r["lower"]["total"][1] <= r["upper"]["total"][1]


def test_a_step_down_scenario_projects_fewer_in_residential_care(loaded):
    base = services.project_children(loaded["access"], years=2, reference_years=1, resamples=0)
    s = services.save_scenario(loaded["access"], name="Step down", changes=[
        {"kind": "step_down", "from": "residential", "to": "fostering_in_house", "percent": 30}])
    stepped = services.project_children(loaded["access"], years=2, reference_years=1, resamples=0, scenario=s)
    assert stepped.result["projection"]["residential"][-1] < base.result["projection"]["residential"][-1]
    assert stepped.result["total"][-1] == pytest.approx(base.result["total"][-1], abs=1.0)
    assert Projection.objects.filter(scenario=s).count() == 1


def test_a_backtest_compares_the_projection_with_the_later_return(loaded):
    p = services.backtest(loaded["access"], years=1, reference_years=1)
    r = p.result
    assert r["as_at"] == "2023-04-02"  # 364 days before 31 March 2024
    assert r["mape"]["total"] is not None
    actual = sum(v[0] for v in r["actual"].values())
    projected = sum(v[0] for v in r["projected"].values())
    assert r["mape"]["total"] == round(abs(projected - actual) / actual * 100, 1)


def test_projecting_children_with_no_returns_loaded_says_what_to_do(world):
    with pytest.raises(InvalidInput, match="load the children looked after returns first"):
        services.project_children(world["access"])
