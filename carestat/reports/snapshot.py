"""Build a report's snapshot: everything the report says, as plain JSON.

This is the one module that reads the plans, measures and case-data apps, so when their
models move only this file changes. Renderers read the snapshot and nothing else, so a
frozen report renders the same content forever.

The snapshot holds figures both as entered and as they may be published (``public``), so the
public version is a rendering choice, not a different snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from carestat.analytics.judgements.suppression import publish_count
from carestat.core.archiving import archive_reasons
from carestat.core.changes import name_of
from carestat.core.contributions import SectionContext, report_sections
from carestat.core.models import Organisation, ReportingPeriod

SNAPSHOT_VERSION = 1
RAG_ORDER = ["red", "amber", "green", "blue", "grey"]
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Complete", "grey": "Not started",
              "none": "No judgement"}
MEASURE_RAG_ORDER = ["red", "amber", "green", "none"]

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str = "") -> None:
    pass


def content_hash(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON: the fingerprint printed on every format."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _dec(x) -> str:
    if x is None:
        return ""
    return f"{Decimal(x).normalize():f}"


# Scope -----------------------------------------------------------------------------------

def scope_plans(org: Organisation, scope: str, *, plan=None, unit=None, remit=None) -> list:
    from carestat.plans.models import Plan

    live = Plan.objects.filter(organisation=org, is_archived=False)
    if scope == "plan":
        return [plan] if plan is not None else []
    if scope == "unit":
        return list(live.filter(owner_unit=unit))
    if scope == "remit":
        return list(remit.plans.filter(organisation=org, is_archived=False)) if remit else []
    return list(live)


def scope_extra_measures(org: Organisation, scope: str, *, unit=None, remit=None) -> list:
    """Measures in scope that are not reached through a plan's objectives."""
    from carestat.measures.models import Measure

    live = Measure.objects.filter(organisation=org, is_archived=False)
    if scope == "organisation":
        return list(live)
    if scope == "unit":
        return list(live.filter(owner_unit=unit))
    if scope == "remit" and remit is not None:
        return list(remit.measures.filter(organisation=org, is_archived=False))
    return []


def scope_label(scope: str, *, org, plan=None, unit=None, remit=None) -> str:
    if scope == "plan" and plan is not None:
        return plan.title
    if scope == "unit" and unit is not None:
        return unit.name
    if scope == "remit" and remit is not None:
        return remit.name
    return org.name


# Measures --------------------------------------------------------------------------------

def _chart(chart) -> dict | None:
    if chart is None:
        return None
    t = chart.table
    return {"svg": chart.svg, "caption": t.caption, "headers": list(t.headers),
            "rows": [[str(r.get(h, "")) for h in t.headers] for r in t.rows], "summary": t.summary}


def _label(x) -> str:
    if x is None:
        return ""
    return str(getattr(x, "label", x))


def _as_of_label(measure, period: ReportingPeriod) -> str | None:
    v = measure.values.filter(period_start__lte=period.end).order_by("-period_start").first()
    return v.period if v else None


