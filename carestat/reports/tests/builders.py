import datetime as dt

from carestat.measures import services as measures
from carestat.plans import services as plans
from carestat.plans.models import ActionUpdate
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for

Q2 = "2026-27-Q2"


def report_world(cast, demoshire):
    """A plan with one action (an approved Q2 update) and two milestones, one done and one
    overdue at the end of Q2; a measure of its objective with six quarters of values and a
    target; Q2 and Q3 reporting periods."""
    org = demoshire
    w = small_plan(org, cast["admin"], cast["contributor"], today=dt.date(2026, 8, 1))
    w["cast"], w["org"] = cast, org
    w["q1"] = quarter(org, "2026-27-Q1", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    w["q2"] = quarter(org, Q2, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    w["q3"] = quarter(org, "2026-27-Q3", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    admin = access_for(cast["admin"], org)
    manager = access_for(cast["manager"], org)
    w["admin_access"], w["manager_access"] = admin, manager
    plans.complete_milestone(admin, w["m1"], actual_date=dt.date(2026, 8, 30))
    update = plans.save_update(access_for(cast["contributor"], org), w["action"], w["q2"], delivery="at_risk",
                               percent_complete=60, commentary="Agency OTs started late in August.",
                               next_steps="Report the backlog weekly to the programme board.",
                               recovery_action="Weekend clinics until the backlog is under 100.", submit=True)
    plans.approve_update(manager, ActionUpdate.objects.get(pk=update.pk))
    m = measures.add_local_measure(admin, code="OT28", title="OT assessments within 28 days", domain="adults",
                                   unit="percent", polarity="higher_is_better", numerator="Assessed within 28 days",
                                   denominator="All assessments", tolerance=5)
    for period, (n, d) in zip(["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2026-27-Q1", Q2],
                              [(50, 100), (52, 100), (55, 100), (58, 100), (61, 100), (64, 100)], strict=True):
        measures.enter_value(manager, m, period=period, numerator=n, denominator=d)
    measures.set_target(admin, m, period=Q2, value=80)
    measures.link_objective(admin, m, w["objective"])
    w["measure"] = m
    return w
