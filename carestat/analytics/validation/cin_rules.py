"""A subset of the DfE CIN census validation rules, with their official codes and messages.

Chosen because the children's measures depend on them (referral, assessment, section 47,
ICPC and child protection plan dates and their order) or because they protect identity
matching (duplicate IDs). DfE "QUERY" rules (codes ending in Q) are warnings and never block
a load. The full list is in ``IMPLEMENTED``; docs/analytics/children.md repeats it.

Rules run on the parsed child (``readers.cin.CinChild``); malformed dates parse as None and
are reported by the schema, so a rule never fires twice for one bad value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from carestat.analytics.calendar import WorkingDayCalendar
from carestat.analytics.problems import Problem, Severity
from carestat.analytics.readers.cin import CinChild, CinHeader

# code -> official message (from cin_rules_by_ruleset.csv, csc-validator-be-cin 0.1.13)
IMPLEMENTED: dict[str, str] = {
    "100": "Reference Date is incorrect",
    "8510": "More than one child record with the same LA Child ID",
    "1520": "More than one record with the same UPN.",
    "8520": (
        "Date of Birth is after data collection period (must be on or before the end of "
        "the census period)"
    ),
    "8525Q": "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    "8535Q": (
        "Please check and either amend data or provide a reason: Child’s date of death "
        "should not be prior to the date of birth"
    ),
    "8545Q": (
        "Please check and either amend data or provide a reason: Child's date of death "
        "should be within the census year"
    ),
    "8775Q": "Please check and either amend data or provide a reason: Child is over 25 years old",
    "4180": "Sex must be provided and equal M, F, or U",
    "8790": "Disability information includes both None and other values",
    "8794": "Child has two or more disabilities with the same code",
    "2887Q": (
        "Please check and either amend or provide a reason: Less than 8 disability codes "
        "have been used in your return"
    ),
    "8600": "Child referral date missing or after data collection period",
    "8630": "CIN Closure Date is before CIN Referral Date for the same CIN episode",
    "8620": "CIN Closure Date present and does not fall within the Census year",
    "8805": "A CIN case cannot have a CIN closure date without a Reason for Closure",
    "8810": "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    "8610": "Primary Need code is missing for a referral which led to further action.",
    "1103": "The assessment start date cannot be before the referral date",
    "8608": "Assessment Start Date cannot be later than its End Date",
    "8696": "Assessment end date must fall within the census year",
    "8736": (
        "For an Assessment that has not been completed, the start date must fall within "
        "the census year"
    ),
    "8670Q": (
        "Please check and either amend data or provide a reason: Assessment started more "
        "than 45 working days before the end of the census year. However, there is no "
        "Assessment end date."
    ),
    "4011": "CIN Plan End Date earlier than Start Date",
    "4013": "CIN Plan end date must fall within the census year",
    "4015": "The CIN Plan start date cannot be before the referral date",
    "2889": "The S47 start date cannot be before the referral date.",
    "8615": (
        "Section 47 Enquiry Start Date must be present and cannot be later than the date "
        "of the initial Child Protection Conference"
    ),
    "1104": (
        "The date of the initial child protection conference cannot be before the "
        "referral date"
    ),
    "8715": "Date of Initial Child Protection Conference must fall within the census year",
    "8740": (
        "For a Section 47 Enquiry that has not held the Initial Child Protection "
        "Conference by the end of the census year, the start date must fall within the "
        "census year"
    ),
    "8875": "The Date of Initial Child Protection Conference cannot be a weekend",
    "8675Q": (
        "Please check and either amend data or provide a reason: S47 Enquiry started more"
        " than 15 working days before the end of the census year. However, there is no "
        "date of Initial Child Protection Conference."
    ),
    "1105": "The child protection plan start date cannot be before the referral date",
    "8720": "Child Protection Plan Start Date missing or out of data collection period",
    "8925": "Child Protection Plan End Date earlier than Start Date",
    "8840": "Child Protection Plan cannot start and end on the same day",
    "8930": "Child Protection Plan End Date must fall within the census year",
    "8841": (
        "The review date cannot be on the same day or before the Child protection Plan "
        "start date."
    ),
    "8935": "This child is showing more than one open Child Protection plan, i.e. with no End Date",
    "8940": "Child Protection Plan data contains overlapping dates",
}

# 4180 replaced GenderCurrent with Sex from the 2024-25 census (header Year 2025).
SEX_RULE_FROM_YEAR = 2025


@dataclass(frozen=True)
class CensusYear:
    year: int  # the header's <Year>: the census ends on 31 March of this year

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _p(file, location, fld, rule, key) -> Problem:
    severity = Severity.WARNING if rule.endswith("Q") else Severity.ERROR
    return Problem(file=file, location=location, field=fld, rule=rule,
                   message=IMPLEMENTED[rule], severity=severity, record_key=key)


def check_header(header: CinHeader, file: str) -> list[Problem]:
    census = CensusYear(header.year)
    if header.reference_date != census.end:
        return [_p(file, "/Message/Header/CollectionDetails/ReferenceDate", "ReferenceDate",
                   "100", None)]
    return []


def _age_years(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_child(child: CinChild, header: CinHeader, calendar: WorkingDayCalendar, file: str,
                key: str | None) -> list[Problem]:
    """Problems for one child under the implemented rules."""
    census = CensusYear(header.year)
    out: list[Problem] = []
    ids = f"{child.path}/ChildIdentifiers"

    def add(location, fld, rule):
        out.append(_p(file, location, fld, rule, key))

    dob, edob = child.birth_date, child.expected_birth_date
    if (dob is None) == (edob is None):
        add(ids, "PersonBirthDate", "8525Q")
    if dob and dob > census.end:
        add(f"{ids}/PersonBirthDate", "PersonBirthDate", "8520")
    if dob and _age_years(dob, census.end) > 25:
        add(f"{ids}/PersonBirthDate", "PersonBirthDate", "8775Q")
    if child.death_date:
        if dob and child.death_date < dob:
            add(f"{ids}/PersonDeathDate", "PersonDeathDate", "8535Q")
        if not census.contains(child.death_date):
            add(f"{ids}/PersonDeathDate", "PersonDeathDate", "8545Q")
    if header.year >= SEX_RULE_FROM_YEAR and (child.sex_element != "Sex" or child.sex_raw not in
                                              {"M", "F", "U"}):
        add(f"{ids}/Sex", "Sex", "4180")
    codes = child.disabilities
    chars = f"{child.path}/ChildCharacteristics/Disabilities"
    if "NONE" in codes and len(set(codes)) > 1:
        add(chars, "Disability", "8790")
    if len(codes) != len(set(codes)):
        add(chars, "Disability", "8794")

    open_cpps = []
    all_cpps = []
    for ep in child.episodes:
        path = ep["path"]
        ref = ep["referral_date"]
        if ref is None or ref > census.end:
            add(f"{path}/CINreferralDate", "CINreferralDate", "8600")
        closure = ep["closure_date"]
        if closure and ref and closure < ref:
            add(f"{path}/CINclosureDate", "CINclosureDate", "8630")
        if closure and not census.contains(closure):
            add(f"{path}/CINclosureDate", "CINclosureDate", "8620")
        if closure and not ep["reason_for_closure"]:
            add(f"{path}/ReasonForClosure", "ReasonForClosure", "8805")
        if ep["reason_for_closure"] and not closure:
            add(f"{path}/CINclosureDate", "CINclosureDate", "8810")
        if not ep["nfa"] and not ep["primary_need"]:
            add(f"{path}/PrimaryNeedCode", "PrimaryNeedCode", "8610")
        if ep["icpc_date"] and ref and ep["icpc_date"] < ref:
            add(f"{path}/DateOfInitialCPC", "DateOfInitialCPC", "1104")

        for a in ep["assessments"]:
            start, end = a["start"], a["authorised"]
            if start and ref and start < ref:
                add(f"{a['path']}/AssessmentActualStartDate", "AssessmentActualStartDate", "1103")
            if start and end and start > end:
                add(f"{a['path']}/AssessmentActualStartDate", "AssessmentActualStartDate", "8608")
            if end and not census.contains(end):
                add(f"{a['path']}/AssessmentAuthorisationDate", "AssessmentAuthorisationDate",
                    "8696")
            if end is None and start and not census.contains(start):
                add(f"{a['path']}/AssessmentActualStartDate", "AssessmentActualStartDate", "8736")
            if end is None and start and start <= census.end and \
                    calendar.working_days_between(start, census.end) > 45:
                add(f"{a['path']}/AssessmentAuthorisationDate", "AssessmentAuthorisationDate",
                    "8670Q")

        for plan in ep["plans"]:
            if plan["start"] and plan["end"] and plan["end"] < plan["start"]:
                add(f"{plan['path']}/CINPlanEndDate", "CINPlanEndDate", "4011")
            if plan["end"] and not census.contains(plan["end"]):
                add(f"{plan['path']}/CINPlanEndDate", "CINPlanEndDate", "4013")
            if plan["start"] and ref and plan["start"] < ref:
                add(f"{plan['path']}/CINPlanStartDate", "CINPlanStartDate", "4015")

        for s in ep["section47"]:
            start, icpc = s["start"], s["icpc"]
            if start and ref and start < ref:
                add(f"{s['path']}/S47ActualStartDate", "S47ActualStartDate", "2889")
            if icpc and (start is None or start > icpc):
                add(f"{s['path']}/S47ActualStartDate", "S47ActualStartDate", "8615")
            if icpc and ref and icpc < ref:
                add(f"{s['path']}/DateOfInitialCPC", "DateOfInitialCPC", "1104")
            if icpc and not census.contains(icpc):
                add(f"{s['path']}/DateOfInitialCPC", "DateOfInitialCPC", "8715")
            if icpc and icpc.weekday() >= 5:
                add(f"{s['path']}/DateOfInitialCPC", "DateOfInitialCPC", "8875")
            if icpc is None and not s["not_required"] and start:
                if not census.contains(start):
                    add(f"{s['path']}/S47ActualStartDate", "S47ActualStartDate", "8740")
                elif calendar.working_days_between(start, census.end) > 15:
                    add(f"{s['path']}/DateOfInitialCPC", "DateOfInitialCPC", "8675Q")

        for c in ep["cpps"]:
            start, end = c["start"], c["end"]
            if start and ref and start < ref:
                add(f"{c['path']}/CPPstartDate", "CPPstartDate", "1105")
            if start is None or start > census.end:
                add(f"{c['path']}/CPPstartDate", "CPPstartDate", "8720")
            if start and end and end < start:
                add(f"{c['path']}/CPPendDate", "CPPendDate", "8925")
            if start and end and end == start:
                add(f"{c['path']}/CPPendDate", "CPPendDate", "8840")
            if end and not census.contains(end):
                add(f"{c['path']}/CPPendDate", "CPPendDate", "8930")
            if start and any(r is not None and r <= start for r in c["reviews"]):
                add(f"{c['path']}/Reviews/CPPreviewDate", "CPPreviewDate", "8841")
            if start and end is None:
                open_cpps.append(c)
            if start:
                all_cpps.append(c)

    if len(open_cpps) > 1:
        add(open_cpps[-1]["path"], "CPPendDate", "8935")
    # overlapping plans: one starts before another (started no later) has ended
    ordered = sorted(all_cpps, key=lambda c: c["start"])
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier["end"] is None or later["start"] < earlier["end"]:
            add(later["path"], "CPPstartDate", "8940")
    return out


class ReturnChecks:
    """Rules that look across children: duplicate IDs and UPNs, disability codes used."""

    def __init__(self, file: str):
        self.file = file
        self.ids: dict[str, str] = {}
        self.upns: dict[str, str] = {}
        self.disability_codes: set[str] = set()

    def child(self, child: CinChild, key: str | None) -> list[Problem]:
        out = []
        ids = f"{child.path}/ChildIdentifiers"
        if child.la_child_id:
            if child.la_child_id.upper() in self.ids:
                out.append(_p(self.file, f"{ids}/LAchildID", "LAchildID", "8510", key))
            self.ids.setdefault(child.la_child_id.upper(), child.path)
        if child.upn:
            if child.upn.upper() in self.upns:
                out.append(_p(self.file, f"{ids}/UPN", "UPN", "1520", key))
            self.upns.setdefault(child.upn.upper(), child.path)
        self.disability_codes.update(child.disabilities)
        return out

    def finish(self) -> list[Problem]:
        used = self.disability_codes - {"NONE", ""}
        if len(used) < 8:
            return [_p(self.file, "/Message/Children", "Disability", "2887Q", None)]
        return []


def distinct_counter(problems: list[Problem]) -> Counter:
    return Counter(p.rule for p in problems)
