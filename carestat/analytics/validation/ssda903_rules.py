"""Cross-record SSDA903 rules, with the DfE codes and messages (903_2024_25_rule_info.csv).

Field rules (codes 101-103, 141-149, 166-167, 178, 1009) are checked as each row is read
(readers/ssda903.py). The rules here look across rows. Episodes for one child are taken
across every year in the submission: an episode open over a year end appears in both years'
files, so rows are de-duplicated on (child, DECOM), keeping the latest year's row.

"CS903-REVIEW" is CareStat's own rule (the DfE catalogue has none for it): a review dated
before the child's first episode in the submission began. It is a warning: real returns
carry such reviews (a child in care across years whose earlier episodes are in another
year's files, a review entered late), the DfE validator accepts them, and no measure reads
review dates, so the child's records are kept. Every other rule here is a DfE rule and an
error, as the DfE validator rejects the return for it. docs/analytics/validation-rules.md
gives each rule's level and why.

357 (first episode must be S) is judged only for children whose first episode in the
submission starts on or after 1 April of its first collection year; earlier episodes may
continue a period of care from before the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from carestat.analytics.problems import Problem, Severity
from carestat.analytics.readers.ssda903 import Table903

IMPLEMENTED: dict[str, str] = {
    "148": "Date episode ceased and reason episode ceased must both be coded, or both left blank.",
    "356": "The date the episode ceased is before the date the same episode started.",
    "385": "Date episode ceased must be on or before the end of the current collection year.",
    "142": "A new episode has started, but the previous episode has not ended.",
    "501": "A new episode has started before the end date of the previous episode.",
    "357": (
        "If this is the first episode ever for this child, reason for new episode must be"
        " S.  Check whether there is an episode immediately preceding this one, which has"
        " been left out. If not the reason for new episode code must be amended."
    ),
    "388": (
        "Reason episode ceased is coded new episode begins, but there is no continuation "
        "episode."
    ),
    "431": (
        "The reason for new episode is started to be looked after, but the previous "
        "episode ended on the same day."
    ),
    "433": (
        "The reason for new episode suggests that this is a continuation episode, but the"
        " episode does not start on the same day as the last episode finished."
    ),
    "INT03": "Internal Check: Child in Episodes does not exist in Header.",
    "INT32": "Internal Check: Child should only exist once in Header.",
    "CS903-REVIEW": (
        "A review is dated before the child's first episode of care in this submission "
        "began. The review and the child's records are kept (no measure uses review "
        "dates): check the review date, or load the earlier year's episodes that cover it."
    ),
}

# Rules that are reported but never block a load or quarantine a record: CareStat's own
# rules that the DfE validator does not have and whose records make no measure wrong.
WARNINGS: frozenset[str] = frozenset({"CS903-REVIEW"})


def _p(file, row, fld, rule, key) -> Problem:
    severity = Severity.WARNING if rule in WARNINGS else Severity.ERROR
    return Problem(file=file, location=f"row {row}", field=fld, rule=rule,
                   message=IMPLEMENTED[rule], severity=severity, record_key=key)


def current_episodes(tables: list[Table903]) -> list[tuple[Table903, dict]]:
    """Episode rows de-duplicated on (CHILD, DECOM), the latest year's row winning."""
    chosen: dict[tuple, tuple[Table903, dict]] = {}
    for t in sorted((t for t in tables if t.table == "Episodes"), key=lambda t: t.year):
        for row in t.rows:
            if row.get("CHILD") and row.get("DECOM"):
                chosen[(row["CHILD"].upper(), row["DECOM"])] = (t, row)
    return list(chosen.values())


def check_903(tables: list[Table903], key_for) -> list[Problem]:
    """Cross-record problems; ``key_for(child_id)`` gives the pseudonymised record key."""
    out: list[Problem] = []
    for t in tables:
        if t.table != "Episodes":
            continue
        failed = {(p.location, p.field) for p in t.problems}
        year_end = dt.date(t.year, 3, 31)
        for row in t.rows:
            key = key_for(row.get("CHILD"))
            dec, rec = row.get("DEC"), row.get("REC")
            # only judge 148 when neither value was already rejected as malformed
            loc = f"row {row['_row']}"
            if (dec is None) != (rec is None) and (loc, "DEC") not in failed \
                    and (loc, "REC") not in failed:
                out.append(_p(t.file, row["_row"], "DEC", "148", key))
            if dec and row.get("DECOM") and dec < row["DECOM"]:
                out.append(_p(t.file, row["_row"], "DEC", "356", key))
            if dec and dec > year_end:
                out.append(_p(t.file, row["_row"], "DEC", "385", key))

    episode_years = [t.year for t in tables if t.table == "Episodes"]
    first_start = dt.date(min(episode_years) - 1, 4, 1) if episode_years else dt.date.min
    by_child: dict[str, list[tuple[Table903, dict]]] = defaultdict(list)
    for t, row in current_episodes(tables):
        by_child[row["CHILD"].upper()].append((t, row))
    first_decom: dict[str, dt.date] = {}
    for child, eps in by_child.items():
        eps.sort(key=lambda tr: tr[1]["DECOM"])
        key = key_for(child)
        first_decom[child] = eps[0][1]["DECOM"]
        t0, first = eps[0]
        # only where care visibly began inside the data: an episode open on 1 April of the
        # first year loaded may continue a period of care that began before it
        if first.get("RNE") and first["RNE"] != "S" and first["DECOM"] >= first_start:
            out.append(_p(t0.file, first["_row"], "RNE", "357", key))
        for (tp, prev), (tc, cur) in zip(eps, eps[1:], strict=False):
            if prev.get("DEC") is None:
                out.append(_p(tp.file, prev["_row"], "DEC", "142", key))
            elif cur["DECOM"] < prev["DEC"]:
                out.append(_p(tc.file, cur["_row"], "DECOM", "501", key))
            rne = cur.get("RNE")
            if rne and rne != "S" and prev.get("DEC") and cur["DECOM"] != prev["DEC"]:
                out.append(_p(tc.file, cur["_row"], "DECOM", "433", key))
            if rne == "S" and prev.get("DEC") == cur["DECOM"]:
                out.append(_p(tc.file, cur["_row"], "RNE", "431", key))
        tl, last = eps[-1]
        if last.get("REC") == "X1":
            out.append(_p(tl.file, last["_row"], "REC", "388", key))

    headers = {t.year: t for t in tables if t.table == "Header"}
    for year, h in headers.items():
        seen: set[str] = set()
        for row in h.rows:
            child = (row.get("CHILD") or "").upper()
            if child in seen:
                out.append(_p(h.file, row["_row"], "CHILD", "INT32", key_for(child)))
            seen.add(child)
        for t in tables:
            if t.table == "Episodes" and t.year == year:
                for row in t.rows:
                    if row.get("CHILD") and row["CHILD"].upper() not in seen:
                        out.append(_p(t.file, row["_row"], "CHILD", "INT03",
                                      key_for(row["CHILD"])))

    for t in tables:
        if t.table != "Reviews":
            continue
        for row in t.rows:
            child = (row.get("CHILD") or "").upper()
            review = row.get("REVIEW")
            if review and child in first_decom and review < first_decom[child]:
                out.append(_p(t.file, row["_row"], "REVIEW", "CS903-REVIEW", key_for(child)))
    return out
