"""What each domain app adds to the pages other apps own: a section of the committee report,
tiles on the organisation's home page, and panels on another app's record pages (the savings a
risk threatens, on the risk's page).

A domain app (risks, finance, demand ...) registers its builders in its ``AppConfig.ready()``;
the reports app and the home page call the registry, so neither imports the domains and a
domain can be added or removed without touching them.

A report section is plain JSON, frozen into the report's snapshot like everything else, so a
published report re-renders the same whatever the domain's data says later:

    {"key": "risks", "title": "Risks",
     "paragraphs": ["..."],                      # prose, in the order shown
     "tables": [{"caption": "...", "headers": [...], "rows": [[...], ...],
                 "public_rows": [[...]] | None,   # what the public version shows instead, if different
                 "restricted": False}],           # True: left out of the public version altogether
     "charts": [{"svg": "<svg ...>", "caption": "...", "summary": "..."}],  # summary is the alt text
     "restricted": False}                         # True: the whole section stays out of the public version

Cells are strings or numbers (the workbook keeps numbers as numbers). A builder returns None
when it has nothing for the scope, and the report leaves the section out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SectionContext:
    """What a report covers, as a section builder is told it."""

    organisation: Any
    period: Any  # core.models.ReportingPeriod
    as_of: dt.date
    scope: str  # "organisation", "plan", "unit" or "remit"
    plan: Any = None
    unit: Any = None
    remit: Any = None


@dataclass(frozen=True)
class Tile:
    """One figure on the home page, linking to the list it summarises."""

    title: str
    value: str
    detail: str = ""
    href: str = ""
    rag: str = ""  # "red", "amber", "green", "blue" or "" for none
    order: int = 100
    # "" for the organisation's figures everyone sees ("At a glance"); "you" for what needs
    # this person in their role (their updates due, approvals waiting for them), shown first.
    group: str = ""


@dataclass(frozen=True)
class _Section:
    key: str
    title: str
    order: int
    build: Callable[[SectionContext], dict | None]


@dataclass(frozen=True)
class PanelItem:
    """One record another app links to the page's record: its words, where it lives, and a
    line of detail."""

    text: str
    href: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Panel:
    """What one app shows on another app's record page: a heading and its linked items."""

    key: str
    title: str
    items: tuple[PanelItem, ...]
    empty: str = ""  # what to say when nothing is linked; no panel at all when blank


@dataclass
class _Registry:
    sections: dict[str, _Section] = field(default_factory=dict)
    tiles: dict[str, Callable[..., list[Tile]]] = field(default_factory=dict)
    panels: dict[tuple[str, str], Callable[..., Panel | None]] = field(default_factory=dict)


_registry = _Registry()


def register_report_section(key: str, title: str, build: Callable[[SectionContext], dict | None], *,
                            order: int = 100) -> None:
    """Add a section to every report built from now on (lower ``order`` comes first)."""
    _registry.sections[key] = _Section(key, title, order, build)


def register_home_tiles(key: str, build: Callable[..., list[Tile]]) -> None:
    """``build(access, period)`` returns the tiles this domain shows a member on the home page;
    it reads ``access.role`` to choose the tiles of that person's role (group "you")."""
    _registry.tiles[key] = build


def register_record_panel(kind: str, key: str, build: Callable[..., Panel | None]) -> None:
    """``build(access, record)`` returns what app ``key`` links to a record of ``kind`` ("risk"),
    shown on that record's page, so the record's app need not import the linking app."""
    _registry.panels[(kind, key)] = build


def record_panels(kind: str, access, record) -> list[Panel]:
    """Every registered app's panel for ``record`` (a record of ``kind``), leaving out none."""
    out = []
    for (k, _key), build in sorted(_registry.panels.items()):
        if k == kind and (panel := build(access, record)) is not None:
            out.append(panel)
    return out


def report_sections(ctx: SectionContext) -> list[dict]:
    """Every registered domain's section for ``ctx``, in order, leaving out those with nothing."""
    out = []
    for sec in sorted(_registry.sections.values(), key=lambda s: (s.order, s.key)):
        built = sec.build(ctx)
        if built:
            out.append({"key": sec.key, "title": sec.title, "paragraphs": [], "tables": [], "charts": [],
                        "restricted": False, **built})
    return out


def home_tiles(access, period) -> list[Tile]:
    tiles: list[Tile] = []
    for build in _registry.tiles.values():
        tiles += build(access, period)
    return sorted(tiles, key=lambda t: (t.order, t.title))


def section_view(section: dict, *, public: bool) -> dict | None:
    """A frozen section as a reader of the full or public version sees it."""
    if public and section.get("restricted"):
        return None
    tables = []
    for t in section.get("tables", []):
        if public and t.get("restricted"):
            continue
        rows = t.get("public_rows") if public and t.get("public_rows") is not None else t["rows"]
        tables.append({"caption": t["caption"], "headers": t["headers"], "rows": rows,
                       "text_rows": [[cell_text(c) for c in row] for row in rows]})
    return {"key": section["key"], "title": section["title"], "paragraphs": section.get("paragraphs", []),
            "tables": tables, "charts": section.get("charts", [])}


def cell_text(value: Any) -> str:
    """A cell as a reader of the page, PDF or Word file sees it: 32892000.0 reads "32,892,000",
    1234.5 reads "1,234.5". The workbook keeps the number itself (``rows``)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        text = repr(abs(value))
        if "e" in text or "n" in text:  # 1e+20, inf, nan: as Python writes them
            return str(value)
        whole, _, fraction = text.partition(".")
        return f"{'-' if value < 0 else ''}{int(whole):,}.{fraction}"
    return str(value)
