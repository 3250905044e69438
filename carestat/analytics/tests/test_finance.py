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
