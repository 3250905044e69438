import datetime as dt

import pytest

from carestat.analytics.periods import (
    PeriodError,
    PeriodKind,
    financial_year_of,
    parse_period,
    periods_within,
    previous_period,
    quarter_of,
    same_period_last_year,
)

D = dt.date


def test_financial_year_runs_from_april_to_march():
    p = parse_period("2024-25")
    assert (p.start, p.end, p.kind) == (D(2024, 4, 1), D(2025, 3, 31), PeriodKind.YEAR)


def test_second_quarter_is_july_to_september():
    p = parse_period("2024-25-Q2")
    assert (p.start, p.end) == (D(2024, 7, 1), D(2024, 9, 30))


def test_fourth_quarter_is_january_to_march_of_the_next_calendar_year():
    p = parse_period("2024-25-Q4")
    assert (p.start, p.end) == (D(2025, 1, 1), D(2025, 3, 31))


def test_month_identifier_covers_the_calendar_month_including_leap_day():
    p = parse_period("2024-02")
    assert (p.start, p.end, p.kind) == (D(2024, 2, 1), D(2024, 2, 29), PeriodKind.MONTH)


def test_half_years():
    assert parse_period("2024-25-H2").start == D(2024, 10, 1)
    assert parse_period("2024-25-H1").end == D(2024, 9, 30)


@pytest.mark.parametrize("bad", ["2024-26", "2024-13-Q1", "2024-25-Q5", "24-25", "", "2024-00"])
def test_nonsense_identifiers_are_refused_with_the_accepted_forms(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_a_financial_year_with_the_wrong_second_part_says_what_it_should_be():
    with pytest.raises(PeriodError, match="should be 25"):
        parse_period("2024-26-Q1")


def test_day_lookups():
    assert financial_year_of(D(2025, 3, 31)).label == "2024-25"
    assert financial_year_of(D(2025, 4, 1)).label == "2025-26"
    assert quarter_of(D(2025, 2, 14)).label == "2024-25-Q4"


def test_previous_and_same_period_last_year():
    assert previous_period(parse_period("2024-25-Q1")).label == "2023-24-Q4"
    assert previous_period(parse_period("2025-01")).label == "2024-12"
    assert same_period_last_year(parse_period("2024-25-Q2")).label == "2023-24-Q2"
    assert previous_period(parse_period("2024-25")).label == "2023-24"


def test_a_year_has_four_quarters_and_twelve_months():
    year = parse_period("2024-25")
    assert [p.label for p in periods_within(year, PeriodKind.QUARTER)] == [
        "2024-25-Q1", "2024-25-Q2", "2024-25-Q3", "2024-25-Q4",
    ]
    months = periods_within(year, PeriodKind.MONTH)
    assert len(months) == 12 and months[0].label == "2024-04" and months[-1].label == "2025-03"


def test_titles_read_as_people_say_them():
    assert parse_period("2024-25-Q2").title == "2024-25 Q2 (July 2024 to September 2024)"
    assert parse_period("2024-09").title == "September 2024"


def test_a_financial_year_begins_on_1_april_and_is_labelled_by_its_two_years():
    from carestat.analytics.periods import financial_year_bounds, financial_year_label, financial_year_start

    assert [financial_year_start(d) for d in (dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 12, 31))] \
        == [2024, 2025, 2025]
    assert financial_year_label(2024) == "2024-25" and financial_year_label(2099) == "2099-00"
    assert financial_year_bounds(2024) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
