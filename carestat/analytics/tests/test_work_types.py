from carestat.analytics.work_types import work_type_label


def test_work_type_codes_read_as_words_people_use():
    assert work_type_label("ot_assessment") == "OT assessment"
    assert work_type_label("dols_application") == "DoLS application"
    assert work_type_label("care_act_assessment") == "Care Act assessment"


def test_an_unlisted_work_type_keeps_its_abbreviations_in_capitals():
    assert work_type_label("ot_equipment_review") == "OT equipment review"
    assert work_type_label("hospital_discharge") == "Hospital discharge"
    assert work_type_label("*") == "Any"
