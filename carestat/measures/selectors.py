"""What measure pages, the API and the command line read: the measures list (one judged row
per tracked measure, filtered alike everywhere) and the recomputed figures awaiting a manager.

Each reads one organisation's rows only; none changes anything."""

from __future__ import annotations

import hashlib
import json
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone

from carestat.core.models import AuditEntry, Organisation
from carestat.measures.judging import judge, spark
from carestat.measures.models import (
    CatalogueMeasure,
    Measure,
    MeasureValue,
    PendingRevision,
    RevisionStatus,
    ValueStatus,
)

# (value of ?variation=, words)
FILTER_VARIATIONS = [
    ("common_cause", "Common cause"),
    ("improving", "Special cause: improving"),
    ("concerning", "Special cause: concerning"),
    ("neither", "Special cause: neither better nor worse"),
    ("none", "Too few points for SPC"),
]
RAGS = ("green", "amber", "red", "none")


def _id(text: str) -> int | None:
    """A record id typed in a query string, or None for anything else ("7a", "²", 10**30)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def measure_rows(org: Organisation, *, public: bool = False, domain: str = "", plan: str = "", unit: str = "",
                 rag: str = "", variation: str = "", changed: str = "") -> tuple[list[dict], list[str]]:
    """Rows for the list page and the API's list, with the domains there are to filter by.
    ``plan`` and ``unit`` are ids as typed (a query string's text); one that is not a number
    matches nothing. ``changed`` ("rag" or "red") keeps measures whose RAG moved at their latest
    value ("red": moved to red), each row then carrying the RAG it moved from."""
    measures = Measure.objects.filter(organisation=org, is_archived=False).select_related("catalogue", "owner_unit")
    if public:
        measures = measures.filter(is_public=True)
    domains = sorted(set(measures.values_list("domain", flat=True)))
    if domain:
        measures = measures.filter(domain=domain)
    if plan:
        plan_id = _id(plan)
        measures = (measures.filter(objective_links__objective__priority__plan_id=plan_id).distinct()
                    if plan_id is not None else measures.none())
    if unit:
        unit_id = _id(unit)
        measures = measures.filter(owner_unit_id=unit_id) if unit_id is not None else measures.none()
    rows = []
    values = MeasureValue.objects.select_related("entered_by", "approved_by")
    for m in measures.prefetch_related("benchmarks", "targets", "process_changes", Prefetch("values", values)):
        report = judge(m, public=public, chart=False)
        row_rag = report.rag or "none"
        kind = report.variation.kind if report.variation else "none"
        if rag and row_rag != rag:
            continue
        if variation and kind != variation:
            continue
        row = {"measure": m, "report": report, "rag": row_rag, "variation_kind": kind, "spark": spark(report)}
        if changed:
            if changed == "red" and row_rag != "red":
                continue  # judged once only: the history is judged again for red rows alone
            before = previous_rag(m, report, public=public)
            if before is None or before == row_rag:
                continue
            row["previous_rag"] = before
        rows.append(row)
    return rows, domains


def previous_rag(measure: Measure, report, *, public: bool = False) -> str | None:
    """The RAG the measure had at its previous approved value, judged on the history up to
    then, or None when it has no earlier value."""
    if len(report.points) < 2:
        return None
    before = judge(measure, public=public, chart=False, as_of=report.points[-2].period)
    return before.rag or "none"


def values_awaiting_approval(org: Organisation):
    """Measure values entered or imported and not yet approved, oldest first."""
    return (MeasureValue.objects.filter(measure__organisation=org, measure__is_archived=False,
                                        status=ValueStatus.SUBMITTED)
            .select_related("measure", "entered_by").order_by("created_at", "pk"))


def cached_measure_rows(org: Organisation, *, public: bool = False, **filters: str) -> tuple[list[dict], list[str]]:
    """``measure_rows``, kept for CARESTAT_MEASURE_LIST_CACHE_SECONDS in this process's cache.

    Judging every measure costs most of a page's CPU, and the answer is the same for everyone in
    the organisation until something changes. Every change goes through the audit trail
    (carestat.core.audit.log_action), so the newest audit entry is part of the key: any recorded
    change anywhere, and a new day, make the next request judge afresh. The time limit bounds
    what a change made outside CareStat (reference data loaded on the server) could leave stale.
    """
    seconds = settings.CARESTAT_MEASURE_LIST_CACHE_SECONDS
    if not seconds:
        return measure_rows(org, public=public, **filters)
    newest = AuditEntry.objects.order_by("-id").values_list("id", "at").first() or (0, None)
    key = "measure-rows:" + hashlib.sha256(json.dumps(
        [org.pk, public, sorted(filters.items()), newest[0], str(newest[1]), timezone.localdate().isoformat()],
    ).encode()).hexdigest()
    return _kept_rows(key, seconds, lambda: measure_rows(org, public=public, **filters))


# The rows are kept as objects in this process, not in Django's cache: the local-memory cache
# pickles what it keeps and unpickles it on every read, and unpickling a list of judged measures
# (model instances, judgements, sparklines) cost more CPU than rendering the page it served
# (docs/decisions/0030-pages-under-load.md). Callers only read the rows. A marker in Django's
# cache ties these to it, so that clearing the cache (each test does) forgets them too.
_KEPT: dict[str, tuple[float, tuple[list[dict], list[str]]]] = {}
_KEPT_MAX = 64
_KEPT_LOCK = threading.Lock()
_KEPT_MARKER = "measure-rows:kept-in-process"


def _kept_rows(key: str, seconds: int, judge_rows) -> tuple[list[dict], list[str]]:
    now = time.monotonic()
    with _KEPT_LOCK:
        if cache.get(_KEPT_MARKER) is None:
            _KEPT.clear()
            cache.set(_KEPT_MARKER, True, None)
        hit = _KEPT.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    found = judge_rows()
    with _KEPT_LOCK:
        for old in [k for k, (expires, _) in _KEPT.items() if expires <= now]:
            del _KEPT[old]
        while len(_KEPT) >= _KEPT_MAX:
            del _KEPT[next(iter(_KEPT))]  # the oldest kept
        _KEPT[key] = (now + seconds, found)
    return found


def pending_revisions(org: Organisation):
    """Recomputed figures awaiting a manager, newest first."""
    return (PendingRevision.objects.filter(current__measure__organisation=org, status=RevisionStatus.PENDING)
            .select_related("current", "current__measure", "computed_by"))


def offered_catalogue(org: Organisation, *, every_jurisdiction: bool = False) -> list[CatalogueMeasure]:
    """The catalogue measures the organisation is offered: those that apply to its jurisdiction
    (an English council is not offered Wales's measures, nor a Welsh one England's), or every
    measure when asked. Ordered by framework, its group (quality standard), then code."""
    from carestat.measures.catalogue import ensure_catalogue

    ensure_catalogue()
    entries = CatalogueMeasure.objects.all()
    chosen = [c for c in entries if every_jurisdiction or c.applies_to(org.jurisdiction)]
    return sorted(chosen, key=lambda c: (c.framework, c.framework_group, c.domain, c.code))
