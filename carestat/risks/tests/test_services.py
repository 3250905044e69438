"""Scoring, re-scoring and linking risks through the services: bad input stores nothing,
history keeps its scores when the matrix changes, and every change is audited."""

import datetime as dt

import pytest

from carestat.analytics.risks import Band
from carestat.core.errors import Conflict, InvalidInput, NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry
from carestat.measures import services as measure_services
from carestat.plans.tests.builders import quarter
from carestat.risks import services
from carestat.risks.models import Assessment, Mitigation
from carestat.risks.register import register_rows, risk_row
from carestat.risks.tests.builders import red_measure, small_register
from conftest import access_for


@pytest.fixture
def world(demoshire, cast):
    return small_register(demoshire, cast["admin"], cast["contributor"])


def test_the_register_shows_each_risks_latest_scores_and_flags(world, demoshire):
    [row] = register_rows(demoshire)
    assert (row.inherent.score, row.current.score, row.target.score) == (20, 16, 6)
    assert row.current.band == "Very high" and row.current.likelihood_name == "Likely"
    assert row.flags.above_appetite and row.flags.worsening and not row.flags.review_overdue
    assert [a.score for a in row.current_history] == [12, 16]


def test_an_impossible_score_is_refused_and_nothing_is_stored(world, admin_access):
    before = Assessment.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.assess(admin_access, world["risk"], kind="current", likelihood=3, impact=3, score=10,
                        reason="Checked at the review")
    assert exc.value.field == "score" and "score 9, not 10" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.assess(admin_access, world["risk"], kind="current", likelihood=6, impact=3,
                        reason="Checked at the review")
    assert exc.value.field == "likelihood" and "outside the matrix" in exc.value.message
    assert Assessment.objects.count() == before


def test_changing_the_matrix_never_rescores_history(world, admin_access):
    services.set_matrix(admin_access, likelihood=["Remote", "Unlikely", "Possible", "Probable", "Expected"],
                        impact=["Minimal", "Minor", "Moderate", "Major", "Severe"],
                        bands=[Band("Green", 1, "green"), Band("Amber", 8, "amber"), Band("Red", 12, "red")])
    old = Assessment.objects.get(risk=world["risk"], kind="current", score=16)
    assert (old.band, old.likelihood_name) == ("Very high", "Likely")
    new = services.assess(admin_access, world["risk"], kind="current", likelihood=4, impact=4,
                          reason="Re-scored on the new matrix")
    assert (new.band, new.likelihood_name, new.impact_name) == ("Red", "Probable", "Major")
    entry = AuditEntry.objects.filter(action="risks.matrix.changed").get()
    assert "likelihood levels from Rare, Unlikely" in entry.message and "never" not in entry.message


def test_a_matrix_smaller_than_the_levels_already_used_is_refused(world, admin_access):
    with pytest.raises(InvalidInput, match="assessed at likelihood levels above 4"):
        services.set_matrix(admin_access, likelihood=["A", "B", "C", "D"], impact=["A", "B", "C", "D", "E"],
                            bands=[Band("Low", 1, "green")])


def test_only_admins_keep_the_matrix_and_appetite(world, manager_access):
    with pytest.raises(NotAllowed):
        services.add_category(manager_access, name="Legal", appetite="averse", max_target_score=4)


def test_the_owner_may_rescore_their_risk_but_another_contributor_may_not(world, demoshire, cast):
    a = services.assess(access_for(cast["contributor"], demoshire), world["risk"], kind="current", likelihood=3,
                        impact=4, reason="Two OTs recruited")
    assert a.score == 12
    assert risk_row(world["risk"]).movement.value == "down"
    with pytest.raises(NotAllowed):
        services.assess(access_for(cast["viewer"], demoshire), world["risk"], kind="current", likelihood=3,
                        impact=4, reason="Two OTs recruited")


def test_a_current_assessment_moves_the_next_review_on_by_the_frequency(world, admin_access, today):
    services.assess(admin_access, world["risk"], kind="current", likelihood=3, impact=4, reason="At the review",
                    assessed_on=dt.date(2026, 11, 30))
    world["risk"].refresh_from_db()
    assert world["risk"].next_review == dt.date(2027, 2, 28)


