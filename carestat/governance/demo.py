"""Demoshire's governance: the senior management team, finance and performance meeting and care
quality group meeting monthly, and the Health and Adult Social Care Scrutiny Committee every two
months; the committee's resolutions on the improvement programme (backlog figures for all
members, a further item on the next 100 days) tracked as recommendations; and the external
auditor's, internal audit's and peer challenge's recommendations, imported from a workbook built
in memory and linked to the plans demo's actions, one of them extended with approval.

Everything goes through the governance services and the import path. Skipped quietly when
the plans demo is not loaded."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook

from carestat.core.access import Access
from carestat.core.models import Membership

D = dt.date
SMT, FP, CQG, SCRUTINY = ("Senior Management Team", "Finance and Performance Meeting", "Care Quality Group",
                          "Health and Adult Social Care Scrutiny Committee")
GOV_PLAN = "Governance Framework Action Plan: response to the external auditor"
IMPROVEMENT = "Adult Social Care Improvement Programme 2024 to 2027"
CHILDREN = "Children's Services 3-year Service and Financial Plan 2025 to 2028"
PORTFOLIO = "Adult Care and Health Portfolio Plan 2025 to 2028"

BOARDS = [
    (SMT, "smt", "monthly", [GOV_PLAN, IMPROVEMENT],
     "Leads the directorate: sets priorities, monitors delivery against the governance framework's milestones each "
     "month, owns the directorate risk register and the response to the external auditor.",
     [("Helen Morgan", "chair", "helen.morgan"), ("Priya Shah", "member", "priya.shah"),
      ("Marcus Bell", "member", "marcus.bell"), ("Owen Price", "officer", "owen.price")]),
    (FP, "finance_performance", "monthly", [CHILDREN, PORTFOLIO],
     "Scrutinises the integrated performance and finance report; agrees recovery actions where spend or "
     "performance is off track; escalates to the senior management team.",
     [("Priya Shah", "chair", "priya.shah"), ("Marcus Bell", "vice_chair", "marcus.bell"),
      ("Owen Price", "officer", "owen.price"), ("Grace Adeyemi", "member", "grace.adeyemi")]),
    (CQG, "care_quality", "monthly", [PORTFOLIO],
     "Assures the quality of practice: case file audits, safeguarding timescales, complaints and inspection "
     "findings.",
     [("Priya Shah", "chair", "priya.shah"), ("Lena Kowalski", "member", "lena.kowalski"),
      ("Tom Okafor", "member", "tom.okafor")]),
    (SCRUTINY, "scrutiny", "bimonthly", [IMPROVEMENT],
     "Scrutinises the adult social care improvement programme and the portfolio plan on behalf of the council, "
     "and makes resolutions and recommendations to the Cabinet Member.",
     [("Cllr Jane Ellis", "chair", "jane.ellis"), ("Cllr Ravi Patel", "vice_chair", None),
      ("Cllr Susan Webb", "member", None), ("Cllr Tom Harris", "member", None)]),
]

# (board, first weekday of the month to meet on (0 = Monday), week of the month)
SCHEDULE = {SMT: (1, 0), FP: (2, 1), CQG: (3, 2)}
MONTHS = [D(2026, m, 1) for m in range(6, 13)] + [D(2027, 1, 1)]
SCRUTINY_DATES = [D(2026, 7, 14), D(2026, 9, 15), D(2026, 11, 17), D(2027, 1, 19)]

AGENDAS = {
    SMT: [("Governance framework: milestone report", "Owen Price", "plan:" + GOV_PLAN,
           "Noted the milestone report. The children's measures milestone has moved to 18 December 2026; the "
           "team is to report the three measures already rebuilt next month."),
          ("Directorate risk register", "Marcus Bell", None,
           "Agreed the quarterly review of the directorate risk register; no new risk escalated this month.")],
    FP: [("Integrated performance and finance report", "Owen Price", "plan:" + CHILDREN,
          "Agreed the recovery actions for agency spend in children's placements; the forecast to be reported "
          "again next month.")],
    CQG: [("Safeguarding case file audit findings", "Lena Kowalski", "plan:" + PORTFOLIO,
           "Noted the audit of a random sample of case files; manager sign-off within 5 days remains below "
           "target and the group asked for a recovery plan.")],
}

RECOMMENDATION_ROWS = [
    # Source, document, reference, raised, text, priority, owner, board, response, agreed response, due, status,
    # evidence, linked actions
    ("External auditor", "External auditor's annual report 2023-24: governance arrangements", "R1", D(2024, 9, 30),
     "Establish clear milestones for completing and implementing the governance framework, covering all services, "
     "business as usual and change initiatives, and monitor delivery against those milestones.", "High",
     "owen.price", SMT, "Accepted",
     "A milestone plan for each service, monitored monthly by the senior management team.", D(2025, 3, 31),
     "In progress", "",
     "Publish a milestone plan for each service; Monitor delivery against milestones each month at the senior "
     "management team"),
    ("External auditor", "External auditor's annual report 2023-24: governance arrangements", "R2", D(2024, 9, 30),
     "Strengthen reporting to the finance and performance and care quality meetings with one integrated report, "
     "and improve children's performance information once the new case management system is live.", "High",
     "owen.price", SMT, "Accepted",
     "A regular integrated performance and finance report; children's measures rebuilt on the new system.",
     D(2025, 9, 30), "In progress", "",
     "Produce a regular integrated performance and finance report; Report better children's figures once the new "
     "children's social work system is live"),
    ("External auditor", "External auditor's annual report 2023-24: governance arrangements", "R3", D(2024, 9, 30),
     "Clarify the terms of reference and decision rights of the directorate's governance meetings.", "Medium",
     "priya.shah", SMT, "Accepted", "Refresh and approve the terms of reference of the three meetings.",
     D(2025, 3, 31), "Verified closed",
     "Terms of reference approved by the senior management team, 29 January 2025\nInternal audit follow-up, "
     "March 2026: arrangements operating as designed",
     "Refresh the terms of reference of the senior management team, finance and performance, and care quality "
     "meetings"),
    ("Peer challenge", "Adult social care peer challenge, March 2024", "PC1", D(2024, 3, 22),
     "Split the improvement work into 100-day units with clear owners, then a three-year programme.", "High",
     "priya.shah", SCRUTINY, "Accepted", "The improvement programme is run in 100-day units, then years 2 and 3.",
     D(2024, 10, 31), "Implemented", "Improvement programme plan, phases ‘First 100 days’ to ‘Year 3’", ""),
    ("Peer challenge", "Adult social care peer challenge, March 2024", "PC2", D(2024, 3, 22),
     "Clear the occupational therapy assessment backlog and stop it returning.", "High", "tom.okafor", SCRUTINY,
     "Accepted", "Extra agency capacity, then a trusted assessor model.", D(2027, 3, 31), "In progress", "",
     "Clear the occupational therapy assessment backlog with additional agency capacity; Sustain occupational "
     "therapy waiting times with a trusted assessor model"),
    ("Internal audit", "Internal audit report 2025/14: Deprivation of Liberty Safeguards", "IA-14/1",
     D(2025, 7, 8), "Prioritise Deprivation of Liberty Safeguards applications by risk and clear the backlog.",
     "Medium", "daniel.reyes", CQG, "Partly accepted",
     "Accepted for the backlog; prioritisation by risk is already in place.", D(2026, 9, 30), "In progress", "",
     "Clear the Deprivation of Liberty Safeguards backlog with extra best interests assessors"),
]
RESOLVED_ON = D(2026, 11, 17)
RESOLUTIONS = [
    ("2026/11-1", "That backlog figures for occupational therapy assessments and Deprivation of Liberty Safeguards "
                  "applications be shared with all members of the committee.", "owen.price", D(2026, 12, 1)),
    ("2026/11-2", "That a further item on the next 100 days of the improvement programme be brought to the "
                  "committee's next meeting.", "priya.shah", D(2027, 1, 19)),
]
COLUMNS = ["Source", "Source document", "Reference", "Date raised", "Recommendation", "Priority", "Owner email",
           "Board", "Response", "Agreed response", "Due date", "Status", "Evidence", "Linked actions"]


def _access(org, name: str) -> Access | None:
    m = Membership.objects.select_related("user").filter(organisation=org, user__username=f"{name}@demoshire.example",
                                                         is_active=True).first()
    return Access(user=m.user, organisation=org, membership=m) if m else None


def _nth_weekday(month: dt.date, weekday: int, week: int) -> dt.date:
    first = month + dt.timedelta(days=(weekday - month.weekday()) % 7)
    return first + dt.timedelta(weeks=week)


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in RECOMMENDATION_ROWS:
        row = list(row)
        row[6] = f"{row[6]}@demoshire.example"
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load(org, progress):
    from carestat.governance import excel, services
    from carestat.governance.models import Recommendation
    from carestat.plans.models import Plan
    from carestat.reports import services as reports
    from carestat.reports.models import Remit, Report, ReportStatus

    if org is None:
        return org
    priya, helen, owen = _access(org, "priya.shah"), _access(org, "helen.morgan"), _access(org, "owen.price")
    plans = {p.title: p for p in Plan.objects.filter(organisation=org)}
    if not (priya and helen and owen and GOV_PLAN in plans and IMPROVEMENT in plans):
        progress("Skipping the demo governance: the demo plans or people are not loaded")
        return org
    progress("Adding Demoshire's boards, meetings and recommendations tracker")
    today = timezone.localdate()
    boards = {}
    for name, kind, frequency, plan_titles, tor, members in BOARDS:
        # The reports demo sets up the scrutiny committee's remit, with the measures it asked for.
        remit = (Remit.objects.filter(organisation=org, name=name).first()
                 or reports.create_remit(priya, name=name, plans=[plans[t] for t in plan_titles if t in plans]))
        board = services.create_board(priya, name=name, kind=kind, frequency=frequency, remit=remit,
                                      terms_of_reference=tor)
        for person, role, username in members:
            user = _access(org, username).user if username and _access(org, username) else None
            services.add_member(priya, board, name=person, role=role, user=user)
        boards[name] = board

    meetings = {}
    for name, (weekday, week) in SCHEDULE.items():
        for month in MONTHS:
            day = _nth_weekday(month, weekday, week)
            meetings[name, day] = _meeting(priya, boards[name], day, today, plans)
    q2_report = Report.objects.filter(organisation=org, plan=plans[IMPROVEMENT], status=ReportStatus.PUBLISHED,
                                      period__identifier="2026-27-Q2").first()
    for day in SCRUTINY_DATES:
        meetings[SCRUTINY, day] = _scrutiny(priya, boards[SCRUTINY], day, today, plans, q2_report)

    next_100 = _forward_plans(priya, boards)
    january = meetings[SCRUTINY, SCRUTINY_DATES[-1]]
    if january.date > today:
        services.add_agenda_item(priya, january, title=next_100.title, presenter=next_100.lead,
                                 plan=plans[IMPROVEMENT], forward_item=next_100)
    # The external auditor's, internal audit's and peer challenge's recommendations, through the import path.
    excel.import_recommendations(priya, _workbook(), filename="Demoshire recommendations tracker.xlsx")
    r2 = Recommendation.objects.get(organisation=org, reference="R2")
    smt_nov = meetings[SMT, _nth_weekday(D(2026, 11, 1), *SCHEDULE[SMT])]
    ext = services.request_extension(owen, r2, new_due_date=D(2026, 12, 31),
                                     reason="The new children's social work system went live in April 2026, six "
                                            "months late; the children's measures are being rebuilt on it.")
    services.decide_extension(priya, ext, approve=True, meeting=smt_nov,
                              note="Approved by the senior management team; three of eight measures are ready.")
    _resolutions(priya, boards[SCRUTINY], meetings, today)
    return org


def _meeting(access, board, day, today, plans):
    from carestat.governance import services

    meeting = services.schedule_meeting(access, board, date=day, location="County Hall, Room 2")
    if day > today:
        return meeting
    for title, presenter, paper, decision in AGENDAS[board.name]:
        plan = plans.get(paper.removeprefix("plan:")) if paper else None
        item = services.add_agenda_item(access, meeting, title=title, presenter=presenter, plan=plan)
        services.record_minutes(access, item, minutes=f"{presenter} presented the item. {decision}")
        services.record_decision(access, meeting, item=item, kind="decision", text=decision)
    meeting = services.update_meeting(access, meeting, date=day, location=meeting.location, status="held")
    members = list(board.members.all())
    services.record_attendance(access, meeting, {m: "apologies" if (day.month + i) % 5 == 0 else "present"
                                                 for i, m in enumerate(members)})
    if (today - day).days > 14:  # minutes are approved at, or soon after, the next meeting
        meeting = services.approve_minutes(access, meeting)
    return meeting


def _scrutiny(access, board, day, today, plans, q2_report):
    from carestat.governance import services

    meeting = services.schedule_meeting(access, board, date=day, location="Council Chamber, County Hall")
    if day > today:
        # The next meeting's agenda goes out ahead: the published Q2 report is its first paper.
        if q2_report is not None:
            services.add_agenda_item(access, meeting, title="Adult social care improvement programme: quarter 2",
                                     presenter="Priya Shah, Director of Adult Social Care", report=q2_report)
        return meeting
    item = services.add_agenda_item(access, meeting, title="Adult social care improvement programme: progress",
                                    presenter="Priya Shah, Director of Adult Social Care", plan=plans[IMPROVEMENT])
    services.record_minutes(access, item, minutes=(
        "The Director presented progress. Members asked about the occupational therapy and Deprivation of Liberty "
        "Safeguards backlogs, recruitment and retention, and what the next 100 days would deliver."))
    services.record_decision(access, meeting, item=item, kind="noted",
                             text="The committee noted the progress of the improvement programme.")
    if day == RESOLVED_ON:
        for _, text, _, _ in RESOLUTIONS:
            services.record_decision(access, meeting, item=item, kind="resolution", text=text)
    exempt = services.add_agenda_item(access, meeting, title="Home care recommissioning: contract award timetable",
                                      presenter="Ruth Daniels", is_public=False)
    services.record_minutes(access, exempt, minutes="Discussed in private: commercially sensitive.")
    meeting = services.update_meeting(access, meeting, date=day, location=meeting.location, status="held")
    services.record_attendance(access, meeting, {m: "present" for m in board.members.all()})
    if (today - day).days > 14:
        meeting = services.approve_minutes(access, meeting)
    return meeting


def _forward_plans(access, boards):
    """The boards' forward plans; returns the scrutiny committee's item on the next 100 days."""
    from carestat.governance import services

    made = []
    for board, title, expected, lead, what in [
        (SCRUTINY, "The next 100 days of the improvement programme", D(2027, 1, 19), "Priya Shah",
         "What the next 100-day unit will deliver, as the committee resolved on 17 November 2026."),
        (SCRUTINY, "Recruitment and retention of social workers and occupational therapists", D(2027, 3, 16),
         "Priya Shah", "Permanent staff share, vacancies and agency use."),
        (SCRUTINY, "Portfolio plan: half-year update", D(2027, 3, 16), "Owen Price", ""),
        (SMT, "Annual review of the governance framework by internal audit", D(2027, 1, 5), "Owen Price", ""),
        (FP, "Budget 2027-28: social care savings proposals", D(2027, 1, 13), "Marcus Bell", ""),
    ]:
        made.append(services.add_forward_item(access, boards[board], title=title, expected=expected, lead=lead,
                                              description=what))
    return made[0]


def _resolutions(access, board, meetings, today):
    """The committee's resolutions of 17 November 2026, tracked as recommendations answered at its
    January meeting."""
    from carestat.governance import services
    from carestat.governance.models import Decision

    held = meetings[SCRUTINY, RESOLVED_ON]
    if held.date > today:
        return
    nxt = meetings[SCRUTINY, D(2027, 1, 19)]
    made = []
    for ref, text, owner, due in RESOLUTIONS:
        decision = Decision.objects.get(meeting=held, text=text)
        owner_access = _access(held.organisation, owner)
        made.append(services.create_recommendation(
            access, source="scrutiny", source_document=f"Minutes of the {SCRUTINY}, 17 November 2026", reference=ref,
            raised_on=held.date, text=text, due_date=due, priority="high", owner=owner_access.user, board=board,
            response="accepted", decision=decision, answer_meeting=nxt))
    if made and today >= D(2026, 11, 24):
        owen = _access(held.organisation, "owen.price")
        services.change_status(owen, made[0], status="implemented", on=D(2026, 11, 24),
                               reason="Backlog figures sent to all members of the committee",
                               evidence="Email from the Performance and Intelligence team to all committee members, "
                                        "24 November 2026, with the OT and DoLS backlog figures to 31 October")
