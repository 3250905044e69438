"""The report as PDF (WeasyPrint): A4, a running header and footer, the contents with page
numbers, headings as bookmarks, SVG charts with their data tables, and tagged for
accessibility (PDF/UA-1: a structure tree, the document's language and title, and each chart's
title as its alternative text). What makes it fast enough is in decision 0031 (report
rendering speed) and ``print_charts``."""

from __future__ import annotations

from functools import cache

from carestat.reports.render.html import standalone_html

PDF_VARIANT = "pdf/ua-1"


@cache
def font_config():
    """One WeasyPrint font configuration per process: fontconfig is asked about Arial and its
    fallbacks once, not once a report. The report declares no @font-face, so nothing a report
    says is kept in it."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def parse(html: str):
    """The HTML parsed by WeasyPrint (the first of its steps, timed on its own by the bench)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None)


def layout(v: dict, *, html: str | None = None):
    """The laid-out document (WeasyPrint's pages and boxes): what the PDF is written from, and
    what the layout checks read. ``html``: the PDF source already built from ``v``."""
    source = standalone_html(v, for_pdf=True) if html is None else html
    return lay_out(parse(source))


def lay_out(parsed):
    return parsed.render(pdf_variant=PDF_VARIANT, font_config=font_config())


def write(document) -> bytes:
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(v: dict) -> bytes:
    return write(layout(v))
