"""A small governance world for tests: a scrutiny committee with two members, a meeting held
last month with a resolution, and an auditor's recommendation linked to the small plan's action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carestat.governance import services
from carestat.plans.tests.builders import small_plan
from conftest import access_for


def small_governance(org, admin, contributor):
    a = access_for(admin, org)
    today = timezone.localdate()
    plan = small_plan(org, admin, contributor)
    board = services.create_board(a, name="Health and Adult Social Care Scrutiny Committee", kind="scrutiny",
                                  frequency="bimonthly", terms_of_reference="Scrutinises adult social care.")
    chair = services.add_member(a, board, name="Cllr Jane Ellis", role="chair")
    member = services.add_member(a, board, name="Cllr Ravi Patel")
    meeting = services.schedule_meeting(a, board, date=today - dt.timedelta(days=30), location="Council Chamber")
    item = services.add_agenda_item(a, meeting, title="Adult social care improvement programme", plan=plan["plan"])
    decision = services.record_decision(a, meeting, item=item, kind="resolution",
                                        text="That backlog figures be shared with all members")
    rec = services.create_recommendation(
        a, source="external_auditor", source_document="Comptroller and Auditor General: Governance review",
        reference="R1", raised_on=today - dt.timedelta(days=200), text="Establish clear milestones",
        due_date=today + dt.timedelta(days=60), owner=contributor, board=board, response="accepted",
        agreed_response="A governance framework action plan with milestones")
    services.link_action(a, rec, plan["action"])
    return {**plan, "board": board, "chair": chair, "member": member, "meeting": meeting, "item": item,
            "decision": decision, "rec": rec}


def reopened_report(world, org, admin):
    """A plan report approved as version 1 and reopened, so version 2 (a draft) replaces it."""
    from carestat.plans.tests.builders import quarter
    from carestat.reports import services as reports

    a = access_for(admin, org)
    q2 = quarter(org, "2026-27-Q2", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    v1 = reports.approve_report(a, reports.create_report(a, period=q2, scope="plan", plan=world["plan"]))
    v2 = reports.reopen_report(a, v1, reason="The September backlog figure was entered before the late returns.")
    v1.refresh_from_db()
    return v1, v2
