"""Each children's measure against hand-worked figures (England's calendar, 2023-24).

England's bank holidays used below: 2023: 1 May, 8 May (coronation), 29 May, 28 Aug,
25 and 26 Dec; 2024: 1 Jan, 29 Mar (Good Friday), 1 Apr (Easter Monday).
"""

from __future__ import annotations

from carestat.analytics.measures.children import compute_children_measures

from .conftest import D, cin_child, lac_child, referral, write_903, write_cin


def headline(store, code, period="2023-24"):
    [r] = [r for r in compute_children_measures(store, period, "england", [code])
           if not r.breakdown]
    return r.numerator, r.denominator, r.value


def breakdown(store, code, by, period="2023-24"):
    return {dict(r.breakdown)[by]: (r.numerator, r.denominator)
            for r in compute_children_measures(store, period, "england", [code])
            if r.breakdown and r.breakdown[0][0] == by}


def test_assessments_within_45_working_days_count_bank_holidays(load, store, tmp_path):
    children = [
        # Start Fri 28 Apr 2023. Working days after it: May has 23 weekdays less 3 bank
        # holidays = 20; June adds 22 (42); 3, 4, 5 July make 43, 44, 45.
        cin_child("A1", referral(D(2023, 4, 27), assessments=[(D(2023, 4, 28),
                                                                 D(2023, 7, 5))])),
        # ... so authorised on 6 July is 46 working days: late. (Ignoring the bank holidays
        # both would be late: 5 July would be 48.)
        cin_child("A2", referral(D(2023, 4, 27), assessments=[(D(2023, 4, 28),
                                                                 D(2023, 7, 6))])),
        # Spans the year boundary: started Thu 30 Mar 2023 (in 2022-23), authorised Tue 4 Apr
        # 2023: 31 Mar, 3 Apr, 4 Apr = 3 working days. In both years' census; counted once.
        cin_child("A3", referral(D(2023, 3, 29), assessments=[(D(2023, 3, 30),
                                                                 D(2023, 4, 4))]), sex="2"),
        # authorised 2 Apr 2024: outside 2023-24
        cin_child("A4", referral(D(2024, 3, 1), assessments=[(D(2024, 3, 4),
                                                                D(2024, 4, 2))])),
    ]
    load(write_cin(tmp_path, 2023, children))
    load(write_cin(tmp_path, 2024, children))
    # A1, A2, A3 authorised in 2023-24; A1 and A3 within 45 working days: 2 / 3
    assert headline(store, "CIN-ASSESS-45WD") == (2, 3, 66.666667)
    assert breakdown(store, "CIN-ASSESS-45WD", "sex") == {"male": (1, 2), "female": (1, 1)}
    # dob 15 June 2012: 11 at 31 March 2024
    assert breakdown(store, "CIN-ASSESS-45WD", "age_band") == {"10-15": (2, 3)}


def test_icpcs_within_15_working_days_of_the_section_47_start(load, store, tmp_path):
    children = [
        # S47 Fri 15 Dec 2023: 18-22 Dec (5), 27-29 Dec (8), 2-5 Jan (12), 8, 9, 10 Jan = 15
        cin_child("S1", referral(D(2023, 12, 14), need="N2",
                                 s47=[(D(2023, 12, 15), D(2024, 1, 10))])),
        # ICPC Thu 11 Jan 2024 = 16 working days: late
        cin_child("S2", referral(D(2023, 12, 14), s47=[(D(2023, 12, 15), D(2024, 1, 11))])),
        # no ICPC needed: not in the measure
        cin_child("S3", referral(D(2023, 12, 14), s47=[(D(2023, 12, 15), None)])),
        # S47 Thu 7 Mar 2024, ICPC Thu 28 Mar: 8 Mar (1), 11-15 (6), 18-22 (11), 25-28 (15)
        cin_child("S4", referral(D(2024, 3, 6), s47=[(D(2024, 3, 7), D(2024, 3, 28))])),
    ]
    load(write_cin(tmp_path, 2024, children))
    assert headline(store, "CIN-ICPC-15WD") == (2, 3, 66.666667)
    assert breakdown(store, "CIN-ICPC-15WD", "category_of_need") == {"N1": (1, 2),
                                                                     "N2": (1, 1)}


