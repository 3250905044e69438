"""One scoped getter per quality object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.quality.models import AuditRound, AuditTool, CaseAudit


def get_tool_for_user(access: Access, pk: int | str) -> AuditTool:
    tool = AuditTool.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if tool is None:
        raise Http404("No such audit tool")
    return tool


def get_round_for_user(access: Access, pk: int | str) -> AuditRound:
    round_ = (AuditRound.objects.select_related("tool_version__tool")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if round_ is None:
        raise Http404("No such audit round")
    return round_


def get_audit_for_user(access: Access, pk: int | str) -> CaseAudit:
    audit = (CaseAudit.objects.select_related("round__tool_version__tool", "case", "auditor")
             .filter(organisation=access.organisation, pk=_int(pk)).first())
    if audit is None:
        raise Http404("No such audit")
    return audit
