"""The audit sample, allocation and figures, checked against hand arithmetic."""

import datetime as dt

import pytest

from carestat.analytics import quality as q
from carestat.analytics.pseudonymise import Pseudonymiser

SCALE = [v for v, _ in q.DEFAULT_SCALE]


def population():
    # North: 6 open + 2 closed; South: 4 open; East: 1 open
    cases = [q.Case(key=f"n{i}", team="North") for i in range(6)]
    cases += [q.Case(key=f"nc{i}", team="North", closed=True) for i in range(2)]
    cases += [q.Case(key=f"s{i}", team="South") for i in range(4)]
    cases += [q.Case(key="e0", team="East")]
    return cases


def test_each_stratum_gives_exactly_the_cases_asked_for():
    s = q.draw_sample(population(), stratify_by="team", requested={"North": 3, "South": 2}, seed=7)
    counts = {}
    for stratum, case in s.cases:
        counts[stratum] = counts.get(stratum, 0) + 1
        assert case.team == stratum
    assert counts == {"North": 3, "South": 2}
    assert s.eligible == {"East": 1, "North": 6, "South": 4}  # 8 North less 2 closed
    assert s.excluded == {"closed": 2, "recently_audited": 0}
    assert s.population == 13


def test_the_same_seed_draws_the_same_keys_whatever_order_the_population_comes_in():
    a = q.draw_sample(population(), stratify_by="team", requested={"North": 3, "South": 2}, seed=42)
    b = q.draw_sample(list(reversed(population())), stratify_by="team", requested={"North": 3, "South": 2}, seed=42)
    assert a.keys == b.keys
    draws = {tuple(q.draw_sample(population(), stratify_by="team", requested={"North": 3}, seed=s).keys)
             for s in range(20)}
    assert len(draws) > 1  # the seed matters


def test_a_stratum_draws_with_its_own_generator_so_it_can_be_checked_alone():
    import random

    s = q.draw_sample(population(), stratify_by="team", requested={"North": 3, "South": 2}, seed=42)
    north = sorted([c for c in population() if c.team == "North" and not c.closed], key=lambda c: c.key)
    expected = sorted(c.key for c in random.Random("42:North").sample(north, 3))
    assert [c.key for st, c in s.cases if st == "North"] == expected


def test_closed_and_recently_audited_cases_are_never_sampled():
    last = {"n0": dt.date(2026, 10, 1), "n1": dt.date(2025, 1, 1)}
    for seed in range(30):
        s = q.draw_sample(population(), stratify_by="team", requested={"North": 5}, seed=seed,
                          exclusions=q.Exclusions(closed=True, audited_within_months=6), last_audited=last,
                          as_of=dt.date(2026, 12, 4))
        assert "n0" not in s.keys and "nc0" not in s.keys and "nc1" not in s.keys
        assert s.excluded == {"closed": 2, "recently_audited": 1}


def test_a_stratum_asked_for_more_than_it_holds_is_refused_naming_it():
    with pytest.raises(q.SampleError, match="Stratum ‘North’ asks for 7 cases but has only 6 eligible"):
        q.draw_sample(population(), stratify_by="team", requested={"North": 7}, seed=1)
    with pytest.raises(q.SampleError, match="no stratum ‘West’"):
        q.draw_sample(population(), stratify_by="team", requested={"West": 1}, seed=1)


def test_proportional_shares_follow_the_strata_sizes_by_largest_remainder():
    # 10 of 20: North 12 -> 6, South 5 -> 2.5, East 3 -> 1.5; remainders .5 .5 go to East, South by name
    assert q.proportional({"East": 3, "North": 12, "South": 5}, 10) == {"East": 2, "North": 6, "South": 2}


def test_share_good_counts_outstanding_and_good_only():
    # 2 outstanding + 3 good of 8 graded (blank ignored) = 5/8 = 62.5%
    grades = ["outstanding", "outstanding", "good", "good", "good", "requires_improvement", "inadequate",
              "inadequate", ""]
    s = q.share_good(grades, SCALE)
    assert (s.good, s.total, s.percent) == (5, 8, q.percent(5, 8))
    assert str(s.percent) == "62.5"


def test_agreement_counts_questions_both_graded_the_same():
    pairs = [("A1", "good", "good"), ("A1", "good", "inadequate"), ("A1", "good", ""), ("A2", "good", "good")]
    a = q.agreement(pairs)
    assert (a["A1"].good, a["A1"].total) == (1, 2)
    assert (a["A2"].good, a["A2"].total) == (1, 1)


def test_no_case_goes_to_its_workers_manager_and_peers_never_audit_their_own_team():
    cases = [q.Case(key=f"k{i}", team="North" if i % 2 else "South", manager="mo@x" if i < 3 else "")
             for i in range(8)]
    auditors = [q.Auditor(1, "mo@x", team="North"), q.Auditor(2, "sue@x", team="South", manages="South"),
                q.Auditor(3, "al@x", team="East")]
    primary, moderation = q.allocate(cases, auditors, peer=True, moderation_percent=25, seed=3)
    for c in cases:
        assert primary[c.key] != 1 or (not c.manager and c.team != "North")
        assert not (primary[c.key] == 2 and c.team == "South")
    assert len(moderation) == 2  # 25% of 8
    assert all(moderation[k] != primary[k] for k in moderation)


def test_an_uploaded_case_list_with_an_unknown_team_is_refused_whole():
    content = b"person_id,team,work_type\nP1,North,review\nP2,Nowhere,review\nP3,North,\n"
    with pytest.raises(q.CaseListInvalid) as exc:
        q.read_case_list(content, "cases.csv", teams=["North"], keyer=Pseudonymiser("k" * 16), kind="adult")
    assert [(p.row, p.column) for p in exc.value.problems] == [(3, "team"), (4, "work_type")]
    assert "cases.csv, row 3, column team: ‘Nowhere’ is not one of the organisation's teams" in str(exc.value)


def test_reidentify_maps_keys_back_with_the_same_keyed_hash_as_ingest():
    keyer = Pseudonymiser("a-deployment-secret-key")
    k = keyer("P1", kind="adult")
    sample = f"key,stratum\n{k},North\nunknown,North\n".encode()
    rows = q.reidentify(b"person_id,case_reference\np1 ,CASE-001\nP2,CASE-002\n", "list.csv", sample, "s.csv",
                        keyer=keyer)
    assert rows == [{"key": k, "stratum": "North", "case_reference": "CASE-001"},
                    {"key": "unknown", "stratum": "North", "case_reference": ""}]