def test_cp_plans_lasting_two_years_count_from_the_second_anniversary(load, store, tmp_path):
    children = [
        # 10 Jan 2022 to 10 Jan 2024: ends on the second anniversary, counts
        cin_child("C1", referral(D(2021, 12, 1), cpps=[(D(2022, 1, 10), D(2024, 1, 10))])),
        # 11 Jan 2022 to 10 Jan 2024: a day short
        cin_child("C2", referral(D(2021, 12, 1), cpps=[(D(2022, 1, 11), D(2024, 1, 10))])),
        # still open: not in the measure
        cin_child("C3", referral(D(2021, 12, 1), cpps=[(D(2022, 1, 11), None)])),
        # ended 2 Apr 2024: next year
        cin_child("C4", referral(D(2023, 12, 1), cpps=[(D(2023, 12, 4), D(2024, 4, 2))])),
    ]
    load(write_cin(tmp_path, 2024, children))
    assert headline(store, "CIN-CPP-2YR") == (1, 2, 50.0)


def _rereferral_children():
    return [
        # referred 1 Jun 2023 (closed 20 Jun) and again 1 Feb 2024: the second is a
        # re-referral; both start in 2023-24
        cin_child("R1", referral(D(2023, 6, 1), closure=D(2023, 6, 20)),
                  referral(D(2024, 2, 1), need="N2"), dob=D(2010, 5, 15)),
        # referred 10 Sep 2022 (previous year's census only) and 10 Sep 2023: exactly
        # 12 months apart, so a re-referral
        cin_child("R2", referral(D(2022, 9, 10), closure=D(2022, 10, 1)),
                  referral(D(2023, 9, 10))),
        # 9 Sep 2022 and 10 Sep 2023: 12 months and a day, not a re-referral
        cin_child("R3", referral(D(2022, 9, 9), closure=D(2022, 10, 1)),
                  referral(D(2023, 9, 10))),
    ]


def test_re_referrals_use_the_previous_years_census(load, store, tmp_path):
    children = _rereferral_children()
    load(write_cin(tmp_path, 2024, children))
    # without 2022-23's census only R1's second referral is seen as a re-referral: 1 / 4
    assert headline(store, "CIN-REREF-12M") == (1, 4, 25.0)
    load(write_cin(tmp_path, 2023, children))
    # with it, R2's is too: 2 / 4
    assert headline(store, "CIN-REREF-12M") == (2, 4, 50.0)
    assert breakdown(store, "CIN-REREF-12M", "category_of_need") == {"N1": (1, 3),
                                                                     "N2": (1, 1)}
    # R1 born May 2010: 13 at 31 March 2024; R2, R3 born June 2012: 11
    assert breakdown(store, "CIN-REREF-12M", "age_band") == {"10-15": (2, 4)}


