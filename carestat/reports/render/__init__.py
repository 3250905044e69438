"""Renderers: pure functions of a report's snapshot (plus who signed it off).

``view`` turns the snapshot into what every format shows, applying small-number suppression
for the public version, so the web page, PDF, Word and Excel versions cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from carestat.core.contributions import section_view
from carestat.reports.snapshot import (
    MEASURE_RAG_ORDER,
    RAG_LABELS,
    RAG_ORDER,
    measure_fact,
    public_count,
    public_figure,
)

SECTION_TITLES = {
    "summary": "Summary", "exceptions": "Exceptions", "delivery": "Delivery by priority",
    "forecasts": "Backlog forecasts", "data_quality": "Data quality", "changes": "Changed since the last report",
}


def day(text: str) -> str:
    """An ISO date or date-time as ‘5 October 2026’."""
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text[:10]).strftime("%-d %B %Y")
    except ValueError:
        return text


RECENT_ROWS = 8  # two years of quarterly values; the workbook has every value (and keeps the PDF fast)


def _recent(chart: dict | None) -> dict | None:
    """The chart's data table trimmed to the latest rows, saying how many are left out."""
    if not chart:
        return chart
    hidden = max(0, len(chart["rows"]) - RECENT_ROWS)
    return {**chart, "rows": chart["rows"][hidden:], "hidden_rows": hidden}


def _measure(m: dict, public: bool) -> dict:
    m = {**m, "chart": _recent(m["chart"]), "public": {**m["public"], "chart": _recent(m["public"]["chart"])}}
    if not public:
        return {**m, "rag_text": RAG_LABELS.get(m["rag"], m["rag_label"])}
    p = public_figure(m)  # the full version's period: its figure, or "fewer than 5"
    return {**m, "period": p["period"], "value": p["value"], "suppressed": p["suppressed"], "rag": p["rag"],
            "rag_label": p["rag_label"], "rag_text": RAG_LABELS.get(p["rag"], p["rag_label"]), "chart": p["chart"],
            "series": p["series"], "notes": p["notes"], "raw_value": "", "numerator": "", "denominator": "",
            "provenance": "",
            "variation": p["variation"], "assurance": p["assurance"], "rag_explanation": p["rag_explanation"]}


OTHER_SECTION = "other"


def section_key(sec: dict) -> str:
    """A section's key in the snapshot (snapshots before 2026-12 keyed sections by title only)."""
    return sec.get("key") or f"title:{sec['title']}"


def exception_key(e: dict) -> str:
    """The key an exception's written commentary is kept under: its action or measure."""
    if e.get("key"):
        return e["key"]
    if e.get("measure_id"):
        return f"measure:{e['measure_id']}"
    return f"{e['kind']}:{e['title']}"


def _authored(sec: dict, authoring: dict) -> dict:
    """A section as its author chose: which measures it shows, which of their charts, and the
    narrative written for it. Nothing chosen means everything shown."""
    chosen = authoring.get("sections", {}).get(sec["key"], {})
    shown = chosen.get("measures")
    charts = chosen.get("charts")
    measures = [m for m in sec["measures"] if shown is None or m["id"] in shown]
    measures = [m if charts is None or m["id"] in charts else {**m, "chart": None} for m in measures]
    narrative = [p.strip() for p in (chosen.get("narrative") or "").split("\n\n") if p.strip()]
    return {**sec, "measures": measures, "narrative": narrative,
            "all_measures": [(m["id"], f"{m['code']}: {m['title']}", m["chart"] is not None) for m in sec["measures"]]}


def version_line(sign_off: dict, public: bool) -> str:
    """The running header's right-hand words: DRAFT, or the approved or published version."""
    status = sign_off.get("status", "draft")
    which = "Public version" if public else "Full version"
    fingerprint = (sign_off.get("hash") or "")[:8]
    if status == "draft" or not status:
        return f"DRAFT · {which}"
    if status == "published":
        return f"Published {day(sign_off.get('published_at', ''))} · {which} · {fingerprint}"
    return f"Approved {day(sign_off.get('approved_at', ''))} · {which} · {fingerprint}"


def forecast_milestones(f: dict, public: bool) -> list[dict]:
    """A forecast as the committee reads it: per scenario, the clearance date, the range most
    simulated futures clear in, and what has actually happened since (the weekly series is in
    the Excel workbook only)."""
    actual = f.get("actual") or {}
    rows = []
    for sc in f["scenarios"]:
        early, late = sc.get("clearance_early") or "", sc.get("clearance_late") or ""
        if sc.get("already_clear"):
            band = "No backlog to clear"
        elif early and late:
            band = f"{day(early)} to {day(late)}"
        elif early:
            band = f"From {day(early)}; some simulated futures do not clear"
        else:
            band = "Most simulated futures do not clear" if not sc.get("clears") else ""
        said = ""
        if actual and sc["name"] == actual.get("scenario"):
            backlog = actual.get("backlog")
            shown = public_count(backlog) if public else f"{backlog:,}"
            latest = (f"backlog {shown} in the week from {day(actual['week_start'])}, "
                      + ("within" if actual.get("within_band") else "outside") + " the forecast band")
            if actual.get("cleared_on") and not backlog:
                said = f"Cleared by {day(actual['cleared_on'])}"
            elif actual.get("cleared_on"):
                said = f"Cleared by {day(actual['cleared_on'])}, since risen: {latest}"
            else:
                said = latest[0].upper() + latest[1:]
        rows.append({"scenario": sc["name"], "clearance": sc["clears_text"] if "clears_text" in sc else
                     (day(sc["clearance_date"]) if sc["clears"] else "Does not clear within the forecast"),
                     "band": band, "actual": said or "Not yet known"})
    return rows