def measure_entry(measure, period: ReportingPeriod) -> dict:
    """One measure as the report shows it: latest approved value up to the period's end,
    its target, national value, RAG, variation, assurance and chart, plus the public view."""
    from carestat.measures import judging

    as_of = _as_of_label(measure, period)
    entry: dict[str, Any] = {
        "key": f"measure:{measure.pk}", "id": measure.pk, "code": measure.code, "title": measure.title,
        "unit": measure.unit, "polarity": measure.get_polarity_display(), "period": "", "value": "",
        "raw_value": "", "numerator": "", "denominator": "", "target": "", "national": "", "national_source": "",
        "rag": "none", "rag_label": "No value", "rag_explanation": "", "variation": "", "assurance": "",
        "notes": [], "chart": None, "series": [], "provenance": "", "revised": False,
        "public": {"value": "", "suppressed": False, "rag": "none", "rag_label": "No value", "chart": None,
                   "series": [], "notes": []},
    }
    if as_of is None:
        entry["notes"] = entry["public"]["notes"] = ["No value has been recorded for this period or before it."]
        return entry
    full = judging.judge(measure, as_of=as_of)
    public = judging.judge(measure, public=True, as_of=as_of)
    entry["notes"] = list(full.notes)
    national = full.national
    entry["national"] = full.fmt(national.value) if national else ""
    if national and not measure.benchmarks_compared:
        # beside the RAG column a bare England count would read as a comparison
        entry["national"] += " (for context only: a count is not compared)"
    year = getattr(national, "year", "") if national else ""
    entry["national_source"] = (f"{national.source} ({year})" if year else national.source) if national else ""
    if full.latest is not None:
        v = full.latest
        entry.update({
            "period": v.period, "value": full.latest_display, "raw_value": _dec(v.value),
            "numerator": _dec(v.numerator), "denominator": _dec(v.denominator),
            "target": full.fmt(full.target.value) if full.target else "",
            "rag": full.rag or "none", "rag_label": full.rag_label,
            "rag_explanation": full.judgement.rag.explanation if full.judgement else "",
            "variation": _label(full.variation), "assurance": _label(full.assurance),
            "chart": _chart(full.chart), "provenance": v.provenance, "revised": v.is_revised,
            "series": [{"period": p.period, "value": p.display, "raw": _dec(p.value.value)} for p in full.points],
        })
    # The public view's latest value is the same approved value as the full view's: either
    # the same figure or "fewer than 5" for that same period, never an earlier period's.
    entry["public"] = {
        "period": public.latest.period if public.latest else "",
        "value": public.latest_display, "suppressed": public.latest_suppressed,
        "rag": public.rag or "none", "rag_label": public.rag_label,
        "rag_explanation": public.judgement.rag.explanation if public.judgement else "",
        "variation": _label(public.variation), "assurance": _label(public.assurance),
        "chart": _chart(public.chart),
        "series": [{"period": p.period, "value": p.display} for p in public.points],
        "notes": list(public.notes),
    }
    return entry


def public_figure(m: dict) -> dict:
    """A snapshot measure's public figure, held to the full one: the same period, and either
    the same figure and RAG or "fewer than 5" with no judgement.

    Snapshots built before 2026-12 took the public figure from the last unsuppressed value,
    so a suppressed latest value showed an earlier period's figure and RAG in its place (and
    stored no public period). Their public entries only ever differ from the full one in
    that way, so a public series ending before the full period means the latest value was
    suppressed; it is shown as such, so frozen reports render correctly too."""
    p = m["public"]
    period = m["period"]
    if "period" in p:
        shown, suppressed = p["period"] == period, p["suppressed"]
    else:  # an older snapshot
        last = p["series"][-1]["period"] if p["series"] else ""
        shown = bool(period) and last == period
        suppressed = bool(period) and not shown
    if not period:
        return {**p, "period": "", "value": "", "suppressed": False, "rag": "none", "rag_label": "No value"}
    if shown and not suppressed:
        return {"variation": m["variation"], "assurance": m["assurance"], "rag_explanation": m["rag_explanation"],
                **p, "period": period, "suppressed": False}
    return {**p, "period": period, "value": "fewer than 5", "suppressed": True, "rag": "none",
            "rag_label": "No judgement", "rag_explanation": "", "variation": "", "assurance": ""}


def measure_fact(counts: dict[str, int]) -> str:
    """The summary's sentence on measures' RAG ratings."""
    return (f"{counts['red']} measures are red, {counts['amber']} amber and {counts['green']} green against "
            "their targets.")


# Plans -----------------------------------------------------------------------------------

def _latest_update(action, period: ReportingPeriod):
    from carestat.plans.models import UpdateStatus

    return (action.updates.filter(status=UpdateStatus.APPROVED, period__start__lte=period.end)
            .select_related("period").order_by("-period__start").first())


def _reasons(org: Organisation, model: str, ids: list[int]) -> dict[str, str]:
    """Reasons given when items were last archived, from the audit trail (an item archived,
    restored and archived again gives its latest reason)."""
    found = archive_reasons(org, [f"plans.{model}.archived"], ids)
    return {f"{model}:{record_id}": reason for (_, record_id), reason in found.items()}


