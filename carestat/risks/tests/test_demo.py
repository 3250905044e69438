"""Demoshire's risk register loads through the import path and services, tied to the plans."""

import pytest

from carestat.core.models import AuditEntry
from carestat.risks.models import Assessment, Mitigation, Risk
from carestat.risks.register import register_rows, risk_row


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from carestat.core import demo as core_demo
    from carestat.measures import demo as measures_demo
    from carestat.plans import demo as plans_demo
    from carestat.risks import demo as risks_demo

    org = core_demo.load(None, lambda msg: None)
    measures_demo.load(org, lambda msg: None)
    risks_demo.load(org, lambda msg: None)
    plans_demo.load(org, lambda msg: None)
    risks_demo.link_to_plans(org, lambda msg: None)
    return org


def test_the_register_comes_in_through_the_import_with_history_tied_to_plans_owners_and_actions(demo):
    org = demo
    assert AuditEntry.objects.filter(action="risks.register.imported",
                                     message__contains="from demoshire-risk-register.xlsx").exists()
    risk = Risk.objects.get(organisation=org, ref="CSF-02")
    currents = list(risk.assessments.filter(kind="current").values_list("assessed_on", "score"))
    assert len(currents) == 8 and currents[0][1] == 20 and currents[-1][1] == 20
    assert {a.period.identifier for a in Assessment.objects.filter(risk=risk, kind="current")} >= {
        "2024-25-Q3", "2026-27-Q2"}
    for risk in Risk.objects.filter(organisation=org):
        assert risk.plan is not None and risk.priority is not None and risk.owner is not None, risk.ref
        assert Mitigation.objects.filter(risk=risk).exists(), risk.ref
    assert Risk.objects.get(organisation=org, ref="CSF-02").mitigations.count() == 3
    [issue] = register_rows(org, issues=True, include_closed=True)
    assert issue.risk.ref == "ASC-05" and len(issue.current_history) == 8


def test_the_dols_risk_is_flagged_because_its_indicator_has_turned_red_and_its_quarters_are_frozen(demo):
    org = demo
    row = risk_row(Risk.objects.get(organisation=org, ref="ASC-02"))
    [kri] = row.indicators
    assert kri.indicator.measure.code == "DOLS-WAITING" and kri.rag == "red" and kri.alert
    assert row.flags.needs_review and row.flags.worsening and row.flags.above_appetite
    assert [r.risk.ref for r in register_rows(org) if r.flags.indicator_alert] == ["ASC-02"]
    from carestat.core.models import ReportingPeriod

    assert ReportingPeriod.objects.get(organisation=org, identifier="2025-26-Q1").is_closed
