import datetime as dt

import pytest

from carestat.analytics.calendar import Jurisdiction, calendar_for

D = dt.date


def test_jersey_liberation_day_is_not_a_working_day():
    jersey = calendar_for("jersey")
    assert jersey.holiday_name(D(2025, 5, 9)) == "Liberation Day"
    assert not jersey.is_working_day(D(2025, 5, 9))


def test_liberation_day_is_a_working_day_in_england():
    assert calendar_for("england").is_working_day(D(2025, 5, 9))


def test_st_andrews_day_substitute_is_a_holiday_only_in_scotland():
    assert not calendar_for("scotland").is_working_day(D(2025, 12, 1))
    assert calendar_for("england").is_working_day(D(2025, 12, 1))


def test_st_patricks_day_is_a_holiday_in_northern_ireland():
    assert not calendar_for(Jurisdiction.NORTHERN_IRELAND).is_working_day(D(2025, 3, 17))


def test_isle_of_man_tynwald_day():
    assert not calendar_for("isle_of_man").is_working_day(D(2025, 7, 7))


def test_same_day_is_zero_working_days():
    assert calendar_for("england").working_days_between(D(2025, 1, 6), D(2025, 1, 6)) == 0


def test_friday_to_monday_is_one_working_day():
    assert calendar_for("england").working_days_between(D(2025, 1, 10), D(2025, 1, 13)) == 1


def test_easter_2025_removes_good_friday_and_easter_monday():
    # Thu 17 Apr -> Tue 22 Apr: Fri 18 and Mon 21 are bank holidays, so only Tue 22 counts
    assert calendar_for("england").working_days_between(D(2025, 4, 17), D(2025, 4, 22)) == 1


def test_christmas_period_2024_in_england():
    # Mon 23 Dec 2024 -> Thu 2 Jan 2025: 24, 27, 30, 31 Dec and 2 Jan are working days
    assert calendar_for("england").working_days_between(D(2024, 12, 23), D(2025, 1, 2)) == 5


def test_scotland_has_second_of_january():
    assert calendar_for("scotland").working_days_between(D(2024, 12, 23), D(2025, 1, 2)) == 4


def test_working_days_are_antisymmetric():
    cal = calendar_for("wales")
    assert cal.working_days_between(D(2025, 5, 1), D(2025, 4, 1)) == -cal.working_days_between(
        D(2025, 4, 1), D(2025, 5, 1)
    )


def test_add_working_days_skips_bank_holidays():
    # 45 working days from Mon 3 Mar 2025 in England, skipping Good Friday and Easter Monday
    england = calendar_for("england")
    end = england.add_working_days(D(2025, 3, 3), 45)
    assert end == D(2025, 5, 8)
    assert england.working_days_between(D(2025, 3, 3), end) == 45


def test_add_working_days_in_jersey_also_skips_liberation_day():
    # 50 working days from Mon 3 Mar 2025 ends Thu 15 May in England, but Jersey also
    # stops for Liberation Day (Fri 9 May), so it ends a day later.
    assert calendar_for("england").add_working_days(D(2025, 3, 3), 50) == D(2025, 5, 15)
    assert calendar_for("jersey").add_working_days(D(2025, 3, 3), 50) == D(2025, 5, 16)


def test_unknown_jurisdiction_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Unknown jurisdiction 'france'.*jersey"):
        calendar_for("france")


def test_a_jurisdiction_is_looked_up_by_its_value_and_has_a_name_people_read():
    assert Jurisdiction("isle_of_man") is Jurisdiction.ISLE_OF_MAN
    assert Jurisdiction.ISLE_OF_MAN.label == "Isle of Man"
    assert [j.value for j in Jurisdiction][:2] == ["england", "wales"]
