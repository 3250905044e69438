"""Variance and financial RAG, checked against arithmetic done by hand."""

from decimal import Decimal

import pytest

from carestat.analytics.finance import (
    FinanceRag,
    Tolerances,
    format_money,
    format_thousands,
    rate,
    savings_position,
    total,
    variance,
)

D = Decimal


def test_an_overspend_is_forecast_minus_budget_and_its_percentage_of_budget():
    # 1,250,000 - 1,200,000 = 50,000; 50,000 / 1,200,000 = 4.1666...% -> 4.2%
    v = variance("1200000", "1250000")
    assert v.amount == D("50000.00")
    assert v.percent == D("4.2")
    assert v.rag is FinanceRag.RED  # above the default 3%
    assert v.words == "£50,000.00 overspend (4.2%)"


def test_an_underspend_is_negative_and_green():
    # 800,000 - 820,000 = -20,000; -20,000 / 820,000 = -2.439% -> -2.4%
    v = variance(820000, 800000)
    assert v.amount == D("-20000.00") and v.percent == D("-2.4")
    assert v.rag is FinanceRag.GREEN
    assert v.words == "£20,000.00 underspend (2.4%)"


def test_a_forecast_on_budget_is_green_and_says_so():
    v = variance("100.10", 100.1)
    assert v.amount == 0 and v.percent == D("0.0") and v.words == "on budget"


@pytest.mark.parametrize("forecast,expected", [
    ("101000", FinanceRag.GREEN),   # 1.0% exactly: the amber edge belongs to green
    ("101000.01", FinanceRag.AMBER),
    ("103000", FinanceRag.AMBER),   # 3.0% exactly: the red edge belongs to amber
    ("103040", FinanceRag.RED),     # 3.04% rounds to 3.0% but is over the tolerance
])
def test_the_tolerance_edges_belong_to_the_kinder_colour(forecast, expected):
    assert variance("100000", forecast, Tolerances(D("1"), D("3"))).rag is expected


def test_the_organisations_tolerances_change_the_colour():
    # 2% over: amber with 1/3, green with 2.5/5, red with 0.5/1.5
    assert variance(1000, 1020, Tolerances(D("1"), D("3"))).rag is FinanceRag.AMBER
    assert variance(1000, 1020, Tolerances(D("2.5"), D("5"))).rag is FinanceRag.GREEN
    assert variance(1000, 1020, Tolerances(D("0.5"), D("1.5"))).rag is FinanceRag.RED


def test_any_overspend_of_a_zero_budget_is_red_and_has_no_percentage():
    v = variance(0, 10)
    assert v.percent is None and v.rag is FinanceRag.RED
    assert rate(D("0"), D("0")) is FinanceRag.GREEN


def test_tolerances_must_rise_from_amber_to_red():
    with pytest.raises(ValueError):
        Tolerances(D("3"), D("1"))


def test_totals_ignore_blanks_and_money_is_formatted_with_pounds_and_thousands():
    assert total(["10.005", None, 5, "0.1"]) == D("15.11")  # 10.005 rounds half up to 10.01
    assert format_money(D("-1234.5")) == "-£1,234.50"
    assert format_thousands(D("2149500")) == "£2,150k"  # 2,149.5k rounds half up
    assert format_thousands(D("-499")) == "£0k" and format_thousands(D("-500")) == "-£1k"


def test_savings_delivered_against_target():
    # 750,000 of 2,100,000 = 35.714% -> 35.7%; shortfall 1,350,000
    s = savings_position("2100000", "750000")
    assert s.percent == D("35.7") and s.shortfall == D("1350000.00")
    assert savings_position(100, 120).shortfall == 0
    assert savings_position(0, 0).percent is None


# The cost model ----------------------------------------------------------------------------------

from carestat.analytics.finance import (  # noqa: E402
    Change,
    ChangeKind,
    Driver,
    PlacementGroup,
    placement_group,
    price_volume,
    project,
    share_of_year,
)

