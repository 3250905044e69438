"""Charts for the PDF: the same picture as the web page's SVG, with less for WeasyPrint to do.

An inline ``<svg>`` in the PDF's HTML costs three times over: the pure-Python HTML parser reads
every element, the CSS cascade styles every element (about 100 a chart, most of them tooltips),
and the SVG is then drawn node by node. For print the chart goes in as an ``<img>`` whose source
is the SVG itself (a ``data:`` URL, read by the C XML parser), with what only a screen or a
browser uses taken out:

- each point's ``<title>`` (its tooltip; the data table under the chart has the figures), and
  the ``class`` and ``data-*`` attributes (CareStat's charts style nothing by class: decision
  0024 and ``carestat/charts/svg.py`` use presentation attributes only);
- runs of sibling ``<line>`` elements drawn alike (grid lines, axes) become one ``<path>``, which
  strokes the same pixels (a dash pattern restarts at each subpath as it does at each line).

The chart's own ``<title>`` becomes the image's ``alt``, which WeasyPrint writes as the tagged
Figure's alternative text, as it did for the inline SVG. The web page and the standalone HTML
download keep the inline SVG (tooltips, ids for ``aria-labelledby``)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from functools import lru_cache

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
_TITLE = f"{{{SVG_NS}}}title"
_DESC = f"{{{SVG_NS}}}desc"
_LINE = f"{{{SVG_NS}}}line"
_PATH = f"{{{SVG_NS}}}path"
_TEXT = f"{{{SVG_NS}}}text"
_COORDS = ("x1", "y1", "x2", "y2")
_SCREEN_ONLY = ("class", "role", "aria-labelledby", "aria-label", "aria-hidden", "id")


def _merge_lines(parent: ET.Element) -> None:
    """Replace each run of ``<line>`` children drawn alike with one ``<path>``, in the place of
    the first of them. A run carries on across the ``<text>`` between its lines (a grid line and
    its tick label, in turn), so a line may now lie under a label it was drawn over, never the
    reverse; any other shape, or a line drawn differently, ends the run, so shapes keep their
    order."""
    children = list(parent)
    out: list[ET.Element | list[ET.Element]] = []
    run: list[ET.Element] | None = None
    for child in children:
        if child.tag == _LINE and len(child) == 0 and not (child.text or "").strip():
            if run is not None and _style(run[0]) == _style(child):
                run.append(child)
            else:  # a line drawn differently is drawn after the run: the run ends here
                run = [child]
                out.append(run)
            continue
        if child.tag != _TEXT:
            run = None
        out.append(child)
    merged = [_path(item) if isinstance(item, list) else item for item in out]
    if len(merged) != len(children):
        parent[:] = merged


def _path(run: list[ET.Element]) -> ET.Element:
    if len(run) == 1:
        return run[0]
    attrs = {k: v for k, v in run[0].attrib.items() if k not in _COORDS}
    d = " ".join(f"M{ln.get('x1', '0')} {ln.get('y1', '0')}L{ln.get('x2', '0')} {ln.get('y2', '0')}" for ln in run)
    # A line is never filled; a path is unless told not to be.
    return ET.Element(_PATH, {**attrs, "d": d, "fill": "none"})


def _style(element: ET.Element) -> tuple:
    return tuple(sorted((k, v) for k, v in element.attrib.items() if k not in _COORDS))


def _simplify(element: ET.Element, root: bool, keep: frozenset[str]) -> None:
    for name in [k for k in element.attrib
                 if k.startswith("data-") or (not root and k in _SCREEN_ONLY and k not in keep)]:
        del element.attrib[name]
    for child in list(element):
        if child.tag == _TITLE and not root:
            element.remove(child)  # a shape's tooltip
        else:
            _simplify(child, root=False, keep=keep)
    _merge_lines(element)


@lru_cache(maxsize=512)
def print_svg(svg: str) -> tuple[str, str]:
    """The chart's SVG as printed (see the module's note), and its title (the alternative text)."""
    root = ET.fromstring(svg)
    title = root.find(_TITLE)
    alt = " ".join("".join(title.itertext()).split()) if title is not None else ""
    for name in _SCREEN_ONLY:
        root.attrib.pop(name, None)
    for child in list(root):
        if child.tag == _DESC:  # the figcaption under the chart says it in print
            root.remove(child)
    # ids stay if anything points at one (a gradient, a clip path: none of today's charts)
    keep = frozenset({"id"}) if "url(#" in svg or "href" in svg else frozenset()
    _simplify(root, root=True, keep=keep)
    for element in root.iter():  # written as CareStat's charts are: unprefixed, xmlns on the root
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode"), alt


def chart_img(svg: str) -> Markup:
    """An ``<img>`` showing the chart in the PDF, with the chart's title as its alternative text."""
    printed, alt = print_svg(str(svg))
    source = base64.b64encode(printed.encode()).decode("ascii")
    return Markup(f'<img class="report-chart__img" alt="{escape(alt)}" src="data:image/svg+xml;base64,{source}">')
