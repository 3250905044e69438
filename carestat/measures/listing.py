"""The measures list: one judged row per tracked measure, filtered by GET parameters."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from carestat.core.models import AuditEntry, Organisation
from carestat.measures.judging import judge, spark
from carestat.measures.models import Measure

# (value of ?variation=, words)
FILTER_VARIATIONS = [
    ("common_cause", "Common cause"),
    ("improving", "Special cause: improving"),
    ("concerning", "Special cause: concerning"),
    ("neither", "Special cause: neither better nor worse"),
    ("none", "Too few points for SPC"),
]
RAGS = ("green", "amber", "red", "none")


def measure_rows(org: Organisation, *, public: bool = False, domain: str = "", plan: str = "", unit: str = "",
                 rag: str = "", variation: str = "") -> tuple[list[dict], list[str]]:
    """Rows for the list (and the API's list), with the domains there are to filter by."""
    measures = Measure.objects.filter(organisation=org, is_archived=False).select_related("catalogue", "owner_unit")
    if public:
        measures = measures.filter(is_public=True)
    domains = sorted(set(measures.values_list("domain", flat=True)))
    if domain:
        measures = measures.filter(domain=domain)
    if plan:
        measures = (measures.filter(objective_links__objective__priority__plan_id=plan).distinct()
                    if plan.isdigit() else measures.none())
    if unit:
        measures = measures.filter(owner_unit_id=unit) if unit.isdigit() else measures.none()
    rows = []
    for m in measures.prefetch_related("benchmarks", "targets"):
        report = judge(m, public=public, chart=False)
        row_rag = report.rag or "none"
        kind = report.variation.kind if report.variation else "none"
        if rag and row_rag != rag:
            continue
        if variation and kind != variation:
            continue
        rows.append({"measure": m, "report": report, "rag": row_rag, "variation_kind": kind,
                     "spark": spark(report)})
    return rows, domains


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
    found = cache.get(key)
    if found is None:
        found = measure_rows(org, public=public, **filters)
        cache.set(key, found, seconds)
    return found
