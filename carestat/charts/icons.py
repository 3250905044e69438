"""Variation and assurance icons, after NHS England's "Making Data Count" icon set.

Each icon is a ring in the summary's colour with a letter or symbol inside (H / L for a
special cause that is high / low, P / F for a target consistently passed / failed, a wave for
common cause, a question mark for hit and miss), so the meaning does not rest on colour, and a
<title> with the words. Keys match ``Variation.icon`` and ``Assurance.icon``.
"""

from __future__ import annotations

from .svg import SvgDocument

GREY, BLUE, ORANGE, PURPLE = "#6f777b", "#005eb8", "#e46c0a", "#4c2c92"

# key -> (title, colour, glyph, arrow: "up", "down" or None)
ICONS: dict[str, tuple[str, str, str, str | None]] = {
    "variation-common-cause": ("Common cause variation", GREY, "~", None),
    "variation-improving-high": (
        "Special cause improving variation: higher values",
        BLUE,
        "H",
        "up",
    ),
    "variation-improving-low": (
        "Special cause improving variation: lower values",
        BLUE,
        "L",
        "down",
    ),
    "variation-concerning-high": (
        "Special cause concerning variation: higher values",
        ORANGE,
        "H",
        "up",
    ),
    "variation-concerning-low": (
        "Special cause concerning variation: lower values",
        ORANGE,
        "L",
        "down",
    ),
    "variation-neither-high": (
        "Special cause variation, higher: neither better nor worse",
        PURPLE,
        "H",
        "up",
    ),
    "variation-neither-low": (
        "Special cause variation, lower: neither better nor worse",
        PURPLE,
        "L",
        "down",
    ),
    "assurance-pass": ("Target consistently met", BLUE, "P", None),
    "assurance-fail": ("Target consistently missed", ORANGE, "F", None),
    "assurance-hit-miss": ("Target hit and miss", GREY, "?", None),
}


def icon_svg(key: str, size: int = 40) -> str:
    """An inline SVG for a variation or assurance icon key, e.g. ``variation-improving-high``.

    The same icon appears many times on a measures list, so it is named with aria-label (and
    a <title> for the tooltip) rather than aria-labelledby, which would need a unique id each time.
    """
    if key not in ICONS:
        raise ValueError(f"unknown icon {key!r}; expected one of {', '.join(ICONS)}")
    title, colour, glyph, arrow = ICONS[key]
    doc = SvgDocument(40, 40, title, f"Icon: {title}.")
    del doc.root.attrib["aria-labelledby"]
    doc.root.set("aria-label", title)
    for el in doc.root:
        el.attrib.pop("id", None)
    doc.root.set("width", str(size))
    doc.root.set("height", str(size))
    doc.root.set("class", f"spc-icon {key}")
    doc.add(None, "circle", cx=20, cy=20, r=17, fill="#ffffff", stroke=colour, stroke_width=3)
    doc.add(
        None,
        "text",
        glyph,
        x=20,
        y=26,
        text_anchor="middle",
        font_size=17,
        font_weight="bold",
        fill=colour,
    )
    if arrow == "up":
        doc.add(None, "polygon", points="30,4 35,11 25,11", fill=colour, class_="arrow-up")
    elif arrow == "down":
        doc.add(None, "polygon", points="30,36 35,29 25,29", fill=colour, class_="arrow-down")
    return doc.tostring()
