"""Demoshire's committee reports: the 2026-27 Q2 reports for the portfolio plan and the adult
social care improvement programme, approved by Priya Shah and published by Helen Morgan,
and a draft for Q3. Skipped quietly when the plans demo is not loaded."""

from __future__ import annotations

from carestat.core.access import Access
from carestat.core.models import Membership, ReportingPeriod

MESSAGES = {
    "portfolio": "Most of the portfolio plan is on track. The main risks are the permanent workforce and the "
                 "Shared Lives scheme, where carers are leaving faster than we recruit them.\n\n"
                 "The committee is asked to note the exceptions and the recovery actions against them.",
    "improvement": "The occupational therapy and Deprivation of Liberty Safeguards backlogs are falling with the "
                   "extra capacity, but not yet at the planned rate.\n\n"
                   "Safeguarding timescales have improved; manager sign-off within 5 days remains below target.",
}


# Measures of success for the demo plans' objectives: (measure code, plan kind, words in the statement).
LINKS = [
    ("OT-28DAYS", "improvement", "seen within 28 days"),
    ("ASC-REVIEWS-ONTIME", "improvement", "Care Act 2014"),
    ("SL-CARERS-LEFT", "improvement", "Shared Lives capacity"),
    ("WF-PERMANENT-SHARE", "improvement", "permanent social care workforce"),
    ("ASC-REVIEWS-ONTIME", "portfolio", "live independently"),
    ("SL-CARERS-LEFT", "portfolio", "live independently"),
    ("WF-PERMANENT-SHARE", "portfolio", "used well"),
]


def _link_measures(org, access: Access, plans) -> None:
    """Link the demo's measures to the demo plans' objectives (neither demo does), so the
    reports show measures under their priorities."""
    from carestat.measures import services as measures
    from carestat.measures.models import Measure, MeasureObjective
    from carestat.plans.models import Objective

    by_kind = {p.kind: p for p in plans}
    for code, kind, words in LINKS:
        measure = Measure.objects.filter(organisation=org, code=code).first()
        objective = Objective.objects.filter(priority__plan=by_kind.get(kind), statement__icontains=words).first()
        if measure and objective and not MeasureObjective.objects.filter(measure=measure,
                                                                         objective=objective).exists():
            measures.link_objective(access, measure, objective)


def _access(org, email: str) -> Access | None:
    m = Membership.objects.select_related("user").filter(organisation=org, user__username=email,
                                                         is_active=True).first()
    return Access(user=m.user, organisation=org, membership=m) if m else None


def load(org, progress):
    from carestat.plans.models import Plan
    from carestat.reports import services

    if org is None:
        return org
    priya = _access(org, "priya.shah@demoshire.example")
    helen = _access(org, "helen.morgan@demoshire.example")
    q2 = ReportingPeriod.objects.filter(organisation=org, identifier="2026-27-Q2").first()
    q3 = ReportingPeriod.objects.filter(organisation=org, identifier="2026-27-Q3").first()
    plans = [Plan.objects.filter(organisation=org, kind=kind, is_archived=False).order_by("pk").first()
             for kind in ("portfolio", "improvement")]
    if not (priya and helen and q2 and all(plans)):
        progress("Skipping the demo reports: the demo plans or people are not loaded")
        return org
    progress("Adding Demoshire's committee reports")
    _link_measures(org, priya, plans)
    for plan in plans:
        report = services.create_report(priya, period=q2, scope="plan", plan=plan,
                                        main_messages=MESSAGES[plan.kind])
        services.approve_report(priya, report)
        # Publishing queues the job that makes its files once, as it does from the page.
        progress(f"Publishing ‘{report.title}’; its files are made by the worker")
        services.publish_report(helen, report)
    if q3 is not None:
        services.create_report(priya, period=q3, scope="plan", plan=plans[1],
                               main_messages="Draft for the next quarter: main messages to follow.")
    return org
