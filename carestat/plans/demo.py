"""Demoshire's plans, with history from April 2024 to today (November 2026).

Four plans, loaded through the service functions so that every step has its audit trail:
an adult social care improvement programme (first 100 days, next 100 days, then a 3-year
programme), a children's 3-year service and financial plan, a governance framework action
plan answering the external auditor, and an adult care and health portfolio plan.

The story is replayed quarter by quarter from 2024-25 Q1: milestones are re-dated (with
reasons) and achieved when they were, owners submit an update for each live action, managers
return some and approve the rest, and each quarter is closed, which freezes its statuses.
2025-26 Q4 is reopened once for a late correction. The current quarter (2026-27 Q3) is open:
some updates await approval and the rest are due, so reminders have something to say.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.models import Membership, ReportingPeriod, Role, Unit
from carestat.plans import services
from carestat.plans.models import Action, ActionUpdate, Milestone, Objective, Plan, Priority

D = dt.date

# Extra people who own actions (they cannot sign in: no password is set).
PEOPLE = [
    ("lena.kowalski@demoshire.example", "Lena Kowalski", Role.CONTRIBUTOR, "Safeguarding Adults Hub"),
    ("daniel.reyes@demoshire.example", "Daniel Reyes", Role.CONTRIBUTOR, "Deprivation of Liberty Safeguards"),
    ("ruth.daniels@demoshire.example", "Ruth Daniels", Role.CONTRIBUTOR, "Commissioning and Market Development"),
    ("owen.price@demoshire.example", "Owen Price", Role.CONTRIBUTOR, "Performance and Intelligence"),
    ("grace.adeyemi@demoshire.example", "Grace Adeyemi", Role.CONTRIBUTOR, "Children's Social Care"),
    ("marcus.bell@demoshire.example", "Marcus Bell", Role.MANAGER, "Children's Services"),
]
TOM, PRIYA, HELEN = "tom.okafor", "priya.shah", "helen.morgan"
LENA, DANIEL, RUTH, OWEN, GRACE, MARCUS = "lena.kowalski", "daniel.reyes", "ruth.daniels", "owen.price", \
    "grace.adeyemi", "marcus.bell"


def A(title, owner, unit, bau, phase, start, due, milestones, also=()):  # noqa: N802
    return {"title": title, "owner": owner, "unit": unit, "bau": bau, "phase": phase, "start": start, "due": due,
            "milestones": milestones, "also": also}


def M(title, baseline, *events):  # noqa: N802
    """events: ("redate", on, new date, reason) and ("done", on)."""
    return {"title": title, "baseline": baseline, "events": events}


def redate(on, new, reason):
    return ("redate", on, new, reason)


def done(on):
    return ("done", on)


PLANS = [
    {
        "title": "Adult Social Care Improvement Programme 2024 to 2027",
        "kind": "improvement", "unit": "Adults' Services", "start": D(2024, 4, 1), "end": D(2027, 9, 30),
        "description": "Our response to the Local Government Association peer challenge of March 2024: two "
                       "100-day units to clear the worst backlogs, then a 3-year programme covering backlog "
                       "clearance, Care Act compliance, market capacity and workforce, and IT systems.",
        "priorities": [
            ("Backlog clearance", [
                ("Everyone waiting for an assessment is seen within 28 days, and no one waits more than three "
                 "months for occupational therapy", [
                    A("Clear the occupational therapy assessment backlog with additional agency capacity", TOM,
                      "Occupational Therapy", "change", "First 100 days", D(2024, 4, 1), D(2024, 7, 9), [
                          M("Four agency occupational therapists in post", D(2024, 5, 3),
                            redate(D(2024, 4, 26), D(2024, 5, 20), "The agency could supply only two therapists "
                                   "before mid-May; the other two start on 20 May"), done(D(2024, 5, 20))),
                          M("Occupational therapy backlog below 400 people", D(2024, 7, 9), done(D(2024, 7, 5))),
                      ]),
                    A("Reduce the occupational therapy waiting list to under 100 and hold it there", TOM,
                      "Occupational Therapy", "change", "Next 100 days", D(2024, 7, 10), D(2024, 10, 17), [
                          M("Occupational therapy waiting list under 200", D(2024, 8, 30), done(D(2024, 9, 12))),
                          M("Occupational therapy waiting list under 100", D(2024, 10, 17),
                            redate(D(2024, 10, 9), D(2025, 1, 31), "Referrals rose 18% over the summer after the "
                                   "hospital discharge changes; agency contracts extended to January"),
                            done(D(2025, 1, 24))),
                      ]),
                    A("Sustain occupational therapy waiting times with a trusted assessor model", TOM,
                      "Occupational Therapy", "bau", "Year 2", D(2025, 10, 1), D(2027, 3, 31), [
                          M("Twelve trusted assessors trained", D(2026, 3, 31), done(D(2026, 3, 20))),
                          M("Trusted assessor model covers every locality", D(2026, 9, 30),
                            redate(D(2026, 9, 15), D(2027, 1, 29), "Locality South training postponed by two "
                                   "vacancies in the team; the cohort is rebooked for January")),
                      ]),
                ]),
                ("Deprivation of Liberty Safeguards applications are assessed within statutory timescales", [
                    A("Clear the Deprivation of Liberty Safeguards backlog with extra best interests assessors",
                      DANIEL, "Deprivation of Liberty Safeguards", "change", "First 100 days", D(2024, 4, 15),
                      D(2026, 10, 30), [
                          M("Every waiting application triaged by priority", D(2024, 6, 28), done(D(2024, 6, 21))),
                          M("Backlog of applications below 250", D(2024, 12, 20),
                            redate(D(2024, 12, 2), D(2025, 3, 28), "Two commissioned best interests assessors "
                                   "withdrew; the replacement contract was signed in November"),
                            done(D(2025, 3, 26))),
                          M("All urgent authorisations decided within 7 days", D(2025, 9, 30),
                            redate(D(2025, 9, 10), D(2026, 3, 31), "Court of Protection cases took more assessor "
                                   "time than planned"),
                            redate(D(2026, 3, 16), D(2026, 10, 30), "The team restructure was paused while the "
                                   "Liberty Protection Safeguards timetable was unclear")),
                      ]),
                ]),
            ]),
            ("Care Act compliance and safeguarding practice", [
                ("Safeguarding concerns get a response in time: the most urgent within 24 hours, less urgent "
                 "within 3 days, and all signed off by a manager within 5 days", [
                    A("Introduce a safeguarding triage standard with 24-hour, 3-day and 5-day timescales", LENA,
                      "Safeguarding Adults Hub", "change", "First 100 days", D(2024, 4, 1), D(2024, 7, 9), [
                          M("Triage standard agreed by the Safeguarding Adults Board", D(2024, 5, 31),
                            done(D(2024, 5, 29))),
                          M("Manager sign-off within 5 days reported weekly", D(2024, 7, 9), done(D(2024, 7, 31))),
                      ]),
                    A("Audit a random sample of safeguarding case files every month", LENA,
                      "Safeguarding Adults Hub", "bau", "Year 1", D(2024, 10, 1), D(2027, 9, 30), [
                          M("First monthly case file audit reported", D(2024, 11, 29), done(D(2024, 11, 28))),
                          M("Audit findings reported to the Safeguarding Adults Board", D(2025, 6, 30),
                            done(D(2025, 7, 8))),
                          M("Audits show 90% of files meet the standard", D(2026, 12, 18)),
                      ]),
                ]),
                ("Assessments, care plans and reviews meet the Care Act 2014 and its statutory guidance", [
                    A("Review every care plan not reviewed in the last 12 months", TOM,
                      "Adult Social Care Operations", "change", "Year 2", D(2025, 4, 1), D(2026, 9, 30), [
                          M("Overdue reviews halved", D(2025, 9, 30), done(D(2025, 10, 15))),
                          M("No review more than 12 months overdue", D(2026, 9, 30)),
                      ]),
                ]),
            ]),
            ("Market capacity and workforce", [
                ("Enough good home care and Shared Lives capacity to meet demand", [
                    A("Recommission home care on a locality model", RUTH, "Commissioning and Market Development",
                      "change", "Year 1", D(2024, 10, 1), D(2026, 3, 31), [
                          M("Market position statement published", D(2025, 1, 31), done(D(2025, 1, 30))),
                          M("New home care contracts start", D(2025, 10, 1),
                            redate(D(2025, 6, 20), D(2026, 1, 5), "Procurement extended after a provider "
                                   "challenged the lot structure"), done(D(2026, 1, 5))),
                      ]),
                    A("Grow the Shared Lives scheme and keep its carers", RUTH, "Shared Lives Scheme", "change",
                      "Year 2", D(2025, 4, 1), D(2027, 3, 31), [
                          M("Exit interview with every carer who leaves", D(2025, 6, 30), done(D(2025, 6, 30))),
                          M("Twenty new Shared Lives carers approved", D(2026, 6, 30),
                            redate(D(2026, 6, 12), D(2026, 12, 18), "The recruitment campaign paused during the "
                                   "pre-election period")),
                      ]),
                ]),
                ("A stable, permanent social care workforce", [
                    A("Recruit and keep permanent social workers and occupational therapists", PRIYA,
                      "Adults' Services", "bau", "Year 2", D(2025, 4, 1), D(2027, 9, 30), [
                          M("Recruitment and retention strategy agreed", D(2025, 7, 31), done(D(2025, 7, 25))),
                          M("Agency staff below 10% of frontline posts", D(2027, 3, 31)),
                      ]),
                ]),
            ]),
            ("IT systems and data quality", [
                ("Reliable data that leaders can trust to make decisions", [
                    A("Cleanse waiting list data after the data quality review", OWEN, "Performance and Intelligence",
                      "change", "First 100 days", D(2024, 4, 1), D(2024, 7, 9), [
                          M("Waiting list records reconciled with the case management system", D(2024, 6, 14),
                            done(D(2024, 6, 28))),
                      ]),
                    A("Replace the adult social care case management system", OWEN, "Performance and Intelligence",
                      "change", "Year 3", D(2025, 4, 1), D(2027, 9, 30), [
                          M("Supplier appointed", D(2025, 9, 30), done(D(2025, 11, 14))),
                          M("Data migration trial complete", D(2026, 9, 30),
                            redate(D(2026, 8, 20), D(2026, 11, 27), "The supplier's migration tool failed "
                                   "validation against our reporting extract; the fix is due in November")),
                          M("New system live", D(2027, 6, 30)),
                      ]),
                ]),
            ]),
        ],
    },
    {
        "title": "Children's Services 3-year Service and Financial Plan 2025 to 2028",
        "kind": "service_financial", "unit": "Children's Services", "start": D(2025, 4, 1), "end": D(2028, 3, 31),
        "description": "Four themes with a financial model, risks and measures, and a dynamic model that lets "
                       "service and financial performance be monitored robustly and challenged.",
        "priorities": [
            ("Quality and effectiveness of practice", [
                ("Children get the right help at the right time, and practice is consistently good", [
                    A("Embed one practice model across children's social care", GRACE, "Children's Social Care",
                      "change", "Year 1", D(2025, 4, 1), D(2026, 9, 30), [
                          M("Practice model training for every social worker", D(2025, 9, 30),
                            done(D(2025, 10, 10))),
                          M("Monthly practice audits show 70% good or better", D(2026, 3, 31),
                            redate(D(2026, 3, 10), D(2026, 9, 30), "The audit tool changed after the Ofsted "
                                   "focused visit"), done(D(2026, 9, 25))),
                      ]),
                    A("Decide on front door contacts within 24 hours", GRACE, "Front Door (MASH)", "bau", "Year 1",
                      D(2025, 4, 1), D(2026, 12, 31), [
                          M("Staffing model for the multi-agency safeguarding hub agreed", D(2025, 6, 30),
                            done(D(2025, 6, 27))),
                          M("95% of contacts decided within 24 hours", D(2026, 12, 31)),
                      ]),
                ]),
            ]),
            ("Workforce capacity and capability", [
                ("A stable workforce with manageable caseloads", [
                    A("Reduce agency social workers through a 'grow our own' academy", MARCUS,
                      "Workforce and Practice Quality", "change", "Year 1", D(2025, 4, 1), D(2027, 3, 31), [
                          M("First academy cohort of 12 newly qualified social workers", D(2025, 9, 30),
                            done(D(2025, 9, 15))),
                          M("Agency social workers below 15% of posts", D(2026, 9, 30)),
                      ]),
                    A("Bring the average caseload to 18 children or fewer", GRACE, "Children's Social Care", "bau",
                      "Year 2", D(2026, 4, 1), D(2027, 3, 31), [
                          M("Caseload dashboard live", D(2026, 6, 30), done(D(2026, 6, 30))),
                          M("Average caseload of 18 or fewer", D(2027, 3, 31)),
                      ]),
                ]),
            ]),
            ("Improved commissioning", [
                ("Enough local placements at a fair price", [
                    A("Open two small local children's homes", GRACE, "Children in Care", "change", "Year 1",
                      D(2025, 4, 1), D(2027, 6, 30), [
                          M("Properties purchased", D(2025, 12, 31), done(D(2026, 2, 13))),
                          M("First home registered with Ofsted", D(2026, 10, 30),
                            redate(D(2026, 7, 22), D(2027, 2, 26), "Planning consent took longer than expected; "
                                   "the registration application was resubmitted")),
                          M("Second home opens", D(2027, 6, 30)),
                      ]),
                    A("Recruit more in-house foster carers", GRACE, "Fostering and Adoption", "bau", "Year 1",
                      D(2025, 4, 1), D(2028, 3, 31), [
                          M("Fostering recruitment campaign launched", D(2025, 7, 31), done(D(2025, 7, 31))),
                          M("Net gain of 15 fostering households", D(2026, 3, 31), done(D(2026, 5, 15))),
                      ]),
                ]),
            ]),
            ("Service and financial performance and accountability", [
                ("Spending stays within budget, and performance is monitored robustly and challenged", [
                    A("Build a dynamic service and financial performance model", OWEN, "Performance and Intelligence",
                      "change", "Year 1", D(2025, 4, 1), D(2026, 9, 30), [
                          M("Financial model linked to placement data", D(2025, 12, 31), done(D(2025, 12, 19))),
                          M("Quarterly report to members built on the Outcomes Framework", D(2026, 6, 30),
                            done(D(2026, 7, 14))),
                      ]),
                    A("Deliver placement savings of £2.1m", MARCUS, "Children's Services", "change", "Year 2",
                      D(2026, 4, 1), D(2027, 3, 31), [
                          M("Savings plan agreed by Cabinet", D(2026, 5, 31), done(D(2026, 5, 20))),
                          M("Half-year savings of £1.0m confirmed", D(2026, 10, 30)),
                      ]),
                ]),
            ]),
        ],
    },
    {
        "title": "Governance Framework Action Plan: response to the external auditor",
        "kind": "governance", "unit": "Corporate Performance", "start": D(2024, 10, 1), "end": D(2026, 12, 31),
        "description": "The auditor asked the directorate to establish clear milestones for completing and "
                       "implementing the governance framework, covering all services, business as usual and "
                       "change initiatives, and to monitor delivery against those milestones.",
        "priorities": [
            ("Recommendation 1: clear milestones for the governance framework, covering all services, business as "
             "usual and change", [
                ("Every service has a delivery plan with milestones that are monitored", [
                    A("Publish a milestone plan for each service", OWEN, "Performance and Intelligence", "change",
                      "", D(2024, 10, 1), D(2025, 3, 31), [
                          M("Milestone plan template agreed by the senior management team", D(2024, 11, 29),
                            done(D(2024, 11, 27))),
                          M("Milestone plans published for every service", D(2025, 3, 31), done(D(2025, 4, 11))),
                      ]),
                    A("Monitor delivery against milestones each month at the senior management team", OWEN,
                      "Performance and Intelligence", "bau", "", D(2025, 4, 1), D(2026, 12, 31), [
                          M("First monthly milestone report to the senior management team", D(2025, 5, 30),
                            done(D(2025, 5, 28))),
                          M("Annual review of the framework by internal audit", D(2026, 12, 11)),
                      ]),
                ]),
            ]),
            ("Recommendation 2: strengthen reporting to the finance and performance, and care quality meetings", [
                ("Members and senior managers get one integrated, reliable report", [
                    A("Produce a regular integrated performance and finance report", OWEN,
                      "Performance and Intelligence", "change", "", D(2024, 10, 1), D(2025, 9, 30), [
                          M("Integrated report design agreed", D(2025, 1, 31), done(D(2025, 2, 14))),
                          M("First integrated report to the finance and performance meeting", D(2025, 6, 30),
                            done(D(2025, 6, 24))),
                      ]),
                    A("Report better children's figures once the new children's social work system is live", GRACE,
                      "Children's Social Care", "change", "", D(2025, 4, 1), D(2026, 12, 31), [
                          M("New children's social work system live", D(2025, 11, 3),
                            redate(D(2025, 10, 8), D(2026, 4, 6), "Go-live delayed by the supplier's data "
                                   "migration defects"), done(D(2026, 4, 7))),
                          M("Children's measures reported from the new system", D(2026, 6, 30),
                            redate(D(2026, 6, 18), D(2026, 12, 18), "Reports need rebuilding after go-live; three "
                                   "of eight measures are ready")),
                      ]),
                ]),
            ]),
            ("Recommendation 3: clarify the terms of reference and decision rights of governance meetings", [
                ("Each meeting knows what it decides and what it escalates", [
                    A("Refresh the terms of reference of the senior management team, finance and performance, and "
                      "care quality meetings", PRIYA, "Adults' Services", "bau", "", D(2024, 10, 1),
                      D(2025, 3, 31), [
                          M("Terms of reference approved", D(2025, 1, 31), done(D(2025, 1, 29))),
                      ]),
                    A("Introduce a risk escalation route from services to the senior management team", MARCUS,
                      "Children's Services", "change", "", D(2025, 1, 1), D(2026, 3, 31), [
                          M("Risk escalation protocol agreed", D(2025, 6, 30), done(D(2025, 9, 12))),
                          M("Directorate risk register reviewed each quarter", D(2026, 3, 31), done(D(2026, 3, 27))),
                      ]),
                    A("Commission an external review of committee arrangements", OWEN, "Performance and Intelligence",
                      "change", "", D(2025, 4, 1), D(2026, 3, 31), [
                          M("Reviewer appointed", D(2025, 9, 30)),
                      ]),
                ]),
            ]),
        ],
        # (action title, when, reason): dropped, not deleted
        "archive": [("Commission an external review of committee arrangements", D(2025, 11, 14),
                     "Superseded by the council-wide governance review that Cabinet commissioned in November")],
    },
    {
        "title": "Adult Care and Health Portfolio Plan 2025 to 2028",
        "kind": "portfolio", "unit": "Adults' Services", "start": D(2025, 4, 1), "end": D(2028, 3, 31),
        "description": "Four priorities, each with statements, actions and measures of success; a half-year "
                       "update goes to the Health and Adult Social Care Scrutiny Committee.",
        "priorities": [
            ("Safeguarding", [
                ("People are safe and protected from abuse and neglect", [
                    A("Make safeguarding personal in every enquiry", LENA, "Safeguarding Adults Hub", "bau", "Year 1",
                      D(2025, 4, 1), D(2026, 3, 31), [
                          M("Desired outcomes asked for and recorded in 90% of enquiries", D(2026, 3, 31),
                            done(D(2026, 3, 31))),
                      ]),
                ]),
            ]),
            ("Life chances, resilience and wellbeing", [
                ("People live independently for longer in their own homes", [
                    A("Expand reablement so more people go home from hospital", TOM, "Occupational Therapy", "change",
                      "Year 1", D(2025, 4, 1), D(2027, 3, 31), [
                          M("Reablement capacity increased by 30%", D(2025, 12, 31), done(D(2026, 1, 30))),
                          M("85% of people still at home 91 days after discharge", D(2027, 3, 31)),
                      ]),
                    A("Support carers to keep caring", RUTH, "Commissioning and Market Development", "bau", "Year 2",
                      D(2026, 4, 1), D(2027, 3, 31), [
                          M("Carers' strategy refreshed with carers", D(2026, 9, 30)),
                      ]),
                ]),
            ]),
            ("Integrated health and social care", [
                ("Health and care services work as one for people leaving hospital", [
                    A("Run a joint discharge hub with the hospital trust", PRIYA, "Adult Social Care Operations",
                      "change", "Year 1", D(2025, 4, 1), D(2027, 3, 31), [
                          M("Joint discharge hub opens", D(2025, 10, 1), done(D(2025, 9, 29))),
                          M("Discharge delays attributable to social care halved", D(2026, 9, 30),
                            redate(D(2026, 9, 2), D(2027, 3, 31), "Winter pressures plan brought forward; the new "
                                   "date is agreed with the Integrated Care Board")),
                      ]),
                ]),
            ]),
            ("Efficiency and effectiveness", [
                ("Public money is used well and services are efficient", [
                    A("Keep more than 80% of frontline staff permanent", PRIYA, "Adults' Services", "bau", "Year 1",
                      D(2025, 4, 1), D(2028, 3, 31), [
                          M("Quarterly workforce report on permanence", D(2025, 7, 31), done(D(2025, 7, 31))),
                          M("82% of frontline staff permanent", D(2026, 9, 30), done(D(2026, 9, 24))),
                      ]),
                    A("Audit the quality of a random sample of case files each quarter", LENA,
                      "Adult Social Care Operations", "bau", "Year 1", D(2025, 4, 1), D(2028, 3, 31), [
                          M("Case file quality audit framework agreed", D(2025, 6, 30), done(D(2025, 6, 30))),
                      ], also=("People are safe and protected from abuse and neglect",)),
                ]),
            ]),
        ],
    },
]

RETURN_COMMENT = ("Please add the current figure against the target and say when the next milestone will be met, "
                  "so the committee can see the trend.")


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def load(org, progress):
    progress("Adding Demoshire's plans with their quarterly history")
    admin_m = Membership.objects.select_related("user").get(organisation=org, role=Role.ADMIN)
    admin = Access(user=admin_m.user, organisation=org, membership=admin_m)
    units = {u.name: u for u in Unit.objects.filter(organisation=org)}
    units.setdefault("Shared Lives Scheme", units.get("Shared Lives"))
    for email, name, role, unit in PEOPLE:
        core_services.create_user(email=email, full_name=name, password=None)
        core_services.add_member(admin, email=email, role=role, unit=units[unit])
    members = {m.user.username.split("@")[0]: m for m in
               Membership.objects.filter(organisation=org).select_related("user", "unit", "organisation")}
    access = {k: Access(user=m.user, organisation=org, membership=m) for k, m in members.items()}
    approvers = [access[PRIYA], access[MARCUS], admin]

    events = []  # (day, order, kind, payload)
    actions_by_title = {}
    for spec in PLANS:
        plan = services.create_plan(admin, kind=spec["kind"], title=spec["title"], start=spec["start"],
                                    end=spec["end"], description=spec["description"], owner_unit=units[spec["unit"]])
        objectives = {}
        pending_also = []
        for p_title, objs in spec["priorities"]:
            priority = services.add_priority(admin, plan, title=p_title)
            for statement, actions in objs:
                objective = services.add_objective(admin, priority, statement=statement)
                objectives[statement] = objective
                for a in actions:
                    action = services.add_action(
                        admin, objective, title=a["title"], due=a["due"], owner=access[a["owner"]].user,
                        lead_unit=units[a["unit"]], bau_or_change=a["bau"], phase=a["phase"], start=a["start"])
                    actions_by_title[a["title"]] = action
                    Action.objects.filter(pk=action.pk).update(created_at=_aware(a["start"]))
                    pending_also.append((action, a["also"]))
                    owner = access[a["owner"]]
                    for ms in a["milestones"]:
                        m = services.add_milestone(admin, action, title=ms["title"], baseline_date=ms["baseline"])
                        Milestone.objects.filter(pk=m.pk).update(created_at=_aware(a["start"]))
                        for ev in ms["events"]:
                            events.append((ev[1], 0 if ev[0] == "redate" else 1, ev[0], (owner, m, ev)))
        for action, also in pending_also:
            if also:
                action.also_serves.set([objectives[s] for s in also])
        Plan.objects.filter(pk=plan.pk).update(created_at=_aware(spec["start"]))
        Priority.objects.filter(plan=plan).update(created_at=_aware(spec["start"]))
        Objective.objects.filter(priority__plan=plan).update(created_at=_aware(spec["start"]))
        for title, day, reason in spec.get("archive", []):
            events.append((day, 2, "archive", (admin, actions_by_title[title], reason)))

    today = timezone.localdate()
    quarters = list(ReportingPeriod.objects.filter(organisation=org, kind="quarter", start__gte=D(2024, 4, 1),
                                                   start__lte=today).order_by("start"))
    events.sort(key=lambda e: (e[0], e[1]))
    count = 0
    for q in quarters:
        progress(f"  {q.identifier}")
        for day, _, kind, payload in [e for e in events if q.start <= e[0] <= q.end and e[0] <= today]:
            if kind == "redate":
                owner, m, ev = payload
                services.redate_milestone(owner, m, new_date=ev[2], reason=ev[3], at=_aware(day))
            elif kind == "done":
                owner, m, ev = payload
                services.complete_milestone(owner, m, actual_date=day)
            else:
                who, action, reason = payload
                services.archive(who, action, reason=reason)
                Action.objects.filter(pk=action.pk).update(archived_at=_aware(day))
        current = q.end >= today
        count = _quarter_updates(org, q, access, approvers, count, current, today)
        if not current:
            core_services.close_period(admin, q)
        if q.identifier == "2025-26-Q4":
            _late_correction(q, admin, access, approvers)
    return org


def _percent(action: Action, q: ReportingPeriod) -> int:
    milestones = [m for m in action.milestones.all() if not m.is_archived]
    if milestones and all(m.actual_date and m.actual_date <= q.end for m in milestones):
        return 100
    span = max((action.due - (action.start or action.due)).days, 1)
    elapsed = (min(q.end, action.due) - (action.start or q.start)).days
    by_time = round(max(5, min(90, 100 * elapsed / span)) / 5) * 5
    done = sum(1 for m in milestones if m.actual_date and m.actual_date <= q.end)
    by_milestones = round(100 * done / len(milestones) / 5) * 5 if milestones else 0
    return max(5, min(95, max(by_time, by_milestones)))


def _state(action: Action, q: ReportingPeriod) -> tuple[str, list[Milestone], list[Milestone], list[Milestone]]:
    as_of = q.end
    milestones = [m for m in action.milestones.all() if not m.is_archived]
    achieved = [m for m in milestones if m.actual_date and q.start <= m.actual_date <= as_of]
    late = [m for m in milestones if not (m.actual_date and m.actual_date <= as_of) and m.forecast_date < as_of]
    slipped = [m for m in milestones if not (m.actual_date and m.actual_date <= as_of)
               and m.forecast_date > m.baseline_date]
    if late:
        return "off_track", achieved, late, slipped
    if slipped:
        return "at_risk", achieved, late, slipped
    return "on_track", achieved, late, slipped


def _commentary(action: Action, q: ReportingPeriod, percent: int) -> tuple[str, str, str]:
    delivery, achieved, late, slipped = _state(action, q)
    parts = []
    if achieved:
        parts.append("Achieved this quarter: " + "; ".join(f"{m.title} ({m.actual_date:%-d %B %Y})" for m in achieved)
                     + ".")
    if late:
        parts.append("Overdue: " + "; ".join(f"{m.title}, due {m.forecast_date:%-d %B %Y}" for m in late) + ".")
    elif slipped:
        parts.append("Running later than first planned: " + "; ".join(
            f"{m.title}, now {m.forecast_date:%-d %B %Y} (originally {m.baseline_date:%-d %B %Y})" for m in slipped)
            + ".")
    if not parts:
        parts.append("Work is progressing to plan with no issues to escalate.")
    upcoming = sorted((m for m in action.milestones.all() if not m.is_archived and not m.actual_date),
                      key=lambda m: m.forecast_date)
    next_steps = (f"Next milestone: {upcoming[0].title}, forecast {upcoming[0].forecast_date:%-d %B %Y}."
                  if upcoming else "Keep the improvement in place and report by exception.")
    if percent >= 100:
        delivery = "complete"
    recovery = ""
    if delivery in ("off_track", "at_risk"):
        behind = (late or slipped)[0]
        recovery = (f"Extra capacity agreed with the service manager to bring ‘{behind.title}’ in by "
                    f"{behind.forecast_date:%-d %B %Y}; progress checked fortnightly and escalated to the "
                    "programme board if it slips again.")
    return delivery, " ".join(parts), next_steps, recovery


def _approver(approvers, action):
    for a in approvers:
        if services.can_manage_action(a, action):
            return a
    return approvers[-1]


def _quarter_updates(org, q, access, approvers, count, current, today):
    actions = (Action.objects.filter(objective__priority__plan__organisation=org, is_archived=False,
                                     start__lte=q.end, objective__priority__plan__start__lte=q.end)
               .select_related("owner", "lead_unit").prefetch_related("milestones"))
    for action in actions:
        if action.percent_complete >= 100:
            continue
        if current and action.owner.username.split("@")[0] not in (TOM, GRACE):
            continue  # the rest of this quarter's updates are still due
        owner = access[action.owner.username.split("@")[0]]
        percent = _percent(action, q)
        delivery, commentary, next_steps, recovery = _commentary(action, q, percent)
        evidence = f"https://intranet.demoshire.example/plans/evidence/{q.identifier}/{action.pk}"
        count += 1
        returned = count % 6 == 0 and not current
        first = commentary if not returned else commentary.split(".")[0] + "."
        update = services.save_update(owner, action, q, delivery=delivery, percent_complete=percent,
                                      commentary=first, next_steps=next_steps, recovery_action=recovery,
                                      evidence_links=evidence, submit=True)
        manager = _approver(approvers, action)
        when = min(q.end, today) - dt.timedelta(days=3)
        if returned:
            services.return_update(manager, update, comments=RETURN_COMMENT)
            update = services.save_update(owner, action, q, delivery=delivery, percent_complete=percent,
                                          commentary=commentary, next_steps=next_steps, recovery_action=recovery,
                                          evidence_links=evidence, submit=True)
        if current and action.owner.username.startswith(TOM):
            ActionUpdate.objects.filter(pk=update.pk).update(created_at=_aware(when), submitted_at=_aware(when))
            continue  # awaiting Priya's approval
        services.approve_update(manager, update)
        reviewed = q.end + dt.timedelta(days=10) if not current else today
        ActionUpdate.objects.filter(pk=update.pk).update(created_at=_aware(when), submitted_at=_aware(when),
                                                         reviewed_at=_aware(min(reviewed, today)))
    return count


def _late_correction(q, admin, access, approvers):
    """2025-26 Q4 reopened after closing: the OT trusted assessor figure was corrected."""
    core_services.reopen_period(admin, q, "Late correction: the trusted assessor count for March was understated")
    action = Action.objects.get(title__startswith="Sustain occupational therapy waiting times")
    update = ActionUpdate.objects.get(action=action, period=q)
    services.save_update(access[TOM], action, q, delivery=update.delivery, percent_complete=update.percent_complete,
                         commentary=update.commentary + " Correction: 12 trusted assessors were trained by "
                         "20 March, not 10 as first reported.", next_steps=update.next_steps,
                         recovery_action=update.recovery_action,
                         evidence_links=update.evidence_links, submit=True)
    services.approve_update(_approver(approvers, action), update)
    core_services.close_period(admin, q)
