"""One scoped getter per risk object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.risks.models import Control, KeyIndicator, Mitigation, Risk, RiskCategory


def get_risk_for_user(access: Access, pk: int | str) -> Risk:
    risk = (Risk.objects.select_related("category", "unit", "owner", "plan", "priority")
            .filter(organisation=access.organisation, pk=_int(pk)).first())
    if risk is None:
        raise Http404("No such risk")
    return risk


def get_category_for_user(access: Access, pk: int | str) -> RiskCategory:
    category = RiskCategory.objects.filter(organisation=access.organisation, pk=_int(pk)).first()
    if category is None:
        raise Http404("No such risk category")
    return category


def get_control_for_user(access: Access, risk: Risk, pk: int | str) -> Control:
    control = Control.objects.filter(organisation=access.organisation, risk=risk, pk=_int(pk)).first()
    if control is None:
        raise Http404("No such control")
    return control


def get_mitigation_for_user(access: Access, risk: Risk, pk: int | str) -> Mitigation:
    m = (Mitigation.objects.select_related("action").filter(organisation=access.organisation, risk=risk,
                                                            pk=_int(pk)).first())
    if m is None:
        raise Http404("No such mitigation")
    return m


def get_indicator_for_user(access: Access, risk: Risk, pk: int | str) -> KeyIndicator:
    k = (KeyIndicator.objects.select_related("measure").filter(organisation=access.organisation, risk=risk,
                                                               pk=_int(pk)).first())
    if k is None:
        raise Http404("No such indicator")
    return k
