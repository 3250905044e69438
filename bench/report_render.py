"""Benchmark: render a committee report of about 40 pages and check its layout.

Run: ``uv run python bench/report_render.py [--measures 40] [--repeat 2]``

The snapshot is bench_reports.py's synthetic one (40 actions, 60 milestones, 30 measures judged
with the real SPC engine and charted, each with its data table), which lays out at about 40 A4
pages. The PDF is laid out and written as the kept file is (tagged PDF/UA-1); the layout checks
the tests run on the demo's reports (no heading last on a page, no split table row, no sparse
page) run on it too. Prints seconds, pages and seconds per page for the PDF, and seconds for
Word, Excel and the slides. Target on a 2-core machine: the PDF under 20 s (0.5 s a page).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carestat.settings")

PDF_TARGET_SECONDS = 20.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=30,
                        help="measures in the synthetic report (30: about 40 pages)")
    parser.add_argument("--repeat", type=int, default=2, help="renderings of the PDF; the best is reported")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from bench_reports import synthetic_snapshot

    from carestat.reports.render import render, view
    from carestat.reports.render.checks import check_layout
    from carestat.reports.render.pdf import PDF_VARIANT, layout

    t = time.perf_counter()
    snap = synthetic_snapshot(n_measures=args.measures)
    print(f"snapshot (synthetic, {args.measures} measures judged and charted): {time.perf_counter() - t:.2f} s")
    sign_off = {"status": "published", "status_label": "Published", "published_at": "2026-10-05T09:00:00+00:00",
                "published_by": "Helen Morgan",
                "hash": "0" * 64}
    v = view(snap, sign_off=sign_off)
    times, pages, size = [], 0, 0
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        document = layout(v)
        data = document.write_pdf(pdf_variant=PDF_VARIANT)
        times.append(time.perf_counter() - t)
        pages, size = len(document.pages), len(data)
    best = min(times)
    checks = check_layout(document)
    passed = best < PDF_TARGET_SECONDS and not checks.problems
    print(f"  pdf: {best:6.2f} s for {pages} pages = {best / pages:.3f} s a page, {size:,} bytes "
          f"(first {times[0]:.2f} s)  {'PASS' if passed else 'FAIL'} (target under {PDF_TARGET_SECONDS:.0f} s)")
    print(f"layout: {len(checks.stranded_headings)} headings last on a page, {len(checks.split_rows)} split rows, "
          f"{len(checks.sparse_pages)} sparse pages")
    for problem in checks.problems[:10]:
        print(f"  {problem}")
    for fmt in ("docx", "xlsx", "pptx"):
        t = time.perf_counter()
        data = render(snap, fmt, sign_off=sign_off)
        print(f"{fmt:>5}: {time.perf_counter() - t:6.2f} s  {len(data):>10,} bytes")
    print(f"cores available: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
