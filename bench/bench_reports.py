"""Benchmark: render a committee report of 40 actions, 60 milestones and 40 measures.

Run: ``uv run python bench/bench_reports.py [--repeat N]``

The snapshot is synthetic but built with the real engines (SPC judgements and XmR charts with
their data tables, 24 monthly values each), so the renderers do the work a real
report asks of them. Each format is rendered from the snapshot, as for a frozen report.
Target on a 2-core machine: the PDF under 10 seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carestat.settings")

PDF_TARGET_SECONDS = 10.0


def synthetic_snapshot(n_actions=40, n_milestones=60, n_measures=40, seed=7) -> dict:
    from carestat.analytics.judgements import judge_measure
    from carestat.charts import xmr_chart
    from carestat.reports.snapshot import MEASURE_RAG_ORDER, _chart

    rnd = random.Random(seed)
    rags = ["red", "amber", "green", "blue", "grey"]
    labels = [f"{2023 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(24)]
    measures = []
    for i in range(n_measures):
        values = [Decimal(str(round(60 + rnd.gauss(0, 4) + (6 if k > 15 else 0), 1))) for k in range(24)]
        target = Decimal("70")
        j = judge_measure(values, labels, polarity="higher_is_better", target=target, tolerance=Decimal(3),
                          unit="percent")
        chart = _chart(xmr_chart(labels, values, f"M{i:02d}: synthetic measure", unit="percent", spc=j.spc,
                                 target=target, benchmark=Decimal("65"), chart_id=f"bench-{i}"))
        rag = j.rag.rating.value if j.rag.rating else "none"
        m = {"key": f"measure:{i}", "id": i, "code": f"M{i:02d}", "title": f"Synthetic measure {i}",
             "unit": "percent", "polarity": "Higher is better", "period": labels[-1], "value": f"{values[-1]}%",
             "raw_value": str(values[-1]), "numerator": str(int(values[-1] * 10)), "denominator": "1000",
             "target": "70.0%", "national": "65.0%", "national_source": "Synthetic", "rag": rag,
             "rag_label": rag.capitalize(), "rag_explanation": j.rag.explanation,
             "variation": j.spc.variation.label, "assurance": j.spc.assurance.label, "notes": [], "chart": chart,
             "series": [{"period": p, "value": f"{v}%", "raw": str(v)} for p, v in zip(labels, values, strict=True)],
             "provenance": "Synthetic", "revised": False, "submission_ids": []}
        m["public"] = {"value": m["value"], "suppressed": False, "rag": rag, "rag_label": m["rag_label"],
                       "chart": chart, "series": m["series"], "notes": []}
        measures.append(m)
    sections = []
    per_section = n_actions // 4
    milestone_no = 0
    for s in range(4):
        actions = []
        for a in range(per_section):
            n = s * per_section + a
            ms = []
            for _ in range(2 if milestone_no + 2 <= n_milestones and n % 2 == 0 else 1):
                if milestone_no >= n_milestones:
                    break
                rag = rnd.choice(rags)
                ms.append({"key": f"milestone:{milestone_no}", "id": milestone_no,
                           "title": f"Milestone {milestone_no}: something delivered", "baseline": "2026-06-30",
                           "forecast": "2026-08-31" if rag in ("red", "amber") else "2026-06-30",
                           "actual": "2026-06-28" if rag == "blue" else "", "status": "on_track",
                           "status_label": "On track", "rag": rag, "slippage_days": 62 if rag == "red" else 0,
                           "overridden": False})
                milestone_no += 1
            rag = rnd.choice(rags)
            actions.append({"key": f"action:{n}", "id": n, "title": f"Action {n}: improve something important",
                            "objective": "An objective", "owner": "Tom Okafor", "due": "2027-03-31",
                            "phase": "Year 2", "percent": rnd.randint(0, 100), "status": "on_track",
                            "status_label": "On track", "rag": rag, "commentary": "Progress as planned. " * 5,
                            "recovery": "Extra capacity from next month.", "update_period": "2026-27-Q2",
                            "delivery": "On track", "milestones": ms})
        sections.append({"key": f"priority:{s}", "plan": "Synthetic plan", "title": f"Priority {s + 1}",
                         "rag": "amber", "actions": actions, "measure_ids": list(range(s * 10, s * 10 + 10))})
    all_actions = [a for s in sections for a in s["actions"]]
    all_ms = [m for a in all_actions for m in a["milestones"]]
    counts = {"actions": {r: sum(1 for a in all_actions if a["rag"] == r) for r in rags},
              "milestones": {r: sum(1 for m in all_ms if m["rag"] == r) for r in rags},
              "measures": {r: sum(1 for m in measures if m["rag"] == r) for r in MEASURE_RAG_ORDER}}
    exceptions = [{"kind": "action", "section": "Priority", "title": a["title"], "rag": a["rag"],
                   "owner": a["owner"], "status": "At risk", "milestones": [], "commentary": a["commentary"],
                   "recovery": a["recovery"]} for a in all_actions if a["rag"] in ("red", "amber")]
    return {
        "version": 1, "title": "Synthetic plan: performance report, 2026-27 Q2",
        "organisation": {"name": "Benchmarkshire", "slug": "bench"},
        "scope": {"kind": "plan", "label": "Synthetic plan"},
        "period": {"identifier": "2026-27-Q2", "title": "July to September 2026", "start": "2026-07-01",
                   "end": "2026-09-30"},
        "as_of": "2026-09-30", "built_at": "2026-10-05T09:00:00+00:00", "main_messages": "Main message.\n\nAnother.",
        "summary": {"counts": counts, "public_measure_counts": counts["measures"], "facts": ["A fact."]},
        "exceptions": exceptions, "sections": sections, "measures": measures, "unlinked_measure_ids": [],
        "forecasts": [], "data_quality": {"submissions": [], "excluded_total": 0}, "archived_reasons": {},
        "date_changes": {},
        "changes": {"previous": None, "added": [], "completed": [], "slipped": [], "redated": [], "dropped": [],
                    "measures": []},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2,
                        help="renderings per format; the first in the process also loads fonts and templates")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from carestat.reports.render import render

    t = time.perf_counter()
    snap = synthetic_snapshot()
    print(f"snapshot (synthetic, 40 measures judged and charted): {time.perf_counter() - t:.2f} s")
    ok = True
    sign_off = {"status": "published", "status_label": "Published"}
    for fmt in ("html", "pdf", "docx", "xlsx"):
        times = []
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            data = render(snap, fmt, sign_off=sign_off)
            times.append(time.perf_counter() - t)
        best = min(times)
        verdict = f"  (first {times[0]:.2f} s)" if len(times) > 1 else ""
        if fmt == "pdf":
            passed = best < PDF_TARGET_SECONDS
            ok &= passed
            verdict += f"  {'PASS' if passed else 'FAIL'} (target under {PDF_TARGET_SECONDS:.0f} s)"
        print(f"{fmt:>5}: {best:6.2f} s  {len(data):>10,} bytes{verdict}")
    print(f"cores available: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
