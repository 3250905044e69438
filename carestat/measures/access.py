"""Scoped getters for measures and their records: anything of another organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.measures.models import Measure, MeasureValue, PendingRevision


def get_measure_for_user(access: Access, code_or_pk: str | int) -> Measure:
    """The organisation's measure with this code (or primary key), or 404."""
    qs = Measure.objects.filter(organisation=access.organisation).select_related("catalogue", "owner_unit")
    measure = qs.filter(code=str(code_or_pk)).first()
    if measure is None and str(code_or_pk).isdigit():
        measure = qs.filter(pk=int(code_or_pk)).first()
    if measure is None:
        raise Http404("No such measure")
    return measure


def get_value_for_user(access: Access, pk: int | str) -> MeasureValue:
    value = (MeasureValue.objects.select_related("measure", "entered_by", "approved_by")
             .filter(measure__organisation=access.organisation, pk=_int(pk)).first())
    if value is None:
        raise Http404("No such value")
    return value


def get_revision_for_user(access: Access, pk: int | str) -> PendingRevision:
    revision = (PendingRevision.objects.select_related("current__measure", "decided_by")
                .filter(current__measure__organisation=access.organisation, pk=_int(pk)).first())
    if revision is None:
        raise Http404("No such recomputed figure")
    return revision
