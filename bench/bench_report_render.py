"""Benchmark: a committee report of about 40 pages as PDF, stage by stage, against WeasyPrint's floor.

Run: ``uv run python bench/bench_report_render.py [--measures 30] [--repeat 3] [--before] [--no-other-formats]``

The snapshot is bench_reports.py's synthetic one (40 actions, 60 milestones, 30 measures judged
with the real SPC engine and charted, each with its data table), which lays out at about 40 A4
pages. The PDF is made as the kept file is (tagged PDF/UA-1, running header and footer, page x
of y, contents with page numbers) and timed by stage:

- html: the view turned into the PDF's HTML (Jinja2, charts simplified for print);
- parse: WeasyPrint reading that HTML;
- layout: styles, boxes and pages;
- write: drawing the pages, the tag tree and fonts into the PDF file;
- checks: the layout checks the tests run (no heading last on a page, no split table row, no
  sparse page), timed apart: they are not part of making the file.

The floor is WeasyPrint making the same number of tagged PDF/UA-1 pages of plain paragraphs
with a minimal stylesheet: the least any WeasyPrint report of that length costs on this machine,
in the same run. ``--before`` also times the PDF made as it was before decision 0031 (report
rendering speed): the HTML with inline SVG charts and a fresh font configuration.

Target (issue 14, item 6): the PDF (html + parse + layout + write) under 10 s on this 2-core
machine. Seconds are wall-clock, best of ``--repeat`` (each stage's best on its own), with the
CPU seconds beside them: other work on the machine stretches the wall-clock figure (the load
average is printed), the CPU figure much less.
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

PDF_TARGET_SECONDS = 10.0
STAGES = ("html", "parse", "layout", "write")

FLOOR_CSS = "@page { size: A4; margin: 22mm 16mm 20mm 16mm; } html { font: 10pt/1.35 Arial, sans-serif; }"
FLOOR_PARAGRAPH = ("The committee is asked to note the progress made against each priority this quarter, "
                   "the exceptions reported, and the measures that are off target. ") * 3


def floor_html(paragraphs: int) -> str:
    body = "".join(f"<p>{i}. {FLOOR_PARAGRAPH}</p>" for i in range(paragraphs))
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Floor</title>'
            f"<style>{FLOOR_CSS}</style></head><body>{body}</body></html>")


def time_floor(pages: int, repeat: int) -> tuple[float, float, int]:
    """Seconds for WeasyPrint to make ``pages`` pages of plain text (tagged, as the report is)."""
    from carestat.reports.render.pdf import lay_out, parse, write

    paragraphs = 60
    for _ in range(3):  # as many paragraphs as make the report's number of pages
        made = len(lay_out(parse(floor_html(paragraphs))).pages)
        if made == pages:
            break
        paragraphs = max(1, round(paragraphs * pages / made) + (1 if made < pages else -1))
    html = floor_html(paragraphs)
    best, cpu_best, made = float("inf"), float("inf"), 0
    for _ in range(max(1, repeat)):
        cpu, t = time.process_time(), time.perf_counter()
        document = lay_out(parse(html))
        write(document)
        best, cpu_best = min(best, time.perf_counter() - t), min(cpu_best, time.process_time() - cpu)
        made = len(document.pages)
    return best, cpu_best, made


def time_pdf(v: dict, repeat: int) -> tuple[dict[str, float], object, bytes]:
    """Best seconds per stage (each stage's best over the repeats) and the last document."""
    from carestat.reports.render.html import standalone_html
    from carestat.reports.render.pdf import lay_out, parse, write

    best = {stage: float("inf") for stage in STAGES}
    best["total"] = best["cpu"] = float("inf")
    document, data = None, b""
    for _ in range(max(1, repeat)):
        took = {}
        cpu = time.process_time()
        t = time.perf_counter()
        html = standalone_html(v, for_pdf=True)
        took["html"] = time.perf_counter() - t
        t = time.perf_counter()
        parsed = parse(html)
        took["parse"] = time.perf_counter() - t
        t = time.perf_counter()
        document = lay_out(parsed)
        took["layout"] = time.perf_counter() - t
        t = time.perf_counter()
        data = write(document)
        took["write"] = time.perf_counter() - t
        took["total"] = sum(took[s] for s in STAGES)
        took["cpu"] = time.process_time() - cpu
        for stage, seconds in took.items():
            best[stage] = min(best[stage], seconds)
    return best, document, data


def time_before(v: dict, repeat: int) -> tuple[float, float, int]:
    """The PDF as it was made before: inline SVG charts, a fresh font configuration each time."""
    from weasyprint import HTML

    from carestat.reports.render.html import standalone_html
    from carestat.reports.render.pdf import PDF_VARIANT

    best, cpu_best, pages = float("inf"), float("inf"), 0
    for _ in range(max(1, repeat)):
        cpu, t = time.process_time(), time.perf_counter()
        document = HTML(string=standalone_html(v), base_url=None).render(pdf_variant=PDF_VARIANT)
        document.write_pdf(pdf_variant=PDF_VARIANT)
        best, cpu_best = min(best, time.perf_counter() - t), min(cpu_best, time.process_time() - cpu)
        pages = len(document.pages)
    return best, cpu_best, pages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=30,
                        help="measures in the synthetic report (30: about 40 pages)")
    parser.add_argument("--repeat", type=int, default=3, help="renderings of the PDF; the best is reported")
    parser.add_argument("--before", action="store_true",
                        help="also time the PDF as made before decision 0031 (inline SVG charts)")
    parser.add_argument("--no-other-formats", action="store_true", help="skip the Word, Excel and slides timings")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from bench_reports import synthetic_snapshot

    from carestat.reports.render import render, view
    from carestat.reports.render.checks import check_layout

    t = time.perf_counter()
    snap = synthetic_snapshot(n_measures=args.measures)
    print(f"snapshot (synthetic, {args.measures} measures judged and charted): {time.perf_counter() - t:.2f} s")
    sign_off = {"status": "published", "status_label": "Published", "published_at": "2026-10-05T09:00:00+00:00",
                "published_by": "Helen Morgan", "hash": "0" * 64}
    v = view(snap, sign_off=sign_off)

    best, document, data = time_pdf(v, args.repeat)
    pages = len(document.pages)
    t = time.perf_counter()
    checks = check_layout(document)
    checks_seconds = time.perf_counter() - t
    floor, floor_cpu, floor_pages = time_floor(pages, args.repeat)

    total = best["total"]
    passed = total < PDF_TARGET_SECONDS and not checks.problems
    print(f"  pdf: {total:6.2f} s for {pages} pages = {total / pages:.3f} s a page, {len(data):,} bytes  "
          f"{'PASS' if passed else 'FAIL'} (target under {PDF_TARGET_SECONDS:.0f} s, best of {args.repeat})")
    print("       " + ", ".join(f"{stage} {best[stage]:.2f} s" for stage in STAGES)
          + f"; checks {checks_seconds:.2f} s (not in the total); CPU {best['cpu']:.2f} s")
    print(f"floor: {floor:6.2f} s for {floor_pages} pages of plain text (minimal stylesheet, tagged PDF/UA-1) = "
          f"{floor / floor_pages:.3f} s a page; report / floor = {total / floor:.1f}x "
          f"(per page {(total / pages) / (floor / floor_pages):.1f}x); CPU {floor_cpu:.2f} s, "
          f"report / floor by CPU a page {(best['cpu'] / pages) / (floor_cpu / floor_pages):.1f}x")
    if args.before:
        before, before_cpu, before_pages = time_before(v, args.repeat)
        print(f"before (inline SVG charts): {before:6.2f} s for {before_pages} pages, CPU {before_cpu:.2f} s; "
              f"now {total / before:.2f} of that ({best['cpu'] / before_cpu:.2f} by CPU)")
    print(f"layout: {len(checks.stranded_headings)} headings last on a page, {len(checks.split_rows)} split rows, "
          f"{len(checks.sparse_pages)} sparse pages")
    for problem in checks.problems[:10]:
        print(f"  {problem}")
    if not args.no_other_formats:
        for fmt in ("docx", "xlsx", "pptx"):
            t = time.perf_counter()
            out = render(snap, fmt, sign_off=sign_off)
            print(f"{fmt:>5}: {time.perf_counter() - t:6.2f} s  {len(out):>10,} bytes")
    print(f"cores available: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
