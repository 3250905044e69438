"""The report as HTML: a standalone document (download and PDF source) built from the view."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import get_template

CSS_PATH = Path(__file__).resolve().parent.parent / "static" / "reports" / "print.css"


@cache
def print_css() -> str:
    return CSS_PATH.read_text()


def standalone_html(v: dict) -> str:
    """A self-contained HTML document: inline CSS and SVG, no scripts, no links out."""
    return get_template("reports/print.html", using="jinja2").render({"r": v, "css": print_css()})