def view(snapshot: dict, *, public: bool = False, sign_off: dict | None = None) -> dict:
    """What every format shows, as plain values."""
    s = snapshot
    sign_off = sign_off or {}
    measures = {m["id"]: _measure(m, public) for m in s["measures"]}
    counts = s["summary"]["counts"]
    facts = list(s["summary"]["facts"])
    measure_counts = counts["measures"]
    if public:  # counted from the public figures, so the summary says what the measures show
        measure_counts = {k: sum(1 for m in measures.values() if m["rag"] == k) for k in MEASURE_RAG_ORDER}
        facts = [measure_fact(measure_counts) if f == measure_fact(counts["measures"]) else f for f in facts]
    by_title = {f"{m['code']}: {m['title']}": m for m in measures.values()}
    count_rows = [
        {"what": "Actions", **{k: counts["actions"].get(k, 0) for k in RAG_ORDER},
         "total": sum(counts["actions"].values())},
        {"what": "Milestones", **{k: counts["milestones"].get(k, 0) for k in RAG_ORDER},
         "total": sum(counts["milestones"].values())},
    ]
    authoring = s.get("authoring") or {}
    exceptions = []
    for e in s["exceptions"]:
        if public and e["kind"] == "measure":
            shown = measures.get(e["measure_id"]) if "measure_id" in e else by_title.get(e["title"])
            if shown is None or shown["rag"] not in ("red", "amber"):
                continue
            e = {**e, "rag": shown["rag"], "status": RAG_LABELS[shown["rag"]]}
        key = exception_key(e)
        written = authoring.get("exceptions", {}).get(key)
        exceptions.append({**e, "key": key, "rag_text": RAG_LABELS.get(e["rag"], e["rag"]),
                           "commentary": written if written else e["commentary"], "edited": bool(written)})
    sections = []
    for sec in s["sections"]:
        actions = []
        for a in sec["actions"]:
            actions.append({**a, "rag_text": RAG_LABELS.get(a["rag"], a["rag"]), "due_text": day(a["due"]),
                            "milestones": [{**m, "rag_text": RAG_LABELS.get(m["rag"], m["rag"]),
                                            "baseline_text": day(m["baseline"]), "forecast_text": day(m["forecast"]),
                                            "actual_text": day(m["actual"]),
                                            "revised": m["forecast"] != m["baseline"]} for m in a["milestones"]]})
        sections.append(_authored({"key": section_key(sec), "title": sec["title"], "plan": sec["plan"],
                                   "rag": sec["rag"], "rag_text": RAG_LABELS.get(sec["rag"], sec["rag"]),
                                   "actions": actions, "milestones": [m for a in actions for m in a["milestones"]],
                                   "measures": [measures[i] for i in sec["measure_ids"] if i in measures]},
                                  authoring))
    other = [measures[i] for i in s.get("unlinked_measure_ids", []) if i in measures]
    framework = s.get("framework")
    if framework:
        # A framework other than England's (Wales's quality standards): every measure shown
        # under its standard, with the national value's source, in place of "Other measures".
        for g in framework["groups"]:
            shown = [{**measures[i], "source_url": g["sources"].get(str(i), "")}
                     for i in g["measure_ids"] if i in measures]
            if shown:
                sections.append(_authored({"key": f"framework:{g['title']}", "title": g["title"],
                                           "plan": g["framework"], "rag": "", "rag_text": "", "actions": [],
                                           "milestones": [], "measures": shown}, authoring))
    elif other:
        sections.append(_authored({"key": OTHER_SECTION, "title": "Other measures", "plan": "", "rag": "",
                                   "rag_text": "", "actions": [], "milestones": [], "measures": other}, authoring))
    dq = s["data_quality"]
    dq_rows = []
    for r in dq["submissions"]:
        dq_rows.append({**r, "files_text": ", ".join(r["files"]),
                        "quarantined_text": public_count(r["quarantined"]) if public else f"{r['quarantined']:,}",
                        "reasons_text": "; ".join(
                            f"{k}: {public_count(v) if public else v}" for k, v in r["reasons"].items()),
                        "feeds_text": ", ".join(r["feeds_measures"]) or "None in this report"})
    ch = s["changes"]
    prev = ch.get("previous")
    has_prev = prev is not None
    changes = {
        "previous": prev, "has_previous": has_prev,
        "previous_text": (f"Compared with ‘{prev['title']}’ ({prev['period']}), published {day(prev['published_at'])}."
                          if has_prev else "There is no earlier published report for this scope to compare with."),
        "groups": [
            ("Added", [f"{i['kind'].capitalize()}: {i['title']}" for i in ch["added"]]),
            ("Completed", [f"{i['kind'].capitalize()}: {i['title']}" for i in ch["completed"]]),
            ("Slipped", [f"{i['kind'].capitalize()}: {i['title']} ({i['detail']})" for i in ch["slipped"]]),
            ("Re-dated", [f"{i['title']}: from {day(i['from'])} to {day(i['to'])}"
                          + (f". Reason: {i['reason']}" if i["reason"] else "") for i in ch["redated"]]),
            ("Dropped", [f"{i['kind'].capitalize()}: {i['title']}. Reason: {i['reason']}" for i in ch["dropped"]]),
            ("Measures", [f"{i['title']}: {i['change']}" for i in ch["measures"]
                          if not public or "revised" not in i["change"] and "new value" not in i["change"]
                          and i.get("public_shown", not by_title.get(i["title"], {}).get("suppressed", True))]
             + ([f"{sum(1 for i in ch['measures'] if 'revised' in i['change'] or 'new value' in i['change'])} "
                 "measures have new or revised values (see each measure)"]
                if public and any("revised" in i["change"] or "new value" in i["change"] for i in ch["measures"])
                else [])),
        ],
    }
    forecasts = [{**f, "as_of_text": day(f["as_of"]), "milestones": forecast_milestones(f, public),
                  "backlog_text": (public_count(f["backlog"]) if public else f"{f['backlog']:,}")
                  if f.get("backlog") is not None else "",
                  "scenarios": [{**sc, "clears_text": day(sc["clearance_date"]) if sc["clears"] else
                                 "Does not clear within the forecast"} for sc in f["scenarios"]]}
                 for f in s["forecasts"]]
    return {
        "title": s["title"] + (" (public version)" if public else ""),
        "organisation": s["organisation"]["name"], "scope": s["scope"]["label"], "scope_kind": s["scope"]["kind"],
        "period": s["period"]["title"], "period_id": s["period"]["identifier"], "as_of": day(s["as_of"]),
        "built_at": day(s["built_at"]), "public": public,
        "status": sign_off.get("status", "draft"), "status_label": sign_off.get("status_label", "Draft"),
        "approved": (f"Approved by {sign_off['approved_by']} on {day(sign_off['approved_at'])}"
                     if sign_off.get("approved_at") else ""),
        "published": (f"Published by {sign_off['published_by']} on {day(sign_off['published_at'])}"
                      if sign_off.get("published_at") else ""),
        "hash": (sign_off.get("hash") or "")[:16],
        "version_line": version_line(sign_off, public),
        "main_messages": [p.strip() for p in s.get("main_messages", "").split("\n\n") if p.strip()],
        "facts": facts,
        "rag_columns": [(k, RAG_LABELS[k]) for k in RAG_ORDER],
        "count_rows": count_rows,
        "measure_columns": [(k, RAG_LABELS[k]) for k in MEASURE_RAG_ORDER],
        "measure_counts": measure_counts,
        "exceptions": exceptions, "sections": sections, "forecasts": forecasts,
        "bodies": s.get("terms", {}),
        # Snapshots made before the domains reported have none: they re-render as they were.
        "domains": [d for d in (section_view(sec, public=public) for sec in s.get("domains", [])) if d],
        "data_quality": dq_rows,
        "excluded_total": public_count(dq["excluded_total"]) if public else f"{dq['excluded_total']:,}",
        "changes": changes,
        "section_titles": SECTION_TITLES,
    }


def render(snapshot: dict, fmt: str, *, public: bool = False, sign_off: dict | None = None,
           docx_template: bytes | None = None) -> bytes:
    """The report in ``fmt``; ``docx_template`` is the organisation's Word template, if it has one."""
    v = view(snapshot, public=public, sign_off=sign_off)
    if fmt == "html":
        from carestat.reports.render.html import standalone_html

        return standalone_html(v).encode()
    if fmt == "pdf":
        from carestat.reports.render.pdf import render_pdf

        return render_pdf(v)
    if fmt == "docx":
        from carestat.reports.render.docx import render_docx

        return render_docx(v, snapshot.get("built_at", ""), template=docx_template)
    if fmt == "xlsx":
        from carestat.reports.render.xlsx import render_xlsx

        return render_xlsx(v, snapshot.get("built_at", ""))
    if fmt == "pptx":
        from carestat.reports.render.pptx import render_pptx

        return render_pptx(v, snapshot.get("built_at", ""))
    raise ValueError(f"Unknown format {fmt}")
