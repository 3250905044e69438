"""One scoped getter per commissioning object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.commissioning.models import Contract, Provider
from carestat.core.access import Access, _int


def get_provider_for_user(access: Access, pk: int | str) -> Provider:
    p = Provider.objects.filter(organisation=access.organisation, pk=_int(pk)).select_related("merged_into").first()
    if p is None:
        raise Http404("No such provider")
    return p


def get_contract_for_user(access: Access, pk: int | str) -> Contract:
    c = (Contract.objects.filter(organisation=access.organisation, pk=_int(pk))
         .select_related("provider", "lead_unit").first())
    if c is None:
        raise Http404("No such contract")
    return c