def plan_sections(plan, period: ReportingPeriod, as_of: dt.date,
                  on_priority: Callable[[str], None] | None = None) -> tuple[list[dict], dict]:
    """One section per priority with its actions, milestones and linked measures; and the
    reasons for items archived so far (for "dropped"). ``on_priority(title)`` is called as
    each priority is read, for progress."""
    from carestat.measures.models import MeasureObjective
    from carestat.plans.models import Action, Milestone
    from carestat.plans.progress import plan_tree

    tree = plan_tree(plan, today=as_of)
    sections = []
    for p in tree.priorities:
        if on_priority is not None:
            on_priority(p.priority.title)
        actions = []
        objective_ids = []
        for o in p.objectives:
            objective_ids.append(o.objective.pk)
            for a in o.actions:
                act = a.action
                upd = _latest_update(act, period)
                milestones = [{
                    "key": f"milestone:{m.milestone.pk}", "id": m.milestone.pk, "title": m.milestone.title,
                    "baseline": _d(m.milestone.baseline_date), "forecast": _d(m.milestone.forecast_date),
                    "actual": _d(m.milestone.actual_date), "status": m.judgement.status.value,
                    "status_label": m.judgement.status.label, "rag": m.judgement.rag.value,
                    "slippage_days": m.slippage_days, "overridden": m.judgement.overridden,
                } for m in a.milestones]
                actions.append({
                    "key": f"action:{act.pk}", "id": act.pk, "title": act.title, "objective": o.objective.statement,
                    "owner": name_of(act.owner), "due": _d(act.due),
                    "phase": act.phase, "percent": act.percent_complete,
                    "status": a.rollup.status.value if a.rollup.status else "",
                    "status_label": a.rollup.status.label if a.rollup.status else "",
                    "rag": a.rollup.rag.value if a.rollup.rag else "grey",
                    "commentary": upd.commentary if upd else "", "recovery": upd.recovery_action if upd else "",
                    "update_period": upd.period.identifier if upd else "",
                    "delivery": upd.get_delivery_display() if upd else "",
                    "milestones": milestones,
                })
        measure_ids = list(MeasureObjective.objects.filter(objective_id__in=objective_ids,
                                                           measure__is_archived=False)
                           .order_by("measure__code").values_list("measure_id", flat=True).distinct())
        sections.append({
            "key": f"priority:{p.priority.pk}", "plan": plan.title, "title": p.priority.title,
            "rag": p.rollup.rag.value if p.rollup.rag else "grey", "actions": actions,
            "measure_ids": list(dict.fromkeys(measure_ids)),
        })
    archived_actions = list(Action.objects.filter(objective__priority__plan=plan, is_archived=True)
                            .values_list("pk", flat=True))
    archived_milestones = list(Milestone.objects.filter(action__objective__priority__plan=plan, is_archived=True)
                               .values_list("pk", flat=True))
    reasons = {**_reasons(plan.organisation, "action", archived_actions),
               **_reasons(plan.organisation, "milestone", archived_milestones)}
    return sections, reasons


def _date_change_reasons(milestone_ids: list[int]) -> dict[str, list[dict]]:
    from carestat.plans.models import MilestoneDateChange

    out: dict[str, list[dict]] = {}
    for c in MilestoneDateChange.objects.filter(milestone_id__in=milestone_ids).order_by("changed_at", "pk"):
        out.setdefault(f"milestone:{c.milestone_id}", []).append(
            {"old": _d(c.old_date), "new": _d(c.new_date), "reason": c.reason,
             "changed_at": timezone.localtime(c.changed_at).date().isoformat()})
    return out


# Forecasts and data quality --------------------------------------------------------------

