"""Layout checks on a rendered PDF, read from WeasyPrint's layout (its pages and boxes): what a
clerk would look for before sending the papers. Used by the tests and the bench.

- no heading (or table caption) is the last thing on a page, away from what it introduces;
- no table row is split across two pages (header rows repeat, which is not a split);
- every page but the first and the last is reasonably full: sections flow, they do not each
  start a page of their own."""

from __future__ import annotations

from dataclasses import dataclass, field

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption"}
CONTENT = HEADINGS | {"p", "li", "tr", "figure", "svg", "img", "dt", "dd", "figcaption", "td", "th"}


@dataclass
class LayoutReport:
    pages: int
    stranded_headings: list[tuple[int, str]] = field(default_factory=list)  # (page number, heading text)
    split_rows: list[tuple[int, str]] = field(default_factory=list)  # (first page, row text)
    page_fill: list[float] = field(default_factory=list)  # share of each page's height with content on it

    @property
    def sparse_pages(self) -> list[int]:
        """Pages (not the first or last) less than a third full."""
        return [i + 1 for i, fill in enumerate(self.page_fill) if 0 < i < len(self.page_fill) - 1 and fill < 1 / 3]

    @property
    def problems(self) -> list[str]:
        return ([f"page {p}: heading ‘{t}’ is the last thing on the page" for p, t in self.stranded_headings]
                + [f"page {p}: table row ‘{t}’ is split onto the next page" for p, t in self.split_rows]
                + [f"page {p} is less than a third full" for p in self.sparse_pages])


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())[:80]


def _walk(box):
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _walk(child)


def _parents(document) -> dict:
    """Each element's parent (ElementTree elements do not know theirs)."""
    for page in document.pages:
        for box in _walk(page._page_box):
            if getattr(box, "element_tag", None) == "html":
                root = box.element
                return {child: parent for parent in root.iter() for child in parent}
    return {}


def check_layout(document) -> LayoutReport:
    """``document``: a WeasyPrint Document (``HTML(...).render()``)."""
    from weasyprint.formatting_structure import boxes

    report = LayoutReport(pages=len(document.pages))
    parents = _parents(document)
    row_pages: dict[int, list[int]] = {}
    row_text: dict[int, str] = {}
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        body = [c for c in page_box.children if not isinstance(c, boxes.MarginBox)]
        last_tag, last_element, bottom = None, None, 0.0
        top = page_box.content_box_y()
        height = page_box.height
        for root in body:
            for box in _walk(root):
                tag = getattr(box, "element_tag", None)
                element = getattr(box, "element", None)
                if tag not in CONTENT or element is None:
                    continue
                if isinstance(box, boxes.TableRowBox) and getattr(parents.get(element), "tag", "") != "thead":
                    row_pages.setdefault(id(element), []).append(number)
                    row_text[id(element)] = _text(element)
                if isinstance(box, boxes.LineBox | boxes.ReplacedBox | boxes.TableRowBox | boxes.BlockBox):
                    if box.height and box.position_y + box.height > bottom:
                        bottom = box.position_y + box.height
                # the last content box in reading order, ignoring the running header's hidden copy
                if "report-running" not in (element.get("class") or "") and not _in_running(element, parents):
                    last_tag, last_element = _heading_of(element, parents), element
        if last_tag in HEADINGS and number < len(document.pages):
            report.stranded_headings.append((number, _text(last_element)))
        report.page_fill.append(max(0.0, min(1.0, (bottom - top) / height)) if height else 0.0)
    for key, pages in row_pages.items():
        if len(set(pages)) > 1:
            report.split_rows.append((min(pages), row_text[key]))
    return report


def _in_running(element, parents: dict) -> bool:
    node = element
    while node is not None:
        if "report-running" in (node.get("class") or ""):
            return True
        node = parents.get(node)
    return False


def _heading_of(element, parents: dict) -> str:
    """The element's own tag, or the heading it sits in (a heading's <strong> is the heading)."""
    node = element
    while node is not None:
        if node.tag in HEADINGS:
            return node.tag
        node = parents.get(node)
    return element.tag
