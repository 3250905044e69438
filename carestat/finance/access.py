"""One scoped getter per finance object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.finance.models import SavingsProposal, ServiceLine


def get_line_for_user(access: Access, pk: int | str) -> ServiceLine:
    line = ServiceLine.objects.select_related("parent", "unit").filter(organisation=access.organisation,
                                                                       pk=_int(pk)).first()
    if line is None:
        raise Http404("No such service line")
    return line


def get_saving_for_user(access: Access, pk: int | str) -> SavingsProposal:
    saving = (SavingsProposal.objects.select_related("owner", "line", "action__objective__priority__plan")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if saving is None:
        raise Http404("No such saving")
    return saving
