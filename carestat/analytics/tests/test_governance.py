import datetime as dt

from carestat.analytics import governance as g

D = dt.date


def test_a_live_recommendation_past_its_due_date_is_overdue_but_not_on_the_day():
    assert g.is_overdue(g.OPEN, D(2026, 3, 31), D(2026, 4, 1))
    assert g.is_overdue(g.IN_PROGRESS, D(2026, 3, 31), D(2026, 4, 1))
    assert not g.is_overdue(g.OPEN, D(2026, 3, 31), D(2026, 3, 31))


def test_an_implemented_closed_or_rejected_recommendation_is_never_overdue():
    for status in (g.IMPLEMENTED, g.CLOSED, g.NOT_ACCEPTED):
        assert not g.is_overdue(status, D(2020, 1, 1), D(2026, 4, 1))


def test_closing_is_only_reached_through_implemented():
    assert not g.can_move(g.OPEN, g.CLOSED)
    assert g.can_move(g.IMPLEMENTED, g.CLOSED)
    assert g.can_move(g.CLOSED, g.IN_PROGRESS)
    assert not g.can_move(g.NOT_ACCEPTED, g.CLOSED)


def test_counts_by_source_add_up_live_overdue_extended_and_closed():
    today = D(2026, 12, 4)
    rows = [g.Row("external_auditor", g.OPEN, D(2026, 11, 30)),
            g.Row("external_auditor", g.IN_PROGRESS, D(2027, 3, 31), extended=True),
            g.Row("external_auditor", g.CLOSED, D(2026, 6, 30)),
            g.Row("scrutiny", g.IMPLEMENTED, D(2026, 10, 1)),
            g.Row("scrutiny", g.OPEN, D(2026, 12, 1))]
    counts = g.tracker_counts(rows, today)
    auditor = counts.by_source["external_auditor"]
    assert (auditor.total, auditor.live, auditor.overdue, auditor.extended, auditor.closed) == (3, 2, 1, 1, 1)
    scrutiny = counts.by_source["scrutiny"]
    assert (scrutiny.live, scrutiny.overdue, scrutiny.implemented) == (1, 1, 1)
    assert (counts.total.total, counts.total.overdue) == (5, 2)


def test_a_due_date_before_the_recommendation_was_made_is_out_of_order():
    assert not g.dates_in_order(D(2026, 5, 1), D(2026, 4, 30))
    assert g.dates_in_order(D(2026, 5, 1), D(2026, 5, 1))
