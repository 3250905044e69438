"""Codes as people say them: the one lookup pages, exports and reports use for the values a
breakdown or a return carries (``ot_assessment``, ``N1``, ``C2``, ``U3``, ``fostering_agency``).

Labels come from the statutory specifications (the CIN census's categories of need, the SSDA903
legal statuses and placement types) and from CareStat's own names (work types, the future-need
model's placements). A code with no label reads as itself, except that a snake_case code reads as
its words, so a raw ``some_code`` never reaches a page."""

from __future__ import annotations

from carestat.analytics.work_types import work_type_label

# CIN census PrimaryNeedCode (the schema's own wording; SSDA903 CIN uses N1 to N8 likewise)
CATEGORIES_OF_NEED = {
    "N0": "Not stated", "N1": "Abuse or neglect", "N2": "Child's disability",
    "N3": "Parental disability or illness", "N4": "Family in acute stress", "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour", "N7": "Low income", "N8": "Absent parenting",
    "N9": "Cases other than children in need",
}
# SSDA903 LS (legal status)
LEGAL_STATUSES = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order granted",
    "E1": "Placement order granted", "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks (individual episodes recorded)",
    "V4": "Accommodated under an agreed series of short-term breaks (agreements recorded)",
    "L1": "Under police protection and in local authority accommodation", "L2": "Emergency protection order",
    "L3": "Under a child assessment order and in local authority accommodation",
    "J1": "Remanded to local authority or youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to a youth rehabilitation order with a residence or intensive fostering requirement",
}
# SSDA903 PLACE (placement type)
PLACEMENT_TYPES = {
    "A3": "Placed for adoption with parental or guardian consent with current foster carers",
    "A4": "Placed for adoption with parental or guardian consent not with current foster carers",
    "A5": "Placed for adoption with a placement order with current foster carers",
    "A6": "Placed for adoption with a placement order not with current foster carers",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K1": "Secure children's home", "K2": "Children's home", "P1": "Placed with own parents or others with "
    "parental responsibility", "P2": "Independent living", "P3": "Residential employment",
    "R1": "Residential care home", "R2": "NHS or health trust establishment", "R3": "Family centre or mother and "
    "baby unit", "R5": "Young offender institution or prison", "S1": "Residential school",
    "T0": "Temporary placement (all types)", "T1": "Temporary periods in hospital",
    "T2": "Temporary absence on holiday", "T3": "Temporary accommodation whilst normal foster carer is away",
    "T4": "Temporary accommodation of seven days or less",
    "U1": "Foster placement with relative or friend, long term", "U2": "Foster placement with relative or friend, "
    "with a family and friends approved carer", "U3": "Foster placement with relative or friend, not long term",
    "U4": "Foster placement with other foster carer, long term", "U5": "Foster placement with other foster carer "
    "under a concurrent planning arrangement", "U6": "Foster placement with other foster carer, not long term",
    "Z1": "Other placement",
}
SEXES = {"male": "Male", "female": "Female", "unknown": "Not recorded"}
PRIORITIES = {"urgent": "Urgent", "standard": "Standard", "routine": "Routine"}

BY_DIMENSION: dict[str, dict[str, str]] = {
    "category_of_need": CATEGORIES_OF_NEED, "cin": CATEGORIES_OF_NEED, "legal_status": LEGAL_STATUSES,
    "ls": LEGAL_STATUSES, "placement_type": PLACEMENT_TYPES, "place": PLACEMENT_TYPES, "sex": SEXES,
    "priority": PRIORITIES,
}
DIMENSIONS = {"work_type": "work type", "age_band": "age band", "category_of_need": "category of need",
              "legal_status": "legal status", "placement_type": "placement type", "cin": "category of need",
              "ls": "legal status", "place": "placement type"}


def _words(code: str) -> str:
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def code_label(dimension: str, code: object) -> str:
    """``code_label("work_type", "ot_assessment")`` is "OT assessment", ``code_label("category_of_need",
    "N1")`` "Abuse or neglect"; "unknown" reads "Not recorded"."""
    text = "" if code is None else str(code)
    if dimension == "work_type":
        return work_type_label(text)
    if dimension == "placement":
        from carestat.analytics.demand import PLACEMENT_NAMES

        if text in PLACEMENT_NAMES:
            return PLACEMENT_NAMES[text]
    found = BY_DIMENSION.get(dimension, {}).get(text) or BY_DIMENSION.get(dimension, {}).get(text.upper())
    if found:
        return found
    if text == "unknown":
        return "Not recorded"
    return _words(text) if "_" in text else text


def dimension_label(dimension: str) -> str:
    """A breakdown's name in words, lower case for use mid-sentence: "work type", "team"."""
    return DIMENSIONS.get(dimension, dimension.replace("_", " "))
