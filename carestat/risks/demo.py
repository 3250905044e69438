"""Demoshire's risk register (fictional), loaded the way a council would load one: its
categories and appetite set by the admin, then the existing register imported from an Excel
workbook with two years of quarterly scores, and, once the plans exist, each risk tied to its
plan priority and owner and its mitigating plan actions linked.

Two loaders, because the plans demo closes each past quarter as it goes: the scores must be in
before their quarters close (``load``, before the plans), and the links need the plans' actions
(``link_to_plans``, after the plans and before the reports, so the demo's reports carry the
risks section)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook

from carestat.core.access import Access
from carestat.core.models import Membership, Role
from carestat.measures import services as measure_services
from carestat.measures.models import Measure
from carestat.plans.models import Action, Priority
from carestat.risks import excel, services
from carestat.risks.models import Risk

D = dt.date

CATEGORIES = [("Safeguarding", "averse", 4), ("Legal", "minimal", 6), ("Financial", "minimal", 6),
              ("Workforce", "cautious", 8), ("Market", "cautious", 9), ("Data", "cautious", 8),
              ("Reputational", "cautious", 8)]

# The eight quarters 2024-25 Q3 to 2026-27 Q2: each risk was scored mid-quarter at the
# quarterly risk review.
REVIEWS = [D(2024, 11, 15), D(2025, 2, 14), D(2025, 5, 15), D(2025, 8, 15), D(2025, 11, 14), D(2026, 2, 13),
           D(2026, 5, 15), D(2026, 8, 14)]
# A ninth review in 2026-27 Q3 for the risks looked at then (if the demo is loaded after it).
LATE_REVIEW = D(2026, 11, 13)

ASC = "Adult Social Care Improvement Programme 2024 to 2027"
CSF = "Children's Services 3-year Service and Financial Plan 2025 to 2028"
GOV = "Governance Framework Action Plan: response to the external auditor"

# ref, title, category, cause, event, consequence, plan, priority, owner, inherent (L, I),
# eight quarterly current scores (L, I), target (L, I), the controls, the mitigating actions,
# indicator measure codes, and an optional ninth (late) score.
RISKS = [
    ("ASC-01", "People waiting for an assessment come to harm while they wait", "Safeguarding",
     "A backlog of over 900 assessments, 80% of them occupational therapy",
     "People wait months for an assessment", "Needs escalate, carers break down and people are harmed",
     ASC, "Backlog clearance", "tom.okafor",
     (5, 5), [(5, 4), (5, 4), (4, 4), (4, 4), (3, 4), (3, 4), (3, 3), (2, 3)], (1, 3),
     "Waiting list triaged weekly by risk [effective]; Keeping-in-touch calls every 6 weeks [partly]",
     ["Clear the occupational therapy assessment backlog with additional agency capacity",
      "Reduce the occupational therapy waiting list to under 100 and hold it there"], ["OT-28DAYS"],
     (2, 3)),
    ("ASC-02", "People are deprived of their liberty without lawful authorisation", "Legal",
     "Deprivation of Liberty Safeguards applications arrive faster than they are assessed",
     "Applications wait beyond the statutory timescales", "Unlawful detention, legal challenge and damages",
     ASC, "Backlog clearance", "daniel.reyes",
     (5, 4), [(5, 4), (5, 4), (4, 4), (4, 3), (3, 3), (3, 3), (3, 3), (4, 3)], (2, 3),
     "Prioritisation by the ADASS screening tool [effective]; Monthly legal review of the longest waits [partly]",
     ["Clear the Deprivation of Liberty Safeguards backlog with extra best interests assessors"],
     ["DOLS-WAITING"], None),
    ("ASC-03", "Not enough permanent social workers and occupational therapists", "Workforce",
     "A national shortage and neighbouring councils paying more",
     "Vacancies stay high and agency staff fill the gaps", "Caseloads rise, practice suffers and costs grow",
     ASC, "Market capacity and workforce", "priya.shah",
     (4, 4), [(4, 4), (4, 4), (4, 4), (3, 4), (3, 4), (3, 4), (3, 3), (3, 3)], (2, 3),
     "Market supplement for hard-to-fill posts [partly]; Exit interviews reviewed quarterly [effective]",
     ["Recruit and keep permanent social workers and occupational therapists"], ["WF-PERMANENT-SHARE"], None),
    ("ASC-04", "Small care homes close at short notice", "Market",
     "Rising costs and vacancies in homes of fewer than 20 beds",
     "A provider fails or hands back its contract", "Residents must move quickly, and placements cost more",
     ASC, "Market capacity and workforce", "ruth.daniels",
     (4, 4), [(3, 4), (3, 4), (3, 4), (3, 5), (3, 5), (4, 4), (4, 4), (4, 4)], (2, 4),
     "Quarterly provider sustainability checks [effective]; Provider failure protocol [partly]",
     ["Recommission home care on a locality model"], [], (4, 5)),
    ("ASC-05", "A home care provider hands back its contracts", "Market",
     "Care worker vacancies and fuel costs in the rural north of the county",
     "A provider gives notice on its packages", "People lose their care at short notice and hospital discharges stall",
     ASC, "Market capacity and workforce", "ruth.daniels",
     (4, 4), [(3, 4), (3, 4), (3, 4), (4, 4), (4, 4), (4, 4), (4, 4), (4, 4)], (2, 3),
     "Contingency packages from the in-house reablement team [partly]",
     ["Recommission home care on a locality model"], [], None),
    ("CSF-01", "Agency social work costs exceed the budget", "Financial",
     "Hard-to-fill children's social work posts covered by agency staff at premium rates",
     "Agency spend stays above budget", "The service overspends and savings elsewhere are needed",
     CSF, "Workforce capacity and capability", "marcus.bell",
     (5, 4), [(4, 4), (4, 4), (5, 4), (5, 4), (4, 4), (4, 4), (3, 4), (3, 4)], (2, 3),
     "Regional memorandum of understanding on agency rates [partly]; Monthly agency spend review [effective]",
     ["Reduce agency social workers through a 'grow our own' academy"], [], None),
    ("CSF-02", "Children's placement costs overspend", "Financial",
     "Too few local foster carers and children's homes, so high-cost external placements",
     "Placement spend exceeds the budget", "The directorate overspends and the plan's savings are not made",
     CSF, "Improved commissioning", "marcus.bell",
     (5, 5), [(4, 5), (4, 5), (4, 5), (4, 4), (4, 4), (4, 5), (4, 5), (4, 5)], (2, 4),
     "Placement panel approves every external placement [effective]; Weekly high-cost placement review [partly]",
     ["Deliver placement savings of £2.1m", "Open two small local children's homes",
      "Recruit more in-house foster carers"], [], None),
    ("GOV-01", "Decisions rest on poor-quality data", "Data",
     "Waiting list data with duplicates and closed cases still open",
     "Leaders and committees act on wrong figures", "False assumptions, misdirected resources and loss of trust",
     GOV, "Recommendation 2: strengthen reporting", "owen.price",
     (4, 4), [(4, 4), (4, 4), (3, 4), (3, 4), (3, 3), (3, 3), (2, 3), (2, 3)], (2, 2),
     "Monthly data quality report [partly]", ["Cleanse waiting list data after the data quality review"], [], None),
]

# The risk that happened: it moves to the issues log with its history.
ISSUE = ("ASC-05", D(2026, 9, 8), "Northshire Home Care gave 28 days' notice on 140 packages; the reablement team "
         "and two providers picked them up, and 11 discharges were delayed")

# DoLS applications waiting more than 28 days, by quarter from 2024-25 Q3: cleared by extra
# assessors, then rising again in 2026-27 Q2 when the extra capacity ended (red against 150).
DOLS_WAITING = [410, 380, 300, 220, 160, 140, 150, 235]


def _admin(org) -> Access:
    m = Membership.objects.select_related("user").filter(organisation=org, role=Role.ADMIN).first()
    return Access(user=m.user, organisation=org, membership=m)


def _manager(org, username: str) -> Access:
    m = Membership.objects.select_related("user").get(organisation=org, user__username=f"{username}@demoshire.example")
    return Access(user=m.user, organisation=org, membership=m)


def _dols_measure(org) -> Measure:
    priya = _manager(org, "priya.shah")
    m = measure_services.add_local_measure(
        priya, code="DOLS-WAITING", title="DoLS applications waiting more than 28 days", domain="adults",
        unit="count", polarity="lower_is_better", numerator="applications received and not yet assessed after 28 days",
        frequency="quarterly", tolerance=20,
        notes="From the DoLS team's tracker; the key indicator for the risk of unlawful deprivation of liberty.")
    for year in ("2024-25", "2025-26", "2026-27"):
        measure_services.set_target(priya, m, period=year, value=150)
    quarters = ["2024-25-Q3", "2024-25-Q4", "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2026-27-Q1",
                "2026-27-Q2"]
    for period, value in zip(quarters, DOLS_WAITING, strict=True):
        measure_services.enter_value(priya, m, period=period, value=value)
    return m


def register_workbook(today: dt.date) -> bytes:
    """Demoshire's register as the council kept it in Excel, with its score history."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(excel.COLUMNS)
    hist = wb.create_sheet("Assessments")
    hist.append(excel.HISTORY)
    for (ref, title, category, cause, event, consequence, _plan, _priority, owner, inherent, scores, target,
         controls, _actions, _kris, late) in RISKS:
        if late is not None and LATE_REVIEW <= today:
            scores = [*scores, late]
            days = [*REVIEWS, LATE_REVIEW]
        else:
            days = REVIEWS
        (cl, ci), last = scores[-1], days[-1]
        owner_email = f"{owner}@demoshire.example" if owner in ("tom.okafor", "priya.shah") else ""
        ws.append([ref, title, owner_email, cl, ci, controls, "", category, cause, event, consequence, "",
                   target[0], target[1], last, "Quarterly risk review"])
        hist.append([ref, "Inherent", inherent[0], inherent[1], days[0], "Before any controls, at the peer challenge"])
        for day, (lv, iv), prev in zip(days[:-1], scores[:-1], [None, *scores[:-2]], strict=True):
            moved = "" if prev is None or prev[0] * prev[1] == lv * iv else (
                " (up)" if lv * iv > prev[0] * prev[1] else " (down)")
            hist.append([ref, "Current", lv, iv, day, f"Quarterly risk review{moved}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load(org, progress):
    progress("Adding Demoshire's risk register with two years of quarterly scores")
    admin = _admin(org)
    for name, appetite, top in CATEGORIES:
        services.add_category(admin, name=name, appetite=appetite, max_target_score=top)
    dols = _dols_measure(org)
    excel.import_register(admin, register_workbook(timezone.localdate()), filename="demoshire-risk-register.xlsx")
    measures = {m.code: m for m in Measure.objects.filter(organisation=org)}
    measures["DOLS-WAITING"] = dols
    for spec in RISKS:
        risk = Risk.objects.get(organisation=org, ref=spec[0])
        for code in spec[14]:
            if code in measures:
                services.link_measure(admin, risk, measures[code])
    ref, happened, note = ISSUE
    services.record_issue(admin, Risk.objects.get(organisation=org, ref=ref), occurred_on=happened, note=note)
    return org


def link_to_plans(org, progress):
    progress("Tying Demoshire's risks to their plans, owners and mitigating actions")
    admin = _admin(org)
    actions = {a.title: a for a in Action.objects.filter(objective__priority__plan__organisation=org,
                                                         is_archived=False)}
    members = {m.user.username.split("@")[0]: m.user for m in
               Membership.objects.filter(organisation=org).select_related("user")}
    for spec in RISKS:
        ref, plan_title, priority_start, owner = spec[0], spec[6], spec[7], spec[8]
        risk = Risk.objects.select_related("category").get(organisation=org, ref=ref)
        priority = (Priority.objects.filter(plan__organisation=org, plan__title=plan_title,
                                            title__startswith=priority_start).select_related("plan").first())
        services.update_risk(admin, risk, ref=risk.ref, title=risk.title, category=risk.category, cause=risk.cause,
                             event=risk.event, consequence=risk.consequence, unit=risk.unit,
                             plan=priority.plan if priority else None, priority=priority,
                             owner=members.get(owner), review_frequency=risk.review_frequency,
                             next_review=risk.next_review)
        for title in spec[13]:
            if title in actions:
                services.link_action(admin, risk, actions[title])
    return org