RESIDENTIAL = Driver("CS110", volume=D("40"), unit_cost=D("260000"), base_year="2026-27", inflation=D("5"),
                     budget_volume=D("36"))
YEARS = ["2026-27", "2027-28", "2028-29"]


def test_the_baseline_is_volume_times_a_unit_cost_that_inflates_each_year():
    # 40 x 260,000 = 10,400,000; 260,000 x 1.05 = 273,000 -> 10,920,000; x 1.05 = 286,650 -> 11,466,000
    assert [(y.unit_cost, y.cost) for y in project(RESIDENTIAL, YEARS)] == [
        (D("260000"), D("10400000")), (D("273000"), D("10920000")), (D("286650"), D("11466000"))]


def test_ten_fewer_residential_placements_from_q3_save_half_a_year_then_whole_years():
    scenario = [Change("CS110", ChangeKind.VOLUME, D("-10"), "2026-27-Q3")]
    # 2026-27: Q3 and Q4 are 2 of 4 quarters, so 40 - 10 x 0.5 = 35 children: 35 x 260,000 = 9,100,000
    # 2027-28: 30 x 273,000 = 8,190,000; 2028-29: 30 x 286,650 = 8,599,500
    rows = project(RESIDENTIAL, YEARS, scenario)
    assert [(y.volume, y.cost) for y in rows] == [(D("35"), D("9100000")), (D("30"), D("8190000")),
                                                   (D("30"), D("8599500"))]
    # the effect on each year: -1,300,000, -2,730,000, -2,866,500
    base = project(RESIDENTIAL, YEARS)
    assert [s.cost - b.cost for s, b in zip(rows, base, strict=True)] == [D("-1300000"), D("-2730000"),
                                                                          D("-2866500")]


def test_a_unit_cost_change_and_an_inflation_change_apply_from_when_they_say():
    # 3% dearer from 2027-28 Q1 with 2% inflation: 2026-27 40 x 260,000 = 10,400,000;
    # 2027-28: 260,000 x 1.02 = 265,200, x 1.03 = 273,156 -> 10,926,240
    changes = [Change("CS110", ChangeKind.UNIT_COST, D("3"), "2027-28-Q1"), Change("CS110", ChangeKind.INFLATION,
                                                                                    D("2"))]
    rows = project(RESIDENTIAL, YEARS[:2], changes)
    assert [y.cost for y in rows] == [D("10400000"), D("10926240")]
    assert project(RESIDENTIAL, YEARS[:1], [Change("CS999", ChangeKind.VOLUME, D("-40"))])[0].volume == 40


def test_share_of_year_counts_the_quarters_a_change_covers():
    assert [share_of_year("2026-27", f"2026-27-Q{q}") for q in (1, 2, 3, 4)] == [1, D("0.75"), D("0.5"), D("0.25")]
    assert share_of_year("2025-26", "2026-27-Q1") == 0 and share_of_year("2027-28", "2026-27-Q4") == 1


def test_price_and_volume_variance_add_up_to_the_variance():
    # budget 9,360,000 for 36 children = 260,000 each; now 40 children at 273,000 = 10,920,000
    # volume: (40 - 36) x 260,000 = 1,040,000; price: (273,000 - 260,000) x 40 = 520,000; total 1,560,000
    pv = price_volume("9360000", 36, 40, "273000")
    assert (pv.budget_unit_cost, pv.forecast, pv.volume_variance, pv.price_variance) == (
        D("260000"), D("10920000"), D("1040000"), D("520000"))
    assert pv.variance == D("1560000")
    assert price_volume(1000, 0, 1, 1) is None


def test_placement_codes_fall_into_groups():
    assert placement_group("K2") is PlacementGroup.RESIDENTIAL and placement_group("u4") is PlacementGroup.FOSTERING
    assert placement_group("H5") is PlacementGroup.SUPPORTED and placement_group("Z1") is PlacementGroup.OTHER
