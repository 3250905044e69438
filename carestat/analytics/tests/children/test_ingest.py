"""Loading: unreadable files, rejection, quarantine, duplicates, supersession, privacy."""

from __future__ import annotations

import pytest

from carestat.analytics.ingest import SubmissionRejected, add_years
from carestat.analytics.measures.children import compute_children_measures
from carestat.analytics.problems import UnreadableFile

from .conftest import D, cin_child, lac_child, referral, write_903, write_cin


def test_a_file_that_is_not_xml_is_unreadable(load, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text("this is not XML")
    with pytest.raises(UnreadableFile) as info:
        load(path)
    assert info.value.file == "census.xml"
    assert "not well-formed XML" in info.value.message


def test_an_xml_file_with_the_wrong_root_is_unreadable(load, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text("<Workforce><Header/></Workforce>")
    with pytest.raises(UnreadableFile, match="root element is <Workforce>"):
        load(path)


def test_a_cin_census_whose_header_has_no_year_is_unreadable_naming_the_year(load, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text("<Message><Header><CollectionDetails><Year>twenty</Year>"
                    "<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header>"
                    "<Children/></Message>")
    with pytest.raises(UnreadableFile) as info:
        load(path)
    assert info.value.location == "/Message/Header/CollectionDetails/Year"
    assert "no valid <Year>" in info.value.message


def test_a_cin_census_with_children_before_its_header_is_unreadable(load, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text("<Message><Children><Child/></Children></Message>")
    with pytest.raises(UnreadableFile, match="children appear before the <Header>"):
        load(path)


def test_a_903_episodes_file_missing_required_columns_is_unreadable(load, tmp_path):
    path = tmp_path / "SSDA903_2024_episodes.csv"
    path.write_text("CHILD,DECOM,RNE\n1,01/04/2023,S\n")
    with pytest.raises(UnreadableFile) as info:
        load(path)
    assert info.value.file == "SSDA903_2024_episodes.csv"
    assert "LS, CIN, PLACE, DEC, REC" in info.value.message


def test_a_903_file_without_a_year_is_unreadable_unless_the_caller_gives_one(load, tmp_path):
    path = tmp_path / "episodes.csv"
    path.write_text("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n"
                    "1,01/05/2023,S,C2,N1,U1,,\n")
    with pytest.raises(UnreadableFile, match="collection year"):
        load(path)
    assert load(path, year=2024).rows["lac_episodes"] == 1


def test_a_bad_date_in_one_903_episode_row_rejects_the_submission_naming_row_and_field(
        load, store, tmp_path):
    path = tmp_path / "SSDA903_2024_episodes.csv"
    path.write_text("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n"
                    "1,01/05/2023,S,C2,N1,U1,,\n"
                    "2,31/02/2024,S,C2,N1,U1,,\n"
                    "3,2024-01-10,S,C2,N1,U1,,\n")
    with pytest.raises(SubmissionRejected) as info:
        load(path)
    errors = [(p.rule, p.location, p.field) for p in info.value.report.errors]
    # 31 February does not exist; 2024-01-10 is not dd/mm/yyyy (header is row 1)
    assert errors == [("141", "row 3", "DECOM"), ("141", "row 4", "DECOM")]
    assert "row 3" in str(info.value) and "DECOM" in str(info.value)
    assert store.submissions() == []
    assert store.con.execute("SELECT count(*) FROM lac_episodes").fetchone() == (0,)


def _census_with_a_bad_child(tmp_path):
    good = cin_child("G1", referral(D(2023, 5, 2), assessments=[(D(2023, 5, 3),
                                                                   D(2023, 5, 10))]))
    # authorised before it started: rule 8608
    bad = cin_child("B1", referral(D(2023, 6, 1), assessments=[(D(2023, 6, 20),
                                                                  D(2023, 6, 5))]))
    return write_cin(tmp_path, 2024, [good, bad])


def test_rule_errors_reject_the_submission_and_store_nothing(load, store, tmp_path):
    with pytest.raises(SubmissionRejected) as info:
        load(_census_with_a_bad_child(tmp_path))
    assert [p.rule for p in info.value.report.errors] == ["8608"]
    assert info.value.result.status == "rejected"
    assert store.con.execute("SELECT count(*) FROM cin_children").fetchone() == (0,)


def test_accepting_with_errors_quarantines_the_child_and_measures_say_so(load, store,
                                                                         tmp_path):
    result = load(_census_with_a_bad_child(tmp_path), accept_with_errors=True)
    assert result.quarantined_records == 1
    assert result.quarantine_reasons == {"8608": 1}
    assert result.rows["cin_children"] == 1  # only G1
    assert store.con.execute("SELECT count(*), max(rule) FROM quarantine").fetchone() == \
        (1, "8608")
    [assess] = [r for r in compute_children_measures(store, "2023-24", "england",
                                                     ["CIN-ASSESS-45WD"]) if not r.breakdown]
    # G1 alone: 5 working days, within 45
    assert (assess.numerator, assess.denominator) == (1, 1)
    assert assess.extra["excluded_records"] == 1
    assert assess.extra["exclusion_reasons"] == {"8608": 1}


def test_loading_the_same_file_twice_changes_nothing(load, store, tmp_path):
    path = write_cin(tmp_path, 2024, [cin_child("G1", referral(D(2023, 5, 2)))])
    first = load(path)
    again = load(path)
    assert again.duplicate and again.status == "duplicate"
    assert again.submission_id == first.submission_id
    assert len(store.submissions()) == 1
    assert store.con.execute("SELECT count(*) FROM cin_referrals").fetchone() == (1,)


def test_a_newer_submission_for_the_same_period_supersedes_the_older(load, store, tmp_path):
    first = load(write_cin(tmp_path, 2024, [cin_child("G1", referral(D(2023, 5, 2)))]))
    (tmp_path / "v2").mkdir()
    second = load(write_cin(tmp_path / "v2", 2024, [
        cin_child("G1", referral(D(2023, 5, 2))), cin_child("G2", referral(D(2023, 7, 3)))]))
    assert second.superseded == [first.submission_id]
    statuses = {s["id"]: (s["status"], s["superseded_by"]) for s in store.submissions()}
    assert statuses == {first.submission_id: ("superseded", second.submission_id),
                        second.submission_id: ("current", None)}
    current = store.backend.execute(store.current_tables()["cin_referrals"].count())
    assert current == 2  # the older one's row is kept in history but not current
    assert store.con.execute("SELECT count(*) FROM cin_referrals").fetchone() == (3,)


def test_identifiers_are_hashed_and_names_postcodes_and_full_birth_dates_are_not_kept(
        load, store, tmp_path, pseudonymiser):
    child = cin_child("LA-CHILD-77", referral(D(2023, 5, 2)), dob=D(2015, 8, 23))
    child["upn"] = "A123456789012"
    load(write_cin(tmp_path, 2024, [child]))
    row = store.con.execute("SELECT child_key, upn_key, birth_ym FROM cin_children").fetchone()
    assert row == (pseudonymiser("LA-CHILD-77", kind="child"),
                   pseudonymiser("A123456789012", kind="upn"), 2015 * 12 + 7)
    dump = str(store.con.execute("SELECT * FROM cin_children, cin_referrals").fetchall())
    assert "LA-CHILD-77" not in dump and "A123456789012" not in dump and "23" not in \
        str(row[2])
    lac = lac_child("LA-CHILD-77", [(D(2023, 5, 1), "S", "C2", "U1", None, None)])
    load(write_903(tmp_path, [2024], [lac]))
    [(key,)] = store.con.execute("SELECT DISTINCT child_key FROM lac_episodes").fetchall()
    assert key == row[0]  # the same child matches across CIN and 903
    columns = {r[0] for r in store.con.execute(
        "SELECT column_name FROM information_schema.columns").fetchall()}
    assert not columns & {"HOME_POST", "PL_POST", "home_post", "pl_post", "urn", "upn", "dob"}


def test_progress_is_reported_while_loading(load, tmp_path):
    seen = []
    load(write_cin(tmp_path, 2024, [cin_child("G1", referral(D(2023, 5, 2)))]),
         progress=lambda done, total, message: seen.append((done, total, message)))
    assert seen[0][2].startswith("reading 1 file as cin")
    assert seen[-1][0] == seen[-1][1] == 1 and seen[-1][2].startswith("stored submission")


def test_29_february_anniversaries_fall_on_1_march():
    assert add_years(D(2020, 2, 29), 2) == D(2022, 3, 1)
    assert add_years(D(2024, 2, 29), -1) == D(2023, 3, 1)
    assert add_years(D(2023, 4, 5), 2) == D(2025, 4, 5)


def _903_with_an_early_review(tmp_path, *more_children):
    """Child 7 in care from 1 June 2023, with a review on 20 May 2023 in the 2024 reviews
    file (the review of an earlier period of care, or one entered late)."""
    files = write_903(tmp_path, [2024], [
        lac_child("7", [(D(2023, 6, 1), "S", "C2", "U1", None, None)]), *more_children])
    reviews = next(f for f in files if f.name == "SSDA903_2024_reviews.csv")
    reviews.write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n7,01/01/2012,20/05/2023,PN1\n")
    return files


def _looked_after(store) -> int:
    [count] = [r for r in compute_children_measures(store, "2023-24", "england", ["LAC-COUNT"])
               if not r.breakdown]
    return count.numerator


def test_a_903_review_before_the_childs_first_episode_loads_with_a_warning_and_the_child_kept(
        load, store, tmp_path):
    result = load(_903_with_an_early_review(tmp_path))
    assert result.status == "loaded" and result.report.errors == []
    assert [(p.severity.value, p.rule, p.file, p.location, p.field)
            for p in result.report.warnings] == [
        ("warning", "CS903-REVIEW", "SSDA903_2024_reviews.csv", "row 2", "REVIEW")]
    assert result.quarantined_records == 0 and result.quarantine_reasons == {}
    assert result.rows == {"lac_children": 1, "lac_episodes": 1}
    assert store.con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert store.submissions()[0]["warning_count"] == 1
    assert _looked_after(store) == 1  # child 7, in care at 31 March 2024


def test_overlapping_903_episodes_are_still_errors_beside_a_review_warning(load, store,
                                                                          tmp_path):
    # child 8's second placement starts before the first ends: LAC-3PLUS-PLACEMENTS and
    # LAC-LT-STABILITY would count a move that cannot have happened, so it stays an error
    overlapping = lac_child("8", [(D(2023, 5, 1), "S", "C2", "U1", D(2023, 8, 1), "X1"),
                                  (D(2023, 7, 1), "P", "C2", "U1", None, None)])
    files = _903_with_an_early_review(tmp_path, overlapping)
    with pytest.raises(SubmissionRejected) as info:
        load(files)
    assert [(p.rule, p.file, p.location) for p in info.value.report.errors] == [
        ("501", "SSDA903_2024_episodes.csv", "row 4"),
        ("433", "SSDA903_2024_episodes.csv", "row 4")]
    result = load(files, accept_with_errors=True)
    assert result.quarantined_records == 1  # child 8 only; child 7's warning quarantines nothing
    assert result.quarantine_reasons == {"433": 1, "501": 1}
    assert [p.rule for p in result.report.warnings] == ["CS903-REVIEW"]
    assert result.rows == {"lac_children": 1, "lac_episodes": 1}
    assert _looked_after(store) == 1


def test_a_bad_date_of_birth_in_the_903_social_worker_table_is_a_warning_and_the_child_kept(
        load, store, tmp_path):
    files = write_903(tmp_path, [2024], [
        lac_child("7", [(D(2023, 6, 1), "S", "C2", "U1", None, None)]),
        lac_child("8", [(D(2023, 7, 1), "S", "C2", "U1", None, None)])])
    social_worker = tmp_path / "SSDA903_2024_social_worker.csv"
    # no DfE rule checks the social worker table's DOB, so child 7 loads; SW_DECOM has
    # one (SW04STG1), so child 8's malformed start date still rejects the return
    social_worker.write_text("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
                             "7,2012-01-01,SW123,01/06/2023,,\n"
                             "8,01/01/2012,SW124,2023-07-01,,\n")
    with pytest.raises(SubmissionRejected) as info:
        load([*files, social_worker])
    assert [(p.severity.value, p.rule, p.file, p.location, p.field)
            for p in info.value.report.problems] == [
        ("warning", "date-format", "SSDA903_2024_social_worker.csv", "row 2", "DOB"),
        ("error", "date-format", "SSDA903_2024_social_worker.csv", "row 3", "SW_DECOM")]
    social_worker.write_text("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
                             "7,2012-01-01,SW123,01/06/2023,,\n")
    result = load([*files, social_worker])
    assert [(p.rule, p.location, p.field) for p in result.report.warnings] == [
        ("date-format", "row 2", "DOB")]
    assert result.quarantined_records == 0
    assert result.rows == {"lac_children": 2, "lac_episodes": 2}
    assert _looked_after(store) == 2


def test_a_census_with_no_children_is_rejected(load, tmp_path):
    with pytest.raises(SubmissionRejected) as info:
        load(write_cin(tmp_path, 2024, []))
    assert [(p.rule, p.location) for p in info.value.report.errors] == [
        ("xsd", "/Message/Children")]


def test_another_format_can_be_registered_and_loads_through_the_same_rules(
        store, tmp_path, pseudonymiser):
    import datetime as dt

    from carestat.analytics import ingest
    from carestat.analytics import store as store_module
    from carestat.analytics.ingest import FormatRead, load_submission, register_format
    from carestat.analytics.periods import Period
    from carestat.analytics.store import Store

    def read_tally(paths, *, pseudonymiser, report, **_):
        lines = paths[0].read_text().split()

        def write(con, sid, excluded):
            con.executemany("INSERT INTO tally VALUES (?, ?)", [(sid, int(x)) for x in lines])
            return {"tally": len(lines)}

        return FormatRead(Period("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)), write)

    store_module.register_tables("tally", {"tally": {"n": "INTEGER"}})
    register_format("tally", read_tally, detect=lambda p: p.suffix == ".tally")
    try:
        path = tmp_path / "x.tally"
        path.write_text("1 2 3")
        with Store(None) as fresh:
            result = load_submission(fresh, path, pseudonymiser=pseudonymiser,
                                     jurisdiction="england")
            assert result.rows == {"tally": 3} and result.format == "tally"
            assert fresh.con.execute("SELECT sum(n) FROM current_tally").fetchone() == (6,)
            assert load_submission(fresh, path, pseudonymiser=pseudonymiser,
                                   jurisdiction="england").duplicate
    finally:
        ingest._EXTRA_FORMATS.pop("tally")
        store_module.DATA_TABLES.pop("tally")
        store_module.FORMAT_TABLES.pop("tally")
