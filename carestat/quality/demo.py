"""Demoshire's case-file audits (fictional): an adults' and a children's audit tool, and four
quarterly rounds of each (2025-26 Q4 to 2026-27 Q3), drawn from case lists uploaded the way a
council would (generated here deterministically), stratified by team (adults) and category of
need (children), allocated with a quarter moderated, filled in by the allocated auditors, and
recorded as measure values. Practice improves over the year as themes are acted on.

Two loaders, as for risks: the rounds and their measure values go in before the plans demo
closes their quarters (``load``, before the plans); the findings become actions in the adult
care and health portfolio plan once it exists (``link_to_plans``, after the plans and before the
reports, so the demo's reports carry the quality section)."""

from __future__ import annotations

import datetime as dt
import random

from carestat.core.access import Access
from carestat.core.models import Membership, Role
from carestat.quality import services
from carestat.quality.models import AuditKind, AuditRound, CaseAudit

D = dt.date

ADULT_QUESTIONS = """Assessment quality | Is the assessment proportionate, up to date and strengths-based?
Voice of the person | Are the person's wishes, feelings and desired outcomes recorded in their words?
Risk analysis | Are risks identified, analysed and shared with the person and their carers?
Management oversight | Is there recorded management oversight at each decision point?
Outcomes | Does the support plan show what has changed for the person?"""

CHILD_QUESTIONS = """Assessment quality | Is the assessment analytical and completed within timescales?
Voice of the child | Is the child seen, seen alone where appropriate, and their views recorded?
Risk analysis | Is risk analysed with a clear rationale for the plan?
Management oversight | Is supervision recorded, reflective and driving the plan?
Outcomes | Is the plan SMART and making a difference for the child?"""

ADULT_TEAMS = ("Locality North", "Locality South", "Occupational Therapy", "Safeguarding Adults Hub")
CHILD_TEAMS = ("Assessment and Intervention", "Child Protection and Court", "Children in Care")
NEEDS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")

# (quarter, drawn on, seed)
ROUNDS = [("2025-26-Q4", D(2026, 2, 10), 250210), ("2026-27-Q1", D(2026, 5, 12), 260512),
          ("2026-27-Q2", D(2026, 8, 11), 260811), ("2026-27-Q3", D(2026, 11, 10), 261110)]
# The chance that a case is graded good or better, rising as the themes are acted on.
GOOD_CHANCE = [0.5, 0.58, 0.66, 0.74]
ADULT_THEMES = ("Voice of the person", "Management oversight", "Risk analysis", "Carers' needs")
CHILD_THEMES = ("Voice of the child", "Management oversight", "Plans not SMART", "Drift and delay")
FINDINGS = [
    ("Voice of the person", "Adults' audits found the person's own words missing from a third of assessments",
     "Coach practitioners to record the person's own words in every assessment", D(2027, 3, 31)),
    ("Management oversight", "Audits found management oversight unrecorded at key decisions in adults' and "
     "children's files", "Add a recorded management decision step to the case system's workflows", D(2027, 6, 30)),
]
PLAN = "Adult Care and Health Portfolio Plan 2025 to 2028"
OBJECTIVE = "People are safe and protected from abuse and neglect"


def case_list(service: str, quarter: int) -> bytes:
    """A case list as a council's case system would export it (fake identifiers)."""
    rng = random.Random(f"demoshire-{service}-{quarter}")
    lines = ["person_id,team,work_type,need,closed,worker_manager"]
    if service == "adult":
        for i in range(160):
            team = ADULT_TEAMS[i % len(ADULT_TEAMS)]
            kind = {"Occupational Therapy": "ot_assessment", "Safeguarding Adults Hub": "safeguarding_concern"}.get(
                team, rng.choice(["care_act_assessment", "review"]))
            lines.append(f"A{100000 + i},{team},{kind},,{'yes' if rng.random() < 0.15 else 'no'},")
    else:
        for i in range(140):
            need = NEEDS[min(int(rng.expovariate(0.45)), len(NEEDS) - 1)]
            team = CHILD_TEAMS[i % len(CHILD_TEAMS)]
            lines.append(f"C{200000 + i},{team},{'child_protection' if 'Protection' in team else 'child_in_need'},"
                         f"{need},{'yes' if rng.random() < 0.1 else 'no'},")
    return ("\n".join(lines) + "\n").encode()


