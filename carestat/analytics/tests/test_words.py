from carestat.analytics.words import count_of, plural


def test_a_count_agrees_with_its_noun_and_drops_a_trailing_point_zero():
    assert count_of(1, "milestone") == "1 milestone"
    assert count_of(2, "milestone") == "2 milestones"
    assert count_of(3.0, "entry") == "3 entries"
    assert count_of(0, "match", "matches") == "0 matches"
    assert count_of(1200, "risk") == "1,200 risks"


def test_plural_forms():
    assert plural(2, "column") == "columns" and plural(1, "column") == "column"
    assert plural(2, "box") == "boxes" and plural(2, "day") == "days"


def test_a_figure_drops_a_whole_numbers_point_zero_and_keeps_real_decimals():
    from decimal import Decimal

    from carestat.analytics.words import figure

    assert [figure(12.0), figure(Decimal("57.0000")), figure(1234), figure(10.5), figure(None)] == [
        "12", "57", "1,234", "10.5", ""]
