"""The future-need models, checked against arithmetic done by hand."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from carestat.analytics import demand as d

D = Decimal
F = d.AGE_BANDS.index("10-15") * d.NP + d.PLACEMENTS.index("fostering_in_house")
R = d.AGE_BANDS.index("10-15") * d.NP + d.PLACEMENTS.index("residential")
BORN_2014 = 2014 * 12  # January 2014: aged 12 throughout 2026


# -- adults ------------------------------------------------------------------------------------

POPULATION = """AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2026
E10000099,Demoshire,Population,males,65-69,1000,1100
E10000099,Demoshire,Population,females,65-69,1200,1200
E10000099,Demoshire,Population,males,70-74,800,800
E10000099,Demoshire,Population,females,All ages,99999,99999
"""
RATES = """need,age_band,sex,rate,source,year
self_care,65-69,male,0.1,Health Survey for England,2016
self_care,65-69,female,15%,Health Survey for England,2016
self_care,70-74,male,0.2,Health Survey for England,2016
"""


def test_the_adults_projection_is_population_times_rate_summed_over_bands_and_sexes():
    pop = d.read_population(POPULATION, "snpp.csv")
    rates = d.read_rates(RATES, "rates.csv")
    # 2025: 1000 x 0.1 + 1200 x 0.15 + 800 x 0.2 = 100 + 180 + 160 = 440
    # 2026: 1100 x 0.1 + 180 + 160 = 450
    need = d.NeedSpec("self_care", "Unable to manage a self-care activity", users_now=44,
                      unit_cost=D("20000"), base_year="2025-26", inflation=D("2"))
    p = d.project_adults(pop, rates, [need], base_year=2025)
    n = p.needs[0]
    assert p.years == [2025, 2026]
    assert n.people == pytest.approx([440, 450])
    # 44 users of 440 with the need: a share of 0.1, so 45 users in 2026
    assert n.share == pytest.approx(0.1)
    assert n.users == pytest.approx([44, 45])
    # 2025-26 at £20,000; 2026-27 at £20,400 (2% inflation): 44 x 20,000 and 45 x 20,400
    assert n.cost == [D("880000.00"), D("918000.00")]


def test_the_long_layout_of_a_population_file_reads_the_same_as_the_wide_one():
    long = ("area_code,sex,age,year,population\nJE,male,65-69,2025,1000\nJE,male,65-69,2026,1100\n"
            "JE,female,65-69,2025,1200\nJE,female,65-69,2026,1200\nJE,male,70-74,2025,800\nJE,male,70-74,2026,800\n")
    rates = d.read_rates(RATES)
    people, _ = d.people_with_need(d.read_population(long), rates, 2026)
    assert people == pytest.approx(450)


def test_a_population_band_outside_every_rate_band_is_named_not_counted():
    pop = d.read_population("area_code,sex,age,year,population\nX,male,60-64,2025,500\nX,male,65-69,2025,1000\n")
    people, unmatched = d.people_with_need(pop, d.read_rates(RATES), 2025)
    assert people == pytest.approx(100)
    assert unmatched == ["male 60-64"]


def test_a_population_file_with_a_missing_year_names_the_row_and_year():
    bad = POPULATION.replace("males,70-74,800,800", "males,70-74,800,")
    with pytest.raises(d.DemandInputError) as err:
        d.read_population(bad, "snpp.csv")
    p = err.value.problems[0]
    assert (p.file, p.row, p.column, p.rule) == ("snpp.csv", 4, "2026", "missing-year")


def test_a_long_population_file_with_a_gap_between_years_is_refused():
    gap = "area_code,sex,age,year,population\nX,male,65-69,2025,1\nX,male,65-69,2027,1\n"
    with pytest.raises(d.DemandInputError, match="no figures for 2026"):
        d.read_population(gap)


def test_an_unknown_sex_and_age_band_are_errors_naming_their_rows():
    bad = POPULATION.replace("females,65-69", "unknown,sixty")
    with pytest.raises(d.DemandInputError) as err:
        d.read_population(bad, "snpp.csv")
    assert {(p.row, p.rule) for p in err.value.problems} == {(3, "unknown-sex"), (3, "unknown-age-band")}


def test_a_rate_above_one_is_refused_with_its_row():
    with pytest.raises(d.DemandInputError) as err:
        d.read_rates(RATES.replace("0.2,", "1.2,"), "rates.csv")
    p = err.value.problems[0]
    assert (p.row, p.column, p.rule) == (4, "rate", "rate")
    assert "above 1" in p.message


def test_age_bands_read_as_councils_write_them():
    assert d.parse_band("90 and over") == d.Band(90, d.OPEN_END)
    assert d.parse_band("85+").label == "85+"
    assert d.parse_band("65 to 69") == d.Band(65, 69)
    assert d.parse_band("67") == d.Band(67, 67)


# -- children ----------------------------------------------------------------------------------

def _history():
    """Four children aged 12, weekly over 5 Mondays, 5 January to 2 February 2026:
    a in in-house fostering throughout; b in residential until 20 January, then fostering;
    c in residential throughout; d in fostering from 10 January, leaving care on 27 January."""
    kids = [(k, BORN_2014) for k in "abcd"]
    eps = [
        ("a", dt.date(2025, 6, 1), None, "C2", "U4", "PR1"),
        ("b", dt.date(2025, 6, 1), dt.date(2026, 1, 20), "C2", "K2", "PR4"),
        ("b", dt.date(2026, 1, 20), None, "C2", "U4", "PR1"),
        ("c", dt.date(2025, 9, 1), None, "C2", "K2", "PR4"),
        ("d", dt.date(2026, 1, 10), dt.date(2026, 1, 27), "C2", "U5", None),
    ]
    return d.History.from_records(kids, eps)


START = dt.date(2026, 1, 5)
AS_AT = dt.date(2026, 2, 2)
POP = [0, 0, 0, 1000, 0]  # children by age band: 1,000 aged 10 to 15


def test_weekly_states_follow_the_open_episode_and_the_age_band():
    states = d.weekly_states(_history(), d.weeks_from(START, 5))
    assert states.tolist() == [[F] * 5, [R, R, R, F, F], [R] * 5, [d.OUT, F, F, F, d.OUT]]


def test_transition_rates_are_the_moves_seen_divided_by_the_weeks_in_each_state():
    states = d.weekly_states(_history(), d.weeks_from(START, 5))
    rates = d.estimate(states, 0, 4, POP)
    # fostering: a 4 stays, b 1 stay, d 2 stays and 1 leaving: 7 of 8 stay, 1 of 8 leaves
    assert rates.transitions[F, F] == pytest.approx(7 / 8)
    assert rates.transitions[F, d.OUT] == pytest.approx(1 / 8)
    # residential: b 2 stays and 1 step down, c 4 stays: 6 of 7 stay, 1 of 7 moves to fostering
    assert rates.transitions[R, R] == pytest.approx(6 / 7)
    assert rates.transitions[R, F] == pytest.approx(1 / 7)
    # one entry (d) in 4 weeks among 1,000 children aged 10 to 15: 0.25 a week, 0.00025 per child
    assert rates.entry[F] == pytest.approx(0.00025)
    assert rates.entry.sum() == pytest.approx(0.00025)


def test_a_one_week_projection_matches_hand_arithmetic():
    p = d.project_children(_history(), as_at=AS_AT, reference_start=START, years=1, population=POP)
    start = p.start
    assert start[F] == 2 and start[R] == 1 and start.sum() == 3
    after = d.step(start, p.rates.transitions, p.rates.entry * np.repeat(POP, d.NP))
    # fostering: 2 x 7/8 + 1 x 1/7 + 0.25 entering = 2.142857...; residential: 1 x 6/7
    assert after[F] == pytest.approx(2 * 7 / 8 + 1 / 7 + 0.25)
    assert after[R] == pytest.approx(6 / 7)
    assert after.sum() == pytest.approx(2 * 7 / 8 + 1 + 0.25)


def test_a_step_down_scenario_moves_children_from_residential_to_fostering():
    p = d.project_children(_history(), as_at=AS_AT, reference_start=START, years=1, population=POP)
    change = {"kind": "step_down", "from": "residential", "to": "fostering_in_house", "percent": 50}
    trans, _ = d.apply_scenario(p.rates.transitions, p.rates.entry, [change])
    weekly = 1 - 0.5 ** (1 / 52)
    assert trans[R, R] == pytest.approx(6 / 7 - weekly)
    assert trans[R, F] == pytest.approx(1 / 7 + weekly)
    assert trans[R].sum() == pytest.approx(1)


def test_a_scenario_that_would_make_negative_numbers_is_refused():
    p = d.project_children(_history(), as_at=AS_AT, reference_start=START, years=1, population=POP)
    with pytest.raises(d.ScenarioError, match="negative"):
        d.apply_scenario(p.rates.transitions, p.rates.entry, [{"kind": "entry_rate", "percent": -150}])
    # everyone stepping down each year is more than the 6 in 7 who stay from week to week
    with pytest.raises(d.ScenarioError, match="negative numbers of children"):
        d.apply_scenario(p.rates.transitions, p.rates.entry,
                         [{"kind": "step_down", "from": "residential", "to": "fostering_agency", "percent": 100}])


def test_entry_rate_scenarios_scale_entries():
    p = d.project_children(_history(), as_at=AS_AT, reference_start=START, years=1, population=POP)
    _, entry = d.apply_scenario(p.rates.transitions, p.rates.entry, [{"kind": "entry_rate", "percent": -20}])
    assert entry[F] == pytest.approx(0.00025 * 0.8)


def test_resampled_intervals_are_the_same_for_the_same_seed_and_contain_the_central_projection():
    kw = dict(as_at=AS_AT, reference_start=START, years=2, population=POP, resamples=50, seed=3)
    a = d.project_children(_history(), **kw).as_json()
    b = d.project_children(_history(), **kw).as_json()
    assert a["lower"] == b["lower"] and a["upper"] == b["upper"]
    assert all(lo <= hi for lo, hi in zip(a["lower"]["total"], a["upper"]["total"], strict=True))


def test_agency_fostering_is_a_private_or_voluntary_provider():
    assert d.placement_of("U4", "PR4") == d.PLACEMENTS.index("fostering_agency")
    assert d.placement_of("U4", "PR1") == d.PLACEMENTS.index("fostering_in_house")
    assert d.placement_of("U4", None) == d.PLACEMENTS.index("fostering_in_house")
    assert d.placement_of("K2") == d.PLACEMENTS.index("residential")


def test_a_backtest_of_a_history_that_stood_still_has_no_error():
    kids = [(k, BORN_2014) for k in "abc"]
    eps = [(k, dt.date(2025, 1, 6), None, "C2", "K2", None) for k in "ab"] + \
        [("c", dt.date(2025, 1, 6), None, "C2", "U4", None)]
    h = d.History.from_records(kids, eps)
    bt = d.backtest(h, as_at=dt.date(2025, 6, 2), reference_start=dt.date(2025, 2, 3), years=1)
    assert bt.actual[0].tolist() == [1, 0, 2, 0, 0, 0]
    assert bt.mape()["residential"] == 0 and bt.mape()["total"] == 0
    assert bt.mape()["supported"] is None


def test_a_backtest_error_is_the_mean_absolute_percentage_error():
    bt = d.Backtest(dt.date(2024, 3, 31), [dt.date(2025, 3, 30), dt.date(2026, 3, 29)],
                    np.array([[11.0, 0, 9, 0, 0, 0], [12.0, 0, 9, 0, 0, 0]]),
                    np.array([[10.0, 0, 10, 0, 0, 0], [10.0, 0, 10, 0, 0, 0]]))
    # fostering: (10% + 20%) / 2 = 15%; residential 10%; total: |20-20|/20 and |21-20|/20 -> 2.5%
    assert bt.mape()["fostering_in_house"] == 15.0
    assert bt.mape()["residential"] == 10.0
    assert bt.mape()["total"] == 2.5
