"""One search across every kind of record a member may read: plans, actions, milestones, update
commentary, measures, reports, submissions, and whatever the domain apps register.

Each app registers its searchable kinds in its ``AppConfig.ready()`` (as it does report sections,
see :mod:`carestat.core.contributions`), so this module imports no domain and a domain can be
added or removed without touching it:

    register_searchable(Searchable(
        key="risks", label="Risk", order=60,
        queryset=lambda access: Risk.objects.filter(organisation=access.organisation, ...),
        codes=["ref"], words=["title", "cause", "event", "consequence"],
        describe=lambda risk: SearchHit(title=..., href=..., code=..., detail=...)))

``queryset(access)`` returns only what the person may read (the organisation in scope and
whatever their role leaves out, such as another person's draft update); the search never widens it.

On PostgreSQL the words are matched by full-text search (``websearch`` syntax, English stemming,
so "assessments" finds "assessment"), and codes by a plain contains, since full-text parsing
splits "ASCOF-2B" in ways people don't expect. On SQLite every word must appear, in any of the
fields, as plain text ignoring case.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

MAX_PER_KIND = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class SearchHit:
    """One record found, as the results list shows it."""

    title: str
    href: str
    code: str = ""
    detail: str = ""  # a line of context: the plan it sits in, the period, the status
    kind: str = ""  # filled in from the Searchable's label


@dataclass(frozen=True)
class Searchable:
    key: str
    label: str  # "Action", "Measure": what one hit is called
    queryset: Callable[[Any], QuerySet]
    describe: Callable[[Any], SearchHit]
    words: list[str] = field(default_factory=list)  # titles and commentary: full-text on PostgreSQL
    codes: list[str] = field(default_factory=list)  # codes and references: matched as typed
    order: int = 100
    plural: str = ""

    @property
    def label_plural(self) -> str:
        return self.plural or f"{self.label}s"


_registry: dict[str, Searchable] = {}


def register_searchable(searchable: Searchable) -> None:
    """Make a kind of record findable by search (registered again under the same key, it replaces)."""
    _registry[searchable.key] = searchable


def searchables() -> list[Searchable]:
    return sorted(_registry.values(), key=lambda s: (s.order, s.key))


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _text(field_name: str):
    # JSON fields (a submission's file names) are searched as their text.
    return Cast(field_name, TextField())


def _matching_ids(qs: QuerySet, s: Searchable, query: str) -> list:
    words = query.split()
    if _on_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchVector

        conditions = []
        if s.words:
            vector = SearchVector(*[_text(f) for f in s.words], config="english")
            qs = qs.annotate(_search=vector)
            conditions.append(Q(_search=SearchQuery(query, search_type="websearch", config="english")))
        conditions += [Q(**{f"{f}__icontains": query}) for f in s.codes]
        if not conditions:
            return []
        qs = qs.filter(reduce(operator.or_, conditions))
    else:
        fields = s.words + s.codes
        if not fields:
            return []
        # Every word somewhere in the record: "OT backlog" finds an action titled "Clear the
        # OT assessment backlog" as full-text search would.
        for word in words:
            qs = qs.filter(reduce(operator.or_, [Q(**{f"{f}__icontains": word}) for f in fields]))
    # Related fields (an action's updates) give a row per match: the ids, once each, in the
    # queryset's order.
    seen: dict = {}
    for pk in qs.values_list("pk", flat=True):
        seen.setdefault(pk, None)
        if len(seen) >= MAX_PER_KIND:
            break
    return list(seen)


@dataclass(frozen=True)
class SearchGroup:
    key: str
    label: str
    hits: list[SearchHit]


def search(access, query: str, *, kinds: list[str] | None = None) -> list[SearchGroup]:
    """What ``access`` may read that matches ``query``, grouped by kind (at most 20 of each), in
    the registry's order. An empty query finds nothing."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    if not query:
        return []
    groups = []
    for s in searchables():
        if kinds and s.key not in kinds:
            continue
        base = s.queryset(access)
        if base is None:
            continue
        ids = _matching_ids(base, s, query)
        if not ids:
            continue
        by_id = {obj.pk: obj for obj in base.filter(pk__in=ids)}
        hits = []
        for pk in ids:
            hit = s.describe(by_id[pk])
            hits.append(SearchHit(title=hit.title, href=hit.href, code=hit.code, detail=hit.detail, kind=s.label))
        groups.append(SearchGroup(s.key, s.label_plural if len(hits) != 1 else s.label, hits))
    return groups
