"""Providers and contracts, as search finds them (carestat.core.search): a provider by name or
registration number, a contract by reference or title."""

from __future__ import annotations

from django.urls import reverse

from carestat.commissioning.models import Contract, Provider
from carestat.core.search import Searchable, SearchHit, register_searchable


def _provider(p) -> SearchHit:
    return SearchHit(title=p.name, code=p.charity_number or p.company_number,
                     href=reverse("commissioning:provider", args=[p.organisation.slug, p.pk]),
                     detail=f"Provider, {p.get_sector_display()}")


def _contract(c) -> SearchHit:
    return SearchHit(title=c.title, code=c.reference,
                     href=reverse("commissioning:contract", args=[c.organisation.slug, c.pk]),
                     detail=f"Contract with {c.provider.name}, {c.get_service_type_display().lower()}")


def register() -> None:
    register_searchable(Searchable(
        key="providers", label="Provider", order=70, codes=["charity_number", "company_number"], words=["name"],
        queryset=lambda access: Provider.objects.filter(organisation=access.organisation, merged_into__isnull=True),
        describe=_provider))
    register_searchable(Searchable(
        key="contracts", label="Contract", order=71, codes=["reference"], words=["title"],
        queryset=lambda access: Contract.objects.filter(organisation=access.organisation).select_related("provider"),
        describe=_contract))
