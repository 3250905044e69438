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
    saving = (SavingsProposal.objects.select_related("owner", "line", "risk", "action__objective__priority__plan")
              .filter(organisation=access.organisation, pk=_int(pk)).first())
    if saving is None:
        raise Http404("No such saving")
    return saving


def get_scenario_for_user(access: Access, pk: int | str):
    from carestat.finance.models import Scenario

    scenario = Scenario.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if scenario is None:
        raise Http404("No such scenario")
    return scenario


def get_mtp_for_user(access: Access, pk: int | str):
    from carestat.finance.models import MediumTermPlan

    mtp = MediumTermPlan.objects.select_related("plan").filter(organisation=access.organisation, pk=_int(pk)).first()
    if mtp is None:
        raise Http404("No such medium-term plan")
    return mtp
