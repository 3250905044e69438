"""Measures, as search finds them (carestat.core.search): by code, title and definitions."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.measures.models import Measure


def _measure(m) -> SearchHit:
    return SearchHit(title=m.title, code=m.code, href=reverse("measures:detail", args=[m.organisation.slug, m.code]),
                     detail=f"Measure ({m.domain})" if m.domain else "Measure")


def register() -> None:
    register_searchable(Searchable(
        key="measures", label="Measure", order=50, codes=["code"],
        words=["title", "numerator_definition", "denominator_definition", "notes"],
        queryset=lambda access: Measure.objects.filter(organisation=access.organisation, is_archived=False),
        describe=_measure))