def _admin(org) -> Access:
    m = Membership.objects.select_related("user").filter(organisation=org, role=Role.ADMIN).order_by("pk").first()
    return Access(user=m.user, organisation=org, membership=m)


def _grade(rng, scale, chance):
    r = rng.random()
    if r < chance * 0.2:
        return scale[0]
    if r < chance:
        return scale[1]
    return scale[2] if r < chance + (1 - chance) * 0.75 else scale[3]


def load(org, progress):
    progress("Drawing Demoshire's quarterly case-file audit rounds")
    admin = _admin(org)
    adults = services.create_tool(admin, name="Adults' case file audit", questions=services.parse_questions(
        ADULT_QUESTIONS), description="Quarterly audit of a random sample of adults' case files.")
    children = services.create_tool(admin, name="Children's case file audit", questions=services.parse_questions(
        CHILD_QUESTIONS), description="Quarterly audit of a random sample of children's case files.")
    auditors = [m.user for m in services.eligible_auditors(org)]
    for q, (period, drawn_on, seed) in enumerate(ROUNDS):
        for service, tool, by, strata_total, themes in (
                ("adult", adults, "team", 12, ADULT_THEMES), ("child", children, "need", 10, CHILD_THEMES)):
            label = "Adults'" if service == "adult" else "Children's"
            r = services.draw_round(
                admin, title=f"{label} case file audit {period}", tool_version=tool.current, period=period,
                service=service, source="upload", stratify_by=by, total=strata_total, seed=seed,
                exclude_closed=True, audited_within_months=6, peer=service == "child", moderation_percent=25,
                case_list=case_list(service, q), case_list_name=f"{service}-cases-{period}.csv", drawn_on=drawn_on)
            AuditRound.objects.filter(pk=r.pk).update(created_at=_aware(drawn_on))
            services.allocate(admin, r, auditors=auditors)
            _fill(org, r, random.Random(seed), GOOD_CHANCE[q], themes)
            services.record_measures(admin, r)
            if q < len(ROUNDS) - 1:
                services.close_round(admin, r)
    return org


def _aware(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10))


def _fill(org, r, rng, chance, themes):
    scale = r.tool_version.scale_values
    codes = [q["code"] for q in r.tool_version.questions]
    members = {m.user_id: m for m in Membership.objects.filter(organisation=org).select_related("user")}
    grades_by_case = {}
    for audit in CaseAudit.objects.filter(round=r).select_related("case").order_by("kind", "case__key"):
        if audit.kind == AuditKind.AUDIT and rng.random() < 0.08 and r.period == ROUNDS[-1][0]:
            continue  # the open round still has a few to do
        m = members[audit.auditor_id]
        access = Access(user=m.user, organisation=org, membership=m)
        if audit.kind == AuditKind.MODERATION and audit.case_id in grades_by_case:
            first = grades_by_case[audit.case_id]
            grades = {c: (g if rng.random() < 0.8 else _grade(rng, scale, chance)) for c, g in first.items()}
        else:
            grades = {c: _grade(rng, scale, chance) for c in codes}
        grades_by_case.setdefault(audit.case_id, grades)
        overall = sorted(grades.values(), key=scale.index)[len(codes) // 2]
        picked = [t for t in themes if rng.random() < (0.45 if t in (themes[0], themes[1]) else 0.2) * (1.3 - chance)]
        services.save_audit(access, audit, grades=grades, overall=overall, themes=picked,
                            strengths="Warm, respectful relationship evident throughout the record.",
                            improvements="Record the person's own words and the manager's decision rationale.",
                            submit=True)


def link_to_plans(org, progress):
    from carestat.plans.models import Objective

    progress("Turning audit themes into actions in the portfolio plan")
    admin = _admin(org)
    objective = Objective.objects.filter(priority__plan__organisation=org, priority__plan__title=PLAN,
                                         statement=OBJECTIVE).first()
    if objective is None:
        return org
    latest = AuditRound.objects.filter(organisation=org, service="adult").order_by("-period").first()
    for theme, finding, title, due in FINDINGS:
        services.action_from_finding(admin, latest, objective=objective, title=title, due=due, finding=finding,
                                     theme_name=theme)
    return org
