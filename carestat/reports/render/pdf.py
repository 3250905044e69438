"""The report as PDF (WeasyPrint): A4, a running header and footer, the contents with page
numbers, headings as bookmarks, inline SVG charts with their data tables, and tagged for
accessibility (PDF/UA-1: a structure tree, the document's language and title, and each chart's
<title> as its alternative text)."""

from __future__ import annotations

from carestat.reports.render.html import standalone_html

PDF_VARIANT = "pdf/ua-1"


def layout(v: dict):
    """The laid-out document (WeasyPrint's pages and boxes): what the PDF is written from, and
    what the layout checks read."""
    from weasyprint import HTML

    return HTML(string=standalone_html(v), base_url=None).render(pdf_variant=PDF_VARIANT)


def render_pdf(v: dict) -> bytes:
    return layout(v).write_pdf(pdf_variant=PDF_VARIANT)
