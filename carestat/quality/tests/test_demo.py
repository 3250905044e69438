"""Demoshire's audits load through the upload path and services, and feed measures and the plan."""

import pytest

from carestat.quality import selectors
from carestat.quality.models import AuditKind, AuditRound, AuditStatus, CaseAudit, FindingAction


@pytest.fixture
def demo(db, settings, story_day):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from carestat.core import demo as core_demo
    from carestat.core.tenancy import scoped_to
    from carestat.measures import demo as measures_demo
    from carestat.plans import demo as plans_demo
    from carestat.quality import demo as quality_demo

    org = core_demo.load(None, lambda msg: None)
    with scoped_to(org):
        measures_demo.load(org, lambda msg: None)
        quality_demo.load(org, lambda msg: None)
        plans_demo.load(org, lambda msg: None)
        quality_demo.link_to_plans(org, lambda msg: None)
        yield org


def test_four_quarterly_rounds_of_adults_and_childrens_audits_with_moderation_and_measures(demo):
    from carestat.measures.models import Measure

    rounds = AuditRound.objects.filter(organisation=demo)
    assert rounds.count() == 8
    assert sorted({r.period for r in rounds}) == ["2025-26-Q4", "2026-27-Q1", "2026-27-Q2", "2026-27-Q3"]
    for r in rounds:
        assert r.cases.count() == (12 if r.service == "adult" else 10)
        assert CaseAudit.objects.filter(round=r, kind=AuditKind.MODERATION, status=AuditStatus.SUBMITTED).exists()
    # no case drawn in one adults' round is drawn again within six months
    adults = sorted(rounds.filter(service="adult"), key=lambda r: r.period)
    for a, b in zip(adults, adults[1:], strict=False):
        assert not set(a.cases.values_list("key", flat=True)) & set(b.cases.values_list("key", flat=True))
    values = Measure.objects.get(organisation=demo, code="QA-GOOD-CHILDREN").values.order_by("period")
    assert [v.period for v in values] == ["2025-26-Q4", "2026-27-Q1", "2026-27-Q2", "2026-27-Q3"]
    latest = adults[-1]
    res = selectors.round_results(latest)
    assert res.overall.total > 0 and res.themes


def test_themes_feed_actions_in_the_portfolio_plan(demo):
    links = list(FindingAction.objects.filter(organisation=demo).select_related("action__objective__priority__plan"))
    assert len(links) == 2
    assert {link.action.objective.priority.plan.title for link in links} == {
        "Adult Care and Health Portfolio Plan 2025 to 2028"}