def _looked_after_children():
    x1 = "X1"
    return [
        # L1: in care since 2020 (only the episode from 10 Jan 2021 is in the files), same
        # carers since then
        lac_child("L1", [(D(2020, 6, 1), "S", "C2", "U1", D(2021, 1, 10), x1),
                         (D(2021, 1, 10), "P", "C2", "U3", None, None)]),
        # L2: care from 1 Mar 2021; T (same carers) and L (legal status) keep the placement
        lac_child("L2", [(D(2021, 3, 1), "S", "C2", "U1", D(2022, 6, 1), x1),
                         (D(2022, 6, 1), "T", "C2", "U4", D(2023, 5, 1), x1),
                         (D(2023, 5, 1), "L", "C1", "U4", None, None)], dob=D(2015, 7, 1)),
        # L3: care from 1 May 2021, new carers 1 Sep 2022 (an episode open over 31 Mar 2023)
        lac_child("L3", [(D(2021, 5, 1), "S", "C2", "U1", D(2022, 9, 1), x1),
                         (D(2022, 9, 1), "P", "C2", "U5", None, None)]),
        # L4: care from 20 Apr 2023 then P, B, U moves: 4 placements in the year
        lac_child("L4", [(D(2023, 4, 20), "S", "C2", "U1", D(2023, 6, 1), x1),
                         (D(2023, 6, 1), "P", "C2", "U3", D(2023, 9, 1), x1),
                         (D(2023, 9, 1), "B", "C1", "K2", D(2024, 1, 15), x1),
                         (D(2024, 1, 15), "U", "C2", "K2", None, None)]),
        # L5: S, P, T in the year: exactly 3 placements
        lac_child("L5", [(D(2023, 5, 1), "S", "V2", "U1", D(2023, 6, 1), x1),
                         (D(2023, 6, 1), "P", "V2", "U3", D(2023, 7, 1), x1),
                         (D(2023, 7, 1), "T", "V2", "U3", None, None)]),
        # L6: a move ON 1 April is the placement in force on 1 April, not a move after it:
        # 1 + (1 Aug) = 2 placements
        lac_child("L6", [(D(2022, 12, 1), "S", "C2", "U1", D(2023, 4, 1), x1),
                         (D(2023, 4, 1), "P", "C2", "U3", D(2023, 8, 1), x1),
                         (D(2023, 8, 1), "P", "C2", "U4", None, None)]),
        # L7: a short break (V3) open on 31 March 2024: not counted
        lac_child("L7", [(D(2024, 3, 28), "S", "V3", "K2", None, None)]),
        # L8: left care on 31 March 2024 itself: not looked after at the end of the day
        lac_child("L8", [(D(2022, 5, 1), "S", "C2", "U1", D(2024, 3, 31), "E4A")]),
        # L9: 16 at 31 March 2024 (born March 2008): too old for long-term stability
        lac_child("L9", [(D(2019, 1, 1), "S", "C2", "U1", None, None)], dob=D(2008, 3, 15)),
        # L10: 15 at 31 March 2024 (born April 2008), same placement since 2019
        lac_child("L10", [(D(2019, 1, 1), "S", "C2", "U1", None, None)],
                  dob=D(2008, 4, 10), sex="2"),
    ]


def test_children_looked_after_at_the_end_of_the_year(load, store, tmp_path):
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    # open on 31 Mar 2024 and not V3/V4: L1-L6, L9, L10
    assert headline(store, "LAC-COUNT")[0] == 8
    # open on 31 Mar 2023: L1, L2, L3, L6 (to 1 Apr), L8, L9, L10
    assert headline(store, "LAC-COUNT", "2022-23")[0] == 7
    assert breakdown(store, "LAC-COUNT", "sex") == {"male": (7, None), "female": (1, None)}
    # ages at 31 Mar 2024: L1, L3-L8 born Jan 2012 (12), L2 (8), L9 (16), L10 (15)
    assert breakdown(store, "LAC-COUNT", "age_band") == {
        "5-9": (1, None), "10-15": (6, None), "16+": (1, None)}


def test_three_or_more_placements_in_the_year(load, store, tmp_path):
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    # L4 (4) and L5 (3) of the 8
    assert headline(store, "LAC-3PLUS-PLACEMENTS") == (2, 8, 25.0)


def test_long_term_placement_stability(load, store, tmp_path):
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    # under 16 and in care since 30 Sep 2021 or before: L1 (from 10 Jan 2021 as far as the
    # data show), L2, L3, L10. Same placement since 31 Mar 2022 or before: L1, L2 (T and L
    # do not change carers), L10; not L3 (new carers Sep 2022): 3 / 4
    assert headline(store, "LAC-LT-STABILITY") == (3, 4, 75.0)


def test_the_one_query_path_matches_the_registry_runner(load, store, tmp_path):
    from carestat.analytics.measures.base import MeasureContext, compute_measures
    from carestat.analytics.measures.children import CHILDREN_CODES
    from carestat.analytics.periods import parse_period

    load(write_cin(tmp_path, 2024, [c for c in _rereferral_children()]))
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    period = parse_period("2023-24")
    ctx = MeasureContext(period=period, tables=store.current_tables(),
                         working_days=store.working_days_table("england"),
                         backend=store.backend)
    generic = compute_measures(store.backend, ctx, CHILDREN_CODES)
    fast = compute_children_measures(store, period, "england")
    strip = lambda r: (r.code, r.breakdown, r.numerator, r.denominator, r.value)  # noqa: E731
    assert sorted(map(strip, fast)) == sorted(map(strip, generic))


