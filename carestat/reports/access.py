"""One scoped getter per report object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.reports.models import Remit, Report


def get_report_for_user(access: Access, pk: int | str) -> Report:
    report = (Report.objects.select_related("period", "plan", "unit", "remit", "approved_by", "published_by")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if report is None:
        raise Http404("No such report")
    return report


def get_remit_for_user(access: Access, pk: int | str) -> Remit:
    remit = Remit.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if remit is None:
        raise Http404("No such remit")
    return remit
