"""The savings programme, as search finds it (carestat.core.search): by reference, title and description."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.finance.models import SavingsProposal


def _saving(s) -> SearchHit:
    return SearchHit(title=s.title, code=s.reference,
                     href=reverse("finance:saving", args=[s.organisation.slug, s.pk]),
                     detail=f"Saving, {s.get_status_display().lower()}")


def register() -> None:
    register_searchable(Searchable(
        key="savings", label="Saving", order=65, codes=["reference"], words=["title", "description"],
        queryset=lambda access: SavingsProposal.objects.filter(organisation=access.organisation, is_archived=False),
        describe=_saving))