def test_an_assessment_dated_in_a_closed_quarter_is_refused(world, admin_access, demoshire):
    quarter(demoshire, "2025-26-Q1", dt.date(2025, 4, 1), dt.date(2025, 6, 30), status="closed")
    with pytest.raises(PeriodClosed, match="its assessments are frozen"):
        services.assess(admin_access, world["risk"], kind="current", likelihood=2, impact=2,
                        reason="Backdated review", assessed_on=dt.date(2025, 5, 1))


def test_an_assessment_records_its_quarter(world, admin_access, demoshire):
    q = quarter(demoshire, "2025-26-Q3", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    a = services.assess(admin_access, world["risk"], kind="current", likelihood=2, impact=2,
                        reason="Earlier review", assessed_on=dt.date(2025, 11, 3))
    assert a.period == q


def test_linking_another_organisations_action_or_measure_is_refused(world, admin_access, westmarch, outsider):
    from carestat.plans.tests.builders import small_plan

    theirs = small_plan(westmarch, outsider, outsider)
    with pytest.raises(InvalidInput, match="Choose an action from a plan of Demoshire"):
        services.link_action(admin_access, world["risk"], theirs["action"])
    their_measure = measure_services.add_local_measure(access_for(outsider, westmarch), code="X-1", title="X",
                                                       domain="adults", unit="count", polarity="lower_is_better")
    with pytest.raises(InvalidInput, match="Choose a measure of Demoshire"):
        services.link_measure(admin_access, world["risk"], their_measure)
    assert Mitigation.objects.filter(risk=world["risk"]).count() == 1


def test_a_red_indicator_flags_the_risk_for_review(world, admin_access, demoshire, admin):
    measure = red_measure(demoshire, admin)
    services.link_measure(admin_access, world["risk"], measure)
    row = risk_row(world["risk"])
    [state] = row.indicators
    assert state.rag == "red" and state.alert and "OT-WAIT is red" in state.why
    assert row.flags.indicator_alert and row.flags.needs_review


def test_a_mitigating_action_created_from_the_risk_goes_into_the_plan(world, admin_access):
    m = services.create_mitigating_action(admin_access, world["risk"], world["objective"],
                                          title="Grow-our-own OT apprenticeships", due=dt.date(2027, 9, 30))
    assert m.action.objective == world["objective"] and m.action.lead_unit == world["ot"]
    assert AuditEntry.objects.filter(action="plans.action.created", record_id=str(m.action.pk)).exists()
    with pytest.raises(Conflict, match="already mitigates"):
        services.link_action(admin_access, world["risk"], m.action)


def test_a_risk_that_happened_joins_the_issues_log_keeping_its_history(world, admin_access, demoshire):
    services.record_issue(admin_access, world["risk"], occurred_on=dt.date(2026, 10, 1),
                          note="Backlog passed 500 people")
    assert register_rows(demoshire) == []
    [issue] = register_rows(demoshire, issues=True)
    assert issue.current.score == 16 and len(issue.current_history) == 2


def test_a_duplicate_reference_is_refused(world, admin_access):
    with pytest.raises(Conflict, match="already a risk with reference ‘r01’"):
        services.create_risk(admin_access, ref="r01", title="Another", category=world["finance"])


def test_every_change_is_audited_in_words(world):
    messages = list(AuditEntry.objects.filter(action__startswith="risks.").values_list("message", flat=True))
    assert any("added risk R01 ‘Not enough occupational therapists" in m for m in messages)
    assert any("scored risk R01 (current) at 16, Very high: likelihood 4 (Likely) x impact 4 (Major)" in m
               for m in messages)
    assert any("linked action ‘Clear the OT assessment backlog’" in m for m in messages)


def test_a_unit_manager_cannot_manage_a_risk_outside_their_unit(world, demoshire, manager):
    from carestat.core.models import Membership

    Membership.objects.filter(user=manager).update(unit=world["adults"])
    # the manager's unit (Adults' Services) covers the OT team beneath it
    services.add_control(access_for(manager, demoshire), world["risk"], description="Bank OTs",
                         effectiveness="effective")
    from carestat.core import services as core_services
    from carestat.core.models import UnitKind

    children = core_services.add_unit(access_for(world["risk"].created_by, demoshire), name="Children's Services",
                                      kind=UnitKind.DIRECTORATE, parent=None)
    with pytest.raises(NotAllowed):
        services.create_risk(access_for(manager, demoshire), ref="R09", title="Placement sufficiency",
                             category=world["finance"], unit=children)
