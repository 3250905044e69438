"""The report as PDF (WeasyPrint): A4, page numbers, headings as bookmarks, inline SVG charts
with their data tables."""

from __future__ import annotations

from carestat.reports.render.html import standalone_html


def render_pdf(v: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=standalone_html(v), base_url=None).write_pdf()
