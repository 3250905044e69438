"""A small register for tests, on top of the small plan: a workforce category with a cautious
appetite (at most 8), one risk owned by the contributor in the OT team, scored over two
quarters, and a local measure that has turned red."""

from __future__ import annotations

import datetime as dt

from carestat.measures import services as measure_services
from carestat.plans.tests.builders import small_plan
from carestat.risks import services
from conftest import access_for


def red_measure(org, admin):
    a = access_for(admin, org)
    m = measure_services.add_local_measure(a, code="OT-WAIT", title="People waiting for an OT assessment",
                                           domain="adults", unit="count", polarity="lower_is_better")
    for period, value in (("2025-26-Q1", 120), ("2025-26-Q2", 150)):
        measure_services.enter_value(a, m, period=period, value=value)
    measure_services.set_target(a, m, period="2025-26-Q2", value=80)
    return m


def small_register(org, admin, contributor, today=None):
    today = today or dt.date.today()
    world = small_plan(org, admin, contributor, today)
    a = access_for(admin, org)
    workforce = services.add_category(a, name="Workforce", appetite="cautious", max_target_score=8)
    finance = services.add_category(a, name="Financial", appetite="minimal", max_target_score=6)
    risk = services.create_risk(a, ref="R01", title="Not enough occupational therapists to clear the backlog",
                                cause="National shortage of OTs", event="Backlog grows",
                                consequence="People wait longer and their needs escalate", category=workforce,
                                unit=world["ot"], plan=world["plan"], priority=world["priority"], owner=contributor)
    services.assess(a, risk, kind="inherent", likelihood=5, impact=4, reason="Before any controls",
                    assessed_on=today - dt.timedelta(days=120))
    services.assess(a, risk, kind="current", likelihood=3, impact=4, reason="Agency OTs in post",
                    assessed_on=today - dt.timedelta(days=120))
    services.assess(a, risk, kind="current", likelihood=4, impact=4, reason="Two agency OTs left",
                    assessed_on=today - dt.timedelta(days=10))
    services.assess(a, risk, kind="target", likelihood=2, impact=3, reason="Once recruitment completes",
                    assessed_on=today - dt.timedelta(days=120))
    services.add_control(a, risk, description="Weekly backlog triage by a senior OT", effectiveness="partly")
    services.link_action(a, risk, world["action"])
    return {**world, "risk": risk, "workforce": workforce, "finance": finance}
