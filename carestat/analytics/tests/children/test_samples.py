"""Every shared sample file loads or is rejected with exactly the problems its faults deserve.

Expected problems were worked out by reading each file against the rules (collection year =
the header's <Year>; census year 1 April (Year - 1) to 31 March Year).
"""

from __future__ import annotations

import pytest

from carestat.analytics.ingest import SubmissionRejected
from tests.samples import SAMPLES

C1 = "/Message/Children/Child[1]"
C2 = "/Message/Children/Child[2]"
EP1 = f"{C1}/CINdetails[1]"

# The 2021-style child (identical in CIN_Census_2021, CIN_la_issues_2887Q and, with another
# reference date, CIN_header_issues_100): Year 2023, census year 2022-04-01..2023-03-31.
OLD_CHILD = [
    # stray text "PersonBirthDate" inside <ChildIdentifiers>
    ("error", "xsd", f"{C1}/ChildIdentifiers (line 19)"),
    # both PersonBirthDate (1965-03-27) and ExpectedPersonBirthDate given
    ("warning", "8525Q", f"{C1}/ChildIdentifiers"),
    # born 1965: 58 at 31 March 2023
    ("warning", "8775Q", f"{C1}/ChildIdentifiers/PersonBirthDate"),
    # died 1980-10-08, outside 2022-23
    ("warning", "8545Q", f"{C1}/ChildIdentifiers/PersonDeathDate"),
    # closed 1971-02-27, outside 2022-23
    ("error", "8620", f"{EP1}/CINclosureDate"),
    # assessment started 1970-06-03, before the referral of 1970-10-06
    ("error", "1103", f"{EP1}/Assessments[1]/AssessmentActualStartDate"),
    # authorised 1971-07-18, outside 2022-23
    ("error", "8696", f"{EP1}/Assessments[1]/AssessmentAuthorisationDate"),
    # CIN plan ended 1971-01-26, outside 2022-23
    ("error", "4013", f"{EP1}/CINPlanDates[1]/CINPlanEndDate"),
    # S47 started 1970-06-02, before the referral
    ("error", "2889", f"{EP1}/Section47[1]/S47ActualStartDate"),
    # ICPC 1970-06-17, before the referral and outside 2022-23
    ("error", "1104", f"{EP1}/Section47[1]/DateOfInitialCPC"),
    ("error", "8715", f"{EP1}/Section47[1]/DateOfInitialCPC"),
    # CP plan started 1970-02-17, before the referral; ended 1971-03-14, outside 2022-23
    ("error", "1105", f"{EP1}/ChildProtectionPlans[1]/CPPstartDate"),
    ("error", "8930", f"{EP1}/ChildProtectionPlans[1]/CPPendDate"),
    # only HAND and HEAR used in the whole return
    ("warning", "2887Q", "/Message/Children"),
]


def rejected(load, name):
    with pytest.raises(SubmissionRejected) as info:
        load(SAMPLES / name)
    return [(p.severity.value, p.rule, p.location) for p in info.value.report.problems]


def test_cin_census_2021_is_rejected_for_its_date_faults(load, store):
    assert rejected(load, "cin/CIN_Census_2021.xml") == OLD_CHILD
    assert store.submissions() == []


def test_cin_la_issues_file_is_rejected_like_the_2021_file(load):
    assert rejected(load, "cin/CIN_la_issues_2887Q.xml") == OLD_CHILD


def test_cin_header_issues_file_reports_the_wrong_reference_date(load):
    # ReferenceDate 2023-03-28 where the 2023 census needs 2023-03-31
    assert rejected(load, "cin/CIN_header_issues_100.xml") == [
        ("error", "100", "/Message/Header/CollectionDetails/ReferenceDate"), *OLD_CHILD]


def test_cin_2022_file_is_rejected_for_its_date_faults(load):
    # Year 2022 (census 2021-22); same 1970s dates, no stray text; DOB 1966-03-24
    expected = [p for p in OLD_CHILD if p[1] != "xsd"]
    assert rejected(load, "cin/cin-2022.xml") == expected


def test_cin2rows_file_reports_referral_order_and_overlapping_plans(load):
    assert rejected(load, "cin/CIN2rows.xml") == [
        # Year 2023 but ReferenceDate 2024-03-31
        ("error", "100", "/Message/Header/CollectionDetails/ReferenceDate"),
        ("error", "xsd", f"{C1}/ChildIdentifiers (line 19)"),
        # assessment started 2023-01-24, never authorised: 48 working days to 31 March 2023
        ("warning", "8670Q", f"{EP1}/Assessments[1]/AssessmentAuthorisationDate"),
        # S47 2022-06-02 and ICPC 2022-06-17, both before the referral of 2022-10-06
        ("error", "2889", f"{EP1}/Section47[1]/S47ActualStartDate"),
        ("error", "1104", f"{EP1}/Section47[1]/DateOfInitialCPC"),
        # two identical plans from 2022-02-17, before the referral, overlapping each other
        ("error", "1105", f"{EP1}/ChildProtectionPlans[1]/CPPstartDate"),
        ("error", "1105", f"{EP1}/ChildProtectionPlans[2]/CPPstartDate"),
        ("error", "8940", f"{EP1}/ChildProtectionPlans[2]"),
        ("warning", "2887Q", "/Message/Children"),
    ]


LATER_FILE_CHILDREN = [
    # <Sex> is not in the 2023 schema the header's Year selects
    ("error", "xsd", f"{C1}/ChildIdentifiers/Sex (line 25)"),
    # assessment factor "RB" is not a code
    ("error", "xsd", f"{C1}/CINdetails/Assessments/FactorsIdentifiedAtAssessment/"
     "AssessmentFactors[2] (line 46)"),
]


