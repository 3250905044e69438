"""Work types in case events (``ot_assessment``) as people say them ("OT assessment").

The codes are the case-event extract's; pages, exports and reports show the words. A code not
listed reads as its words with known abbreviations kept in capitals ("ot_review" -> "OT review")."""

from __future__ import annotations

LABELS = {
    "ot_assessment": "OT assessment",
    "dols_application": "DoLS application",
    "care_act_assessment": "Care Act assessment",
    "carers_assessment": "Carer's assessment",
    "safeguarding_concern": "Safeguarding concern",
    "safeguarding_enquiry": "Safeguarding enquiry",
    "review": "Review",
}
ABBREVIATIONS = {"ot": "OT", "dols": "DoLS", "lps": "LPS", "chc": "CHC", "ehcp": "EHCP", "mca": "MCA"}


def work_type_label(code: str) -> str:
    """``work_type_label("dols_application")`` is "DoLS application"; "*" (any work type) is "Any"."""
    if code in LABELS:
        return LABELS[code]
    if code in ("*", ""):
        return "Any" if code == "*" else ""
    words = [ABBREVIATIONS.get(w.lower(), w.lower()) for w in code.replace("-", "_").split("_") if w]
    if not words:
        return code
    first = words[0]
    words[0] = first if first in ABBREVIATIONS.values() else first[:1].upper() + first[1:]
    return " ".join(words)
