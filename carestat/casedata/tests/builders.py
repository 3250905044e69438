"""Returns made from the generated demo files, for tests that need one changed."""

from pathlib import Path

from lxml import etree


def rewritten_census(path: Path, out: Path, *, lea: str | None = None, keep_every: int = 1) -> Path:
    """A copy of a CIN census with another LEA, or only every ``keep_every``-th child."""
    tree = etree.parse(str(path))
    ns = {"c": tree.getroot().nsmap[None]} if None in tree.getroot().nsmap else {}
    q = (lambda name: f"c:{name}") if ns else (lambda name: name)
    if lea is not None:
        tree.find(f".//{q('Header')}/{q('Source')}/{q('LEA')}", ns).text = lea
    for i, child in enumerate(tree.findall(f".//{q('Child')}", ns)):
        if i % keep_every:
            child.getparent().remove(child)
    out.parent.mkdir(parents=True, exist_ok=True)
    tree.write(str(out), xml_declaration=True, encoding="utf-8")
    return out
