"""One scoped getter per report object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.core.permissions import Perm
from carestat.reports.models import Remit, Report, ReportStatus


def can_see_drafts(access: Access) -> bool:
    """Managers and admins (who approve drafts) and auditors (who read everything) read draft
    reports; viewers and contributors only where the organisation's report rules allow it."""
    from carestat.reports.models import report_rules

    if access.can(Perm.MANAGE) or access.can(Perm.VIEW_AUDIT):
        return True
    return report_rules(access.organisation).viewers_see_drafts


def get_report_for_user(access: Access, pk: int | str) -> Report:
    """A report of the person's organisation; a draft they may not read is a 404, as if absent."""
    report = (Report.objects.select_related("period", "plan", "unit", "remit", "approved_by", "published_by",
                                            "reopened_by", "previous")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if report is None or (report.status == ReportStatus.DRAFT and not can_see_drafts(access)):
        raise Http404("No such report")
    return report


def get_remit_for_user(access: Access, pk: int | str) -> Remit:
    remit = Remit.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if remit is None:
        raise Http404("No such remit")
    return remit