def forecasts(org: Organisation, period: ReportingPeriod) -> list[dict]:
    try:
        from carestat.casedata.forecasting import forecast_chart
        from carestat.casedata.models import SavedForecast
    except ImportError:  # pragma: no cover - the case-data app is optional for reports
        return []
    out = []
    latest: dict[str, Any] = {}
    for f in SavedForecast.objects.filter(organisation=org, as_of__lte=period.end).order_by("as_of", "created_at"):
        latest[f.work_type] = f  # the latest forecast of each kind of work
    for f in latest.values():
        try:
            chart = _chart(forecast_chart(f.result, f.title))
        except Exception:  # a forecast that cannot be drawn is still reported in words
            chart = None
        scenarios = [{"name": s.get("name", ""), "clears": bool(s.get("clears")),
                      "clearance_date": s.get("clearance_date") or "", "description": s.get("description", ""),
                      "clearance_early": s.get("clearance_early") or "",
                      "clearance_late": s.get("clearance_late") or "",
                      "already_clear": bool(s.get("already_clear"))}
                     for s in f.result.get("scenarios", [])]
        history = f.result.get("history") or []
        out.append({"title": f.title, "work_type": f.work_type, "as_of": _d(f.as_of),
                    "backlog": history[-1].get("backlog") if history else None,
                    "scenarios": scenarios, "chart": chart, "actual": _forecast_actual(f, period),
                    "submissions": [str(s) for s in f.submissions]})
    return out


def _forecast_actual(forecast, period: ReportingPeriod) -> dict | None:
    """What the backlog actually did after the forecast, up to the period's end: the latest
    week's backlog, whether it fell in the forecast band, and the week it cleared (if it did)."""
    from carestat.casedata.forecasting import against_actuals

    try:
        comparison = against_actuals(forecast)
    except Exception:  # no case-data store: the forecast is reported without its outturn
        return None
    weeks = [w for w in (comparison or {}).get("weeks", []) if w["week_start"] <= period.end.isoformat()]
    if not weeks:
        return None
    cleared = next((w for w in weeks if w["actual"] <= 0), None)
    last = weeks[-1]
    return {"scenario": comparison["scenario"], "week_start": last["week_start"], "backlog": int(last["actual"]),
            "within_band": bool(last["within_band"]),
            "cleared_on": (dt.date.fromisoformat(cleared["week_start"]) + dt.timedelta(days=6)).isoformat()
            if cleared else ""}


def data_quality(org: Organisation, period: ReportingPeriod, measures: list[dict], *, every: bool = False) -> dict:
    """The submissions feeding the report's measures (``every``: all held for the period, for
    an organisation-wide report), with the records each left out."""
    from carestat.casedata.models import Submission

    cited = {str(s) for m in measures for s in m.get("submission_ids", [])}
    rows = []
    from django.db.models import Q

    qs = Submission.objects.filter(Q(period_start__lte=period.end) | Q(period_start__isnull=True),
                                   organisation=org)
    for s in qs.order_by("period_start", "pk"):
        if s.superseded_by_id is not None and str(s.pk) not in cited:
            continue
        rows.append({"id": s.pk, "format": s.get_format_display(), "files": list(s.files),
                     "period": s.period_label, "status": s.get_status_display(),
                     "quarantined": s.quarantined_records,
                     "reasons": {str(k): int(v) for k, v in (s.quarantine_reasons or {}).items()},
                     "errors": s.error_count, "warnings": s.warning_count,
                     "feeds_measures": sorted(m["code"] for m in measures if str(s.pk) in m.get("submission_ids", []))})
        if not every and not rows[-1]["feeds_measures"]:
            rows.pop()
    return {"submissions": rows, "excluded_total": sum(r["quarantined"] for r in rows)}


# Summary, exceptions and changes ---------------------------------------------------------

def _counts(rags) -> dict[str, int]:
    c = Counter(rags)
    return {k: c.get(k, 0) for k in RAG_ORDER + ["none"] if c.get(k, 0) or k in RAG_ORDER}


