"""Risks, as search finds them (carestat.core.search): by reference, title, cause, event and consequence."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.risks.models import Risk


def _risk(r) -> SearchHit:
    return SearchHit(title=r.title, code=r.ref, href=reverse("risks:risk", args=[r.organisation.slug, r.pk]),
                     detail=f"Risk, {r.get_status_display().lower()}")


def register() -> None:
    register_searchable(Searchable(
        key="risks", label="Risk", order=60, codes=["ref"],
        words=["title", "cause", "event", "consequence", "issue_note"],
        queryset=lambda access: Risk.objects.filter(organisation=access.organisation, is_archived=False),
        describe=_risk))
