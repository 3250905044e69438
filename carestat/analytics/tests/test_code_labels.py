from carestat.analytics.code_labels import code_label, dimension_label


def test_codes_in_breakdowns_read_as_words_through_one_lookup():
    assert code_label("work_type", "dols_application") == "DoLS application"
    assert code_label("category_of_need", "N1") == "Abuse or neglect"
    assert code_label("legal_status", "C2") == "Full care order"
    assert code_label("placement_type", "u4").startswith("Foster placement with other foster carer")
    assert code_label("placement", "fostering_agency") == "Fostering, agency"
    assert code_label("sex", "unknown") == code_label("age_band", "unknown") == "Not recorded"


def test_a_code_with_no_label_reads_as_itself_and_never_as_snake_case():
    assert code_label("team", "North Locality") == "North Locality"
    assert code_label("age_band", "18-64") == "18-64"
    assert code_label("something", "home_care_review") == "Home care review"


def test_a_breakdowns_name_reads_as_words():
    assert [dimension_label(d) for d in ("work_type", "team", "category_of_need", "some_thing")] == [
        "work type", "team", "category of need", "some thing"]