def index(snap: dict) -> dict[str, dict]:
    """Every action, milestone and measure in a snapshot by key, for comparison."""
    out = {}
    for s in snap.get("sections", []):
        for a in s["actions"]:
            out[a["key"]] = {"kind": "action", "title": a["title"], "rag": a["rag"], "status": a["status"]}
            for m in a["milestones"]:
                out[m["key"]] = {"kind": "milestone", "title": m["title"], "rag": m["rag"], "status": m["status"],
                                 "forecast": m["forecast"], "actual": m["actual"]}
    for m in snap.get("measures", []):
        pub = public_figure(m)
        out[m["key"]] = {"kind": "measure", "title": f"{m['code']}: {m['title']}", "rag": m["rag"],
                         "period": m["period"], "value": m["value"], "raw_value": m["raw_value"],
                         "public_rag": pub["rag"], "public_suppressed": pub["suppressed"]}
    return out


def compare(current: dict, previous: dict | None, previous_meta: dict | None) -> dict:
    """What changed between the previous published report's snapshot and this one."""
    out = {"previous": previous_meta, "added": [], "completed": [], "slipped": [], "redated": [],
           "dropped": [], "measures": []}
    if previous is None:
        return out
    now, before = index(current), index(previous)
    reasons = current.get("archived_reasons", {})
    redates = current.get("date_changes", {})
    since = (previous_meta or {}).get("built_at", "")[:10]
    for key, item in now.items():
        old = before.get(key)
        label = {"kind": item["kind"], "title": item["title"]}
        if old is None:
            out["added"].append(label)
            continue
        if item["kind"] == "measure":
            if item["period"] != old["period"] or item["raw_value"] != old["raw_value"]:
                what = (f"value for {item['period']} revised from {old['value']} to {item['value']}"
                        if item["period"] == old["period"] else
                        f"new value {item['value']} for {item['period']} (was {old['value'] or 'none'} for "
                        f"{old['period'] or 'no period'})")
                out["measures"].append({**label, "change": what, "rag_before": old["rag"], "rag": item["rag"]})
            elif item["rag"] != old["rag"]:
                # the public version says so only if neither RAG rests on a suppressed figure
                shown = not item.get("public_suppressed") and not old.get("public_suppressed")
                out["measures"].append({**label, "change": f"RAG moved from {RAG_LABELS.get(old['rag'])} to "
                                        f"{RAG_LABELS.get(item['rag'])}", "rag_before": old["rag"], "rag": item["rag"],
                                        "public_shown": shown})
            continue
        if item["status"] == "complete" and old["status"] != "complete":
            out["completed"].append(label)
        if item["status"] == "overdue" and old["status"] != "overdue":
            out["slipped"].append({**label, "detail": "now overdue"})
        if item["kind"] == "milestone" and item.get("forecast") != old.get("forecast"):
            why = [c["reason"] for c in redates.get(key, []) if c["changed_at"] >= since] or [
                c["reason"] for c in redates.get(key, [])[-1:]]
            out["redated"].append({**label, "from": old.get("forecast", ""), "to": item.get("forecast", ""),
                                   "reason": "; ".join(why)})
            if old.get("forecast") and item.get("forecast") and item["forecast"] > old["forecast"]:
                out["slipped"].append({**label, "detail": f"forecast moved later, from {old['forecast']} "
                                                          f"to {item['forecast']}"})
    for key, old in before.items():
        if key not in now:
            out["dropped"].append({"kind": old["kind"], "title": old["title"],
                                   "reason": reasons.get(key, "no longer in this report's scope")})
    return out


