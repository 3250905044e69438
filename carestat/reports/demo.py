"""Demoshire's committee reports: the 2026-27 Q2 reports for the portfolio plan and the adult
social care improvement programme, drafted by Priya Shah, approved and published by Helen
Morgan (Demoshire does not let a report's drafter approve it); the Health and Adult Social Care
Scrutiny Committee's remit and its Q2 report, approved, reopened with a reason and approved again
as version 2; and a draft for Q3. Skipped quietly when the plans demo is not loaded."""

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


SCRUTINY = "Health and Adult Social Care Scrutiny Committee"
# What the committee asked to see at each meeting: the backlogs, recruitment and retention, and
# Shared Lives carers (the governance demo gives the same board this remit).
SCRUTINY_MEASURES = ["OT-28DAYS", "DOLS-WAITING", "ASC-REVIEWS-ONTIME", "WF-PERMANENT-SHARE", "SL-CARERS-LEFT"]
REOPEN_REASON = ("Cllr Ellis asked for the Deprivation of Liberty Safeguards backlog to be set against the extra "
                 "assessor capacity, and the improvement programme's narrative still described the July position.")
SCRUTINY_NARRATIVE = ("The occupational therapy backlog has fallen for three quarters with the agency assessors; "
                      "the DoLS backlog is falling more slowly, and the committee will see both against the extra "
                      "capacity at each meeting until they are cleared.")


def _scrutiny_remit(org, priya: Access, plans):
    """The scrutiny committee's remit: the improvement programme and the portfolio plan, and the
    measures the committee asked to see."""
    from carestat.measures.models import Measure
    from carestat.reports import services
    from carestat.reports.models import Remit

    found = Remit.objects.filter(organisation=org, name=SCRUTINY).first()
    if found is not None:
        return found
    measures = [m for code in SCRUTINY_MEASURES
                if (m := Measure.objects.filter(organisation=org, code=code).first()) is not None]
    return services.create_remit(priya, name=SCRUTINY, plans=plans, measures=measures)


def _reopened_scrutiny_report(priya: Access, helen: Access, remit, q2, progress) -> None:
    """The committee's Q2 report as a version history: version 1 approved by Helen Morgan,
    reopened by Priya Shah with the committee's reason, rewritten, and approved again."""
    from carestat.reports import services

    progress("Drafting the scrutiny committee's Q2 report, then reopening it as version 2")
    first = services.create_report(priya, period=q2, scope="remit", remit=remit,
                                   main_messages=MESSAGES["improvement"])
    first = services.approve_report(helen, first)
    second = services.reopen_report(priya, first, reason=REOPEN_REASON)
    second = services.refresh_report(priya, second)
    section = next((s for s in services.authoring_choices(second)["sections"]), None)
    if section is not None:
        services.write_section(priya, second, section["key"], narrative=SCRUTINY_NARRATIVE)
    services.approve_report(helen, second)


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
    # A second person approves what the first drafted; councillors read reports once approved.
    services.set_report_rules(helen, drafter_cannot_approve=True, viewers_see_drafts=False)
    _link_measures(org, priya, plans)
    for plan in plans:
        report = services.create_report(priya, period=q2, scope="plan", plan=plan,
                                        main_messages=MESSAGES[plan.kind])
        services.approve_report(helen, report)
        # Publishing queues the job that makes its files once, as it does from the page.
        progress(f"Publishing ‘{report.title}’; its files are made by the worker")
        services.publish_report(helen, report)
    _reopened_scrutiny_report(priya, helen, _scrutiny_remit(org, priya, plans), q2, progress)
    if q3 is not None:
        services.create_report(priya, period=q3, scope="plan", plan=plans[1],
                               main_messages="Draft for the next quarter: main messages to follow.")
    return org