def test_cin_census_2024_file_is_rejected_for_sex_codes_and_dates(load):
    problems = rejected(load, "cin/CIN_Census_2024.xml")
    assert problems == [
        ("error", "100", "/Message/Header/CollectionDetails/ReferenceDate"),
        ("error", "xsd", f"{C1}/ChildIdentifiers (line 19)"),
        *LATER_FILE_CHILDREN,
        # started 2028-04-28, authorised 2020-09-19: authorised before it started, and outside
        ("error", "8608", f"{EP1}/Assessments[1]/AssessmentActualStartDate"),
        ("error", "8696", f"{EP1}/Assessments[1]/AssessmentAuthorisationDate"),
        ("error", "2889", f"{EP1}/Section47[1]/S47ActualStartDate"),
        ("error", "1104", f"{EP1}/Section47[1]/DateOfInitialCPC"),
        ("error", "1105", f"{EP1}/ChildProtectionPlans[1]/CPPstartDate"),
        ("error", "xsd", f"{C2}/ChildIdentifiers/Sex (line 78)"),
        # <FactorsIdentifiedAtAssessment/> is empty
        ("error", "xsd", f"{C2}/CINdetails/Assessments/FactorsIdentifiedAtAssessment (line 95)"),
        # born 2023-09-25 and referred 2024-10-24, both after 31 March 2023
        ("error", "8520", f"{C2}/ChildIdentifiers/PersonBirthDate"),
        ("error", "8600", f"{C2}/CINdetails[1]/CINreferralDate"),
        ("error", "8620", f"{C2}/CINdetails[1]/CINclosureDate"),
        ("error", "1103", f"{C2}/CINdetails[1]/Assessments[1]/AssessmentActualStartDate"),
        ("error", "8696", f"{C2}/CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate"),
        ("warning", "2887Q", "/Message/Children"),
    ]


def test_cin_census_2026_file_also_rejects_the_preproceedings_block_under_its_2023_header(load):
    # the 2024 file's faults, plus the pre-proceedings block the 2023 schema does not know
    assert rejected(load, "cin/CIN_Census_2026.xml") == [
        ("error", "100", "/Message/Header/CollectionDetails/ReferenceDate"),
        ("error", "xsd", f"{C1}/ChildIdentifiers (line 19)"),
        *LATER_FILE_CHILDREN,
        ("error", "xsd", f"{C1}/CINdetails/PreProceedingsandFGDM (line 71)"),
        ("error", "8608", f"{EP1}/Assessments[1]/AssessmentActualStartDate"),
        ("error", "8696", f"{EP1}/Assessments[1]/AssessmentAuthorisationDate"),
        ("error", "2889", f"{EP1}/Section47[1]/S47ActualStartDate"),
        ("error", "1104", f"{EP1}/Section47[1]/DateOfInitialCPC"),
        ("error", "1105", f"{EP1}/ChildProtectionPlans[1]/CPPstartDate"),
        ("error", "xsd", f"{C2}/ChildIdentifiers/Sex (line 90)"),
        ("error", "xsd", f"{C2}/CINdetails/Assessments/FactorsIdentifiedAtAssessment (line 107)"),
        ("error", "8520", f"{C2}/ChildIdentifiers/PersonBirthDate"),
        ("error", "8600", f"{C2}/CINdetails[1]/CINreferralDate"),
        ("error", "8620", f"{C2}/CINdetails[1]/CINclosureDate"),
        ("error", "1103", f"{C2}/CINdetails[1]/Assessments[1]/AssessmentActualStartDate"),
        ("error", "8696", f"{C2}/CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate"),
        ("warning", "2887Q", "/Message/Children"),
    ]


def test_2026_additions_are_accepted_when_the_header_says_2026(load, tmp_path, store):
    # The same file with a 2026 header (its stray text and bad or empty factors removed):
    # <Sex> and <PreProceedingsandFGDM> now validate; Sex "1" breaks rule 4180 (M, F or U).
    text = (SAMPLES / "cin/CIN_Census_2026.xml").read_text()
    text = text.replace("<Year>2023</Year>", "<Year>2026</Year>")
    text = text.replace("2024-03-31</ReferenceDate>", "2026-03-31</ReferenceDate>")
    text = text.replace("</UPNunknown>PersonBirthDate", "</UPNunknown>")
    text = text.replace("<AssessmentFactors>RB</AssessmentFactors>", "")
    text = text.replace("<FactorsIdentifiedAtAssessment/>", "")
    path = tmp_path / "CIN_2026.xml"
    path.write_text(text)
    problems = rejected(load, path)
    assert not [p for p in problems if p[1] == "xsd"]
    assert ("error", "4180", f"{C1}/ChildIdentifiers/Sex") in problems
    # child 2 has Sex "M": no 4180 for it
    assert ("error", "4180", f"{C2}/ChildIdentifiers/Sex") not in problems


def test_ssda903_2020_episodes_sample_is_rejected_for_overlaps_and_a_missing_continuation(
        load, store):
    # Year 2020 from the file name (2019-04-01..2020-03-31). Child 689661, by DECOM:
    #   row 3 02/12/2018 S to 16/05/2019; row 2 11/12/2018 P to 18/07/2019;
    #   row 4 16/05/2019 T to 26/09/2019: rows 2 and 4 start before the previous episode
    #   ended (501) and not on the day it ended (433).
    # Child 249901: row 6 ends X1 (new episode follows) but nothing follows (388). Its first
    #   episode (30/03/2019, RNE L) began before the data, so 357 is not judged.
    assert rejected(load, "ssda903/SSDA903_2020_episodes.csv") == [
        ("error", "501", "row 2"), ("error", "433", "row 2"),
        ("error", "501", "row 4"), ("error", "433", "row 4"),
        ("error", "388", "row 6"),
    ]
    assert store.submissions() == []
