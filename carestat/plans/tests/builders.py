"""A small plan for tests: one priority, one objective, one action owned by the contributor
in the Occupational Therapy team, with two milestones."""

from __future__ import annotations

import datetime as dt

from carestat.core import services as core_services
from carestat.core.models import ReportingPeriod, UnitKind
from carestat.plans import services
from carestat.plans.models import PlanKind
from conftest import access_for


def quarter(org, identifier, start, end, status="open"):
    return ReportingPeriod.objects.get_or_create(
        organisation=org, identifier=identifier,
        defaults={"kind": "quarter", "start": start, "end": end, "status": status},
    )[0]


def small_plan(org, admin, contributor, today=None):
    today = today or dt.date.today()
    a = access_for(admin, org)
    adults = core_services.add_unit(a, name="Adults' Services", kind=UnitKind.DIRECTORATE, parent=None)
    ot = core_services.add_unit(a, name="Occupational Therapy", kind=UnitKind.TEAM, parent=adults)
    plan = services.create_plan(a, kind=PlanKind.IMPROVEMENT, title="Adult social care improvement",
                                start=today - dt.timedelta(days=200), end=today + dt.timedelta(days=900),
                                owner_unit=adults)
    priority = services.add_priority(a, plan, title="Backlog clearance")
    objective = services.add_objective(a, priority, statement="No one waits more than 28 days for an OT assessment")
    action = services.add_action(a, objective, title="Clear the OT assessment backlog", owner=contributor,
                                 lead_unit=ot, phase="First 100 days", start=today - dt.timedelta(days=100),
                                 due=today + dt.timedelta(days=60))
    m1 = services.add_milestone(a, action, title="Recruit agency OTs", baseline_date=today + dt.timedelta(days=30))
    m2 = services.add_milestone(a, action, title="Backlog under 100", baseline_date=today + dt.timedelta(days=50))
    return {"plan": plan, "priority": priority, "objective": objective, "action": action, "m1": m1, "m2": m2,
            "adults": adults, "ot": ot}
