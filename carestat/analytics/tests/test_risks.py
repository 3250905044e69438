"""Risk scoring on a matrix, bands, appetite and the register's flags."""

import datetime as dt

import pytest

from carestat.analytics import risks as r


def test_a_score_is_likelihood_times_impact_on_the_default_five_by_five():
    assert r.DEFAULT_MATRIX.score(4, 5) == 20
    assert r.DEFAULT_MATRIX.max_score == 25


def test_a_level_outside_the_matrix_is_refused_naming_the_field_and_the_range():
    with pytest.raises(r.ScoreError) as exc:
        r.DEFAULT_MATRIX.score(6, 2)
    assert exc.value.field == "likelihood"
    assert "from 1 (Rare) to 5 (Almost certain); 6 is outside the matrix" in exc.value.message
    with pytest.raises(r.ScoreError) as exc:
        r.DEFAULT_MATRIX.score(2, 0)
    assert exc.value.field == "impact"


def test_a_claimed_score_that_is_not_the_product_is_impossible():
    with pytest.raises(r.ScoreError) as exc:
        r.DEFAULT_MATRIX.score(3, 4, claimed=13)
    assert exc.value.field == "score" and "score 12, not 13" in exc.value.message
    assert r.DEFAULT_MATRIX.score(3, 4, claimed=12) == 12


def test_bands_run_from_each_threshold_up_to_the_next():
    m = r.DEFAULT_MATRIX
    assert [m.band_for(s).label for s in (1, 4, 5, 9, 10, 14, 15, 25)] == [
        "Low", "Low", "Medium", "Medium", "High", "High", "Very high", "Very high"]
    assert m.band_for(16).rag == "red"


def test_a_matrix_with_bands_out_of_order_or_above_the_top_score_is_refused():
    names = ("A", "B", "C")
    with pytest.raises(r.ScoreError, match="must start above"):
        r.build_matrix(names, names, [r.Band("Low", 1, "green"), r.Band("High", 1, "red")])
    with pytest.raises(r.ScoreError, match="above the highest score \\(9\\)"):
        r.build_matrix(names, names, [r.Band("Low", 1, "green"), r.Band("High", 10, "red")])
    with pytest.raises(r.ScoreError, match="different name"):
        r.build_matrix(("A", "a", "C"), names, [r.Band("Low", 1, "green")])
    m = r.build_matrix(("Low", "Medium", "High"), names, [r.Band("Low", 1, "green"), r.Band("High", 6, "red")])
    assert m.max_score == 9 and m.band_for(6).label == "High"


def test_above_appetite_only_when_the_current_score_exceeds_the_categorys_maximum():
    assert r.above_appetite(12, 6)
    assert not r.above_appetite(6, 6)
    assert not r.above_appetite(None, 6)


def test_worsening_compares_the_latest_current_score_with_the_one_before():
    assert r.worsening([9, 12])
    assert not r.worsening([12, 9])
    assert not r.worsening([12])
    assert r.movement(None, 9) == r.Movement.NEW and r.movement(12, 9) == r.Movement.DOWN


def test_the_next_review_moves_on_by_the_frequency_keeping_to_the_months_last_day():
    assert r.next_review(dt.date(2026, 1, 31), "quarterly") == dt.date(2026, 4, 30)
    assert r.next_review(dt.date(2026, 11, 30), "monthly") == dt.date(2026, 12, 30)
    assert r.next_review(dt.date(2026, 8, 31), "six_monthly") == dt.date(2027, 2, 28)


def test_flags_for_a_closed_risk_are_all_off():
    today = dt.date(2026, 12, 1)
    open_ = r.flags(current_scores=[9, 16], appetite_max=6, next_review_on=dt.date(2026, 11, 1), today=today,
                    is_open=True, indicator_alert=True)
    assert open_.words() == ["Above appetite", "Worsening", "Review overdue", "Indicator alert"]
    assert open_.needs_review
    closed = r.flags(current_scores=[9, 16], appetite_max=6, next_review_on=dt.date(2026, 11, 1), today=today,
                     is_open=False, indicator_alert=True)
    assert closed.words() == [] and not closed.needs_review
