"""The measures list: one judged row per tracked measure, filtered by GET parameters."""

from __future__ import annotations

from carestat.core.models import Organisation
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
