"""The report as HTML: a standalone document (download and PDF source) built from the view."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import get_template

CSS_PATH = Path(__file__).resolve().parent.parent / "static" / "reports" / "print.css"


@cache
def print_css() -> str:
    return CSS_PATH.read_text()


def standalone_html(v: dict, *, for_pdf: bool = False) -> str:
    """A self-contained HTML document: inline CSS and SVG, no scripts, no links out.

    ``for_pdf``: the source WeasyPrint lays out, where each chart is an ``<img>`` of a
    simplified SVG with its title as alternative text (``print_charts``), which draws the same
    picture for much less work; the download keeps inline SVG, with its tooltips."""
    context = {"r": v, "css": print_css()}
    if for_pdf:
        from carestat.reports.render.print_charts import chart_img

        context["chart_img"] = chart_img
    return get_template("reports/print.html", using="jinja2").render(context)