def build(org: Organisation, period: ReportingPeriod, *, scope: str, title: str, plan=None, unit=None,
          remit=None, main_messages: str = "", previous: dict | None = None, previous_meta: dict | None = None,
          today: dt.date | None = None, progress: Progress | None = None) -> dict:
    """The report's content for ``scope`` and ``period`` as plain JSON.

    ``progress(done, total, message)`` is told as each priority is read and each measure
    judged (the slow part: a measure's RAG, variation and chart), then as forecasts, data
    quality and the comparison with the last published report are gathered."""
    progress = progress or no_progress
    today = today or timezone.localdate()
    as_of = min(period.end, today)
    sections: list[dict] = []
    reasons: dict[str, str] = {}
    plans = scope_plans(org, scope, plan=plan, unit=unit, remit=remit)
    extra = [m.pk for m in scope_extra_measures(org, scope, unit=unit, remit=remit)]
    steps = _Steps(progress, _count_priorities(plans) + len(set(_linked_measure_ids(plans)) | set(extra)) + 2)
    for plan_ in plans:
        s, r = plan_sections(plan_, period, as_of,
                             on_priority=lambda title, p=plan_: steps.next(f"Reading ‘{title}’ ({p.title})"))
        sections += s
        reasons.update(r)
    from carestat.measures.models import Measure

    linked = [mid for s in sections for mid in s["measure_ids"]]
    measure_ids = list(dict.fromkeys(linked + extra))
    steps.expect(len(measure_ids) + 2)
    measures_by_id = {m.pk: m for m in Measure.objects.filter(organisation=org, pk__in=measure_ids)
                      .select_related("catalogue")}
    measures = []
    for mid in measure_ids:
        m = measures_by_id[mid]
        steps.next(f"Judging {m.code}: {m.title}")
        entry = measure_entry(m, period)
        latest = m.values.filter(period=entry["period"]).first() if entry["period"] else None
        entry["submission_ids"] = [str(s).lstrip("S") for s in (latest.submissions if latest else [])]
        measures.append(entry)
    unlinked = [mid for mid in measure_ids if mid not in set(linked)]

    actions = [a for s in sections for a in s["actions"]]
    milestones = [m for a in actions for m in a["milestones"]]
    exceptions = []
    for s in sections:
        for a in s["actions"]:
            if a["rag"] in ("red", "amber"):
                late = [m for m in a["milestones"] if m["rag"] in ("red", "amber")]
                exceptions.append({"kind": "action", "key": a["key"], "section": s["title"], "title": a["title"],
                                   "rag": a["rag"],
                                   "owner": a["owner"], "status": a["status_label"],
                                   "milestones": [f"{m['title']} (due {m['forecast']}, {m['status_label'].lower()})"
                                                  for m in late],
                                   "commentary": a["commentary"] or "No approved update this period.",
                                   "recovery": a["recovery"] or "No recovery action recorded."})
    for m in measures:
        if m["rag"] in ("red", "amber"):
            exceptions.append({"kind": "measure", "key": m["key"], "measure_id": m["id"], "section": "Measures",
                               "title": f"{m['code']}: {m['title']}",
                               "rag": m["rag"], "owner": "", "status": m["rag_label"], "milestones": [],
                               "commentary": m["rag_explanation"] or "; ".join(m["notes"]),
                               "recovery": "", "public_rag": m["public"]["rag"]})
    counts = {"actions": _counts(a["rag"] for a in actions), "milestones": _counts(m["rag"] for m in milestones),
              "measures": {k: sum(1 for m in measures if m["rag"] == k) for k in MEASURE_RAG_ORDER}}
    public_measure_counts = {k: sum(1 for m in measures if public_figure(m)["rag"] == k) for k in MEASURE_RAG_ORDER}
    overdue = sum(1 for m in milestones if m["status"] == "overdue")
    slipped = sum(1 for m in milestones if m["slippage_days"] > 0 and m["status"] != "complete")
    facts = [
        f"{len(actions)} actions, {len(milestones)} milestones and {len(measures)} measures are in this report.",
        f"{counts['milestones'].get('blue', 0)} milestones are complete; {overdue} are overdue and {slipped} "
        "open milestones are forecast later than their original date.",
        measure_fact(counts["measures"]),
    ]
    steps.next("Gathering backlog forecasts and data quality")
    framework = framework_groups([measures_by_id[mid] for mid in measure_ids])
    snap = {
        "version": SNAPSHOT_VERSION,
        "title": title,
        "organisation": {"name": org.name, "slug": org.slug},
        "scope": {"kind": scope, "label": scope_label(scope, org=org, plan=plan, unit=unit, remit=remit)},
        "period": {"identifier": period.identifier, "title": period.title, "start": _d(period.start),
                   "end": _d(period.end)},
        "as_of": _d(as_of),
        "built_at": timezone.now().replace(microsecond=0).isoformat(),
        "main_messages": main_messages,
        "summary": {"counts": counts, "public_measure_counts": public_measure_counts, "facts": facts},
        "exceptions": exceptions,
        "sections": sections,
        "measures": measures,
        "unlinked_measure_ids": unlinked,
        "forecasts": forecasts(org, period),
        # What the domain apps (risks, money, ...) report for this scope, frozen with the rest.
        "domains": report_sections(SectionContext(org, period, as_of, scope, plan=plan, unit=unit, remit=remit)),
        "data_quality": data_quality(org, period, measures, every=scope == "organisation"),
        "archived_reasons": reasons,
        "date_changes": _date_change_reasons([m["id"] for m in milestones]),
    }
    # Only where the measures belong to a national framework other than England's (Wales's
    # quality standards), so an English report's snapshot keeps exactly its old shape.
    if framework:
        snap["framework"] = framework
    terms = org_terms(org)
    if terms:
        snap["terms"] = terms
    steps.next("Comparing with the last published report")
    snap["changes"] = compare(snap, previous, previous_meta)
    steps.finish(f"Read {_n(len(actions), 'action')}, {_n(len(milestones), 'milestone')} and "
                 f"{_n(len(measures), 'measure')}")
    return snap