def test_one_compiled_query_serves_every_period_in_turn(load, store, tmp_path):
    """The figures query reads the period from a table and is prepared once per connection:
    computing period after period must give each period's own figures, not the first's."""
    from carestat.analytics.measures import children
    from carestat.analytics.measures.base import MeasureContext, compute_measures
    from carestat.analytics.measures.children import CHILDREN_CODES
    from carestat.analytics.periods import parse_period

    load(write_cin(tmp_path, 2024, [c for c in _rereferral_children()]))
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    strip = lambda r: (r.code, r.breakdown, r.numerator, r.denominator, r.value)  # noqa: E731
    seen = []
    for label in ("2023-24", "2022-23", "2023-24-Q4", "2023-24"):
        period = parse_period(label)
        fast = compute_children_measures(store, period, "england")
        ctx = MeasureContext(period=period, tables=store.current_tables(),
                             working_days=store.working_days_table("england"),
                             backend=store.backend)
        assert sorted(map(strip, fast)) == \
            sorted(map(strip, compute_measures(store.backend, ctx, CHILDREN_CODES)))
        seen.append(sorted(map(strip, fast)))
    assert seen[0] == seen[3] != seen[1]  # each period its own figures
    prepared = store.backend.__dict__["_carestat_prepared"]
    assert len(prepared) == 1 and len(children._SQL_CACHE) >= 1


def test_current_tables_key_children_by_a_number_from_their_pseudonymised_key(load, store,
                                                                                 tmp_path):
    load(write_903(tmp_path, [2024], _looked_after_children()))
    pairs = store.con.execute(
        "SELECT DISTINCT e.child_key, c.child_key FROM lac_episodes e JOIN current_lac_episodes c "
        "ON c.decom = e.decom AND c.child_key = try_cast('0x' || left(e.child_key, 15) AS BIGINT)"
    ).fetchall()
    assert pairs and all(number == int(key[:15], 16) for key, number in pairs)
    assert store.con.execute("SELECT count(*) FROM current_lac_episodes").fetchone() == \
        store.con.execute("SELECT count(*) FROM lac_episodes").fetchone()


def test_a_prepared_figures_query_sees_returns_loaded_after_it_was_prepared(load, store, tmp_path):
    """Loading rebuilds the current tables; the statement prepared before must read the new
    ones (DuckDB rebinds it), giving what a fresh connection gives."""
    from carestat.analytics.measures import children
    from carestat.analytics.store import Store

    load(write_cin(tmp_path, 2024, [c for c in _rereferral_children()]))
    before = {(r.code, r.breakdown): r.denominator
              for r in compute_children_measures(store, "2023-24", "england")}
    assert store.backend.__dict__["_carestat_prepared"]
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    after = {(r.code, r.breakdown): (r.numerator, r.denominator)
             for r in compute_children_measures(store, "2023-24", "england")}
    assert after[("LAC-COUNT", ())][0] > 0 == (before.get(("LAC-COUNT", ())) or 0)
    children._SQL_CACHE.clear()  # a cold start gives the same figures
    fresh = Store(None)
    try:
        for table in ("cin_children", "cin_referrals", "cin_assessments", "cin_section47",
                      "cin_cp_plans", "lac_children", "lac_episodes"):
            rows = store.con.execute(f"SELECT * FROM current_{table}").arrow()
            rows = rows.read_all() if hasattr(rows, "read_all") else rows
            fresh.con.register("_rows", rows)
            fresh.con.execute(f"INSERT INTO current_{table} SELECT * FROM _rows")
            fresh.con.unregister("_rows")
        cold = {(r.code, r.breakdown): (r.numerator, r.denominator)
                for r in compute_children_measures(fresh, "2023-24", "england")}
    finally:
        fresh.close()
    assert cold == after