def framework_groups(measures: list) -> dict | None:
    """The report's measures grouped by their framework's quality standards or well-being
    outcomes (from the catalogue), in the catalogue's order; measures of no framework last.
    None when no measure belongs to a framework."""
    grouped = [m for m in measures if m.catalogue is not None and m.catalogue.framework_group]
    if not grouped:
        return None
    groups: dict[tuple[str, str], list] = {}
    for m in sorted(grouped, key=lambda m: (m.catalogue.framework, m.catalogue.framework_group, m.code)):
        groups.setdefault((m.catalogue.framework, m.catalogue.framework_group), []).append(m)
    out = [{"framework": fw, "title": title, "measure_ids": [m.pk for m in ms],
            "sources": {str(m.pk): m.catalogue.source_url for m in ms if m.catalogue.source_url}}
           for (fw, title), ms in groups.items()]
    rest = [m.pk for m in measures if m not in grouped]
    if rest:
        out.append({"framework": "", "title": "Local measures", "measure_ids": rest, "sources": {}})
    return {"names": sorted({fw for fw, _ in groups}), "groups": out}


def org_terms(org: Organisation) -> dict:
    """The names the organisation gives its bodies, where they differ from the English defaults."""
    from carestat.jurisdictions.selectors import custom_terms

    return custom_terms(org)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Steps:
    """Counts the build's steps for ``progress``. The total is known before the first step
    (priorities and measures are counted up front) and corrected, never below what is done,
    should the count differ from what the plans turned out to hold."""

    def __init__(self, progress: Progress, total: int):
        self.progress, self.done, self.total = progress, 0, max(1, total)

    def expect(self, remaining: int) -> None:
        self.total = max(1, self.done + remaining)

    def next(self, message: str) -> None:
        self.progress(self.done, self.total, message)
        self.done += 1
        self.total = max(self.total, self.done)

    def finish(self, message: str) -> None:
        self.progress(self.total, self.total, message)


def _count_priorities(plans: list) -> int:
    from carestat.plans.models import Priority

    return Priority.objects.filter(plan__in=plans, is_archived=False).count() if plans else 0


def _linked_measure_ids(plans: list) -> list[int]:
    """The live measures of the plans' live objectives: what ``plan_sections`` will reach."""
    from carestat.measures.models import MeasureObjective

    if not plans:
        return []
    return list(MeasureObjective.objects.filter(objective__priority__plan__in=plans, objective__is_archived=False,
                                                objective__priority__is_archived=False, measure__is_archived=False)
                .values_list("measure_id", flat=True).distinct())


def public_count(n: int | None) -> str:
    """A count of people as it may be published."""
    if n is None:
        return ""
    return publish_count(int(n)).display
