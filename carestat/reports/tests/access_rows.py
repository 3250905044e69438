"""Reports' rows in the role-by-address access matrix."""

import datetime as dt

from carestat.core.models import ReportingPeriod
from carestat.plans.models import Plan, PlanKind
from carestat.reports.models import Remit, Report

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
MANAGE = {"admin", "manager"}
ADMIN = {"admin"}


def build(w):
    org = w["org"]
    period = ReportingPeriod.objects.get_or_create(
        organisation=org, identifier="2026-27-Q2",
        defaults={"kind": "quarter", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 9, 30)})[0]
    plan = Plan.objects.get_or_create(organisation=org, title="Matrix report plan", defaults={
        "kind": PlanKind.PORTFOLIO, "start": dt.date(2026, 4, 1), "end": dt.date(2027, 3, 31)})[0]
    w["report_plan"] = plan
    w["report"] = Report.objects.create(organisation=org, scope="plan", plan=plan, period=period,
                                        title="Matrix report", snapshot=_snapshot(org, plan, period))
    w["approved_report"] = Report.objects.create(organisation=org, scope="plan", plan=plan, period=period,
                                                 title="Approved matrix report", status="approved",
                                                 snapshot=w["report"].snapshot)
    w["remit"] = Remit.objects.create(organisation=org, name="Matrix scrutiny panel")
    w["remit"].plans.add(plan)


def plant(org, admin, mark):
    """An approved report named with ``mark`` beside the matrix's marked draft: viewers and
    contributors do not see drafts, and every role's report list is checked for its own mark."""
    draft = Report.objects.get(organisation=org, title=f"{mark} report")
    Report.objects.create(organisation=org, scope="plan", plan=draft.plan, period=draft.period,
                          title=f"{mark} approved report", status="approved", snapshot=draft.snapshot)


def _snapshot(org, plan, period):
    from carestat.reports import snapshot

    snap = snapshot.build(org, period, scope="plan", plan=plan, title="Matrix report")
    # a section and an exception for the authoring pages to write
    snap["sections"] = [{"key": "priority:0", "plan": plan.title, "title": "Matrix priority", "rag": "red",
                         "actions": [], "measure_ids": []}]
    snap["exceptions"] = [{"kind": "action", "key": "action:0", "section": "Matrix priority",
                           "title": "Matrix exception", "rag": "red", "owner": "", "status": "Overdue",
                           "milestones": [], "commentary": "Late.", "recovery": "Catch up."}]
    return snap


# Drafting, refreshing and publishing (which then makes the published files) start background
# jobs. The matrix does not run jobs inline, and a job's thread cannot see this test's
# uncommitted data, so those rows send what is refused after the access check (a draft with no
# period, refreshing an approved report, publishing a draft): the role checks run all the same.
# test_jobs.py runs the jobs themselves, inline, for a manager, a viewer and an outsider.
PAGES = [
    ("reports:list", "get", lambda w: "/o/demoshire/reports/", ALL, None),
    ("reports:new", "get", lambda w: "/o/demoshire/reports/new/", MANAGE, None),
    ("reports:new", "post", lambda w: "/o/demoshire/reports/new/", MANAGE,
     lambda w: {"covers": f"plan:{w['report_plan'].pk}"}),
    ("reports:remits", "get", lambda w: "/o/demoshire/reports/remits/", ALL, None),
    ("reports:remits", "post", lambda w: "/o/demoshire/reports/remits/", MANAGE,
     lambda w: {"name": "Scrutiny", "plans": [str(w["report_plan"].pk)]}),
    ("reports:remit_edit", "get", lambda w: f"/o/demoshire/reports/remits/{w['remit'].pk}/change/", MANAGE, None),
    ("reports:remit_edit", "post", lambda w: f"/o/demoshire/reports/remits/{w['remit'].pk}/change/", MANAGE,
     lambda w: {"name": "Matrix scrutiny committee", "plans": [str(w["report_plan"].pk)]}),
    ("reports:remit_archive", "get", lambda w: f"/o/demoshire/reports/remits/{w['remit'].pk}/archive/", MANAGE,
     None),
    ("reports:remit_archive", "post", lambda w: f"/o/demoshire/reports/remits/{w['remit'].pk}/archive/", MANAGE,
     lambda w: {"reason": "The panel was replaced by the Health and Care Board."}),
    # Drafts are hidden from viewers and contributors unless the organisation allows it, as if
    # absent (404, not this matrix's 403), so rows every role may read address an approved
    # report; test_versions_and_approval.py and test_governance_pages.py check who reads drafts.
    ("reports:report", "get", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/", ALL, None),
    ("reports:rules", "get", lambda w: "/o/demoshire/reports/rules/", ADMIN, None),
    ("reports:rules", "post", lambda w: "/o/demoshire/reports/rules/", ADMIN,
     lambda w: {"drafter_cannot_approve": "on"}),
    ("reports:reopen", "get", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/reopen/", MANAGE, None),
    ("reports:reopen", "post", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/reopen/", MANAGE,
     lambda w: {"reason": "The September figures were loaded before the late returns."}),
    ("reports:write_section", "get", lambda w: f"/o/demoshire/reports/{w['report'].pk}/sections/priority:0/", MANAGE,
     None),
    ("reports:write_section", "post", lambda w: f"/o/demoshire/reports/{w['report'].pk}/sections/priority:0/",
     MANAGE, lambda w: {"narrative": "Steady progress."}),
    ("reports:write_exception", "get", lambda w: f"/o/demoshire/reports/{w['report'].pk}/exceptions/action:0/",
     MANAGE, None),
    ("reports:write_exception", "post", lambda w: f"/o/demoshire/reports/{w['report'].pk}/exceptions/action:0/",
     MANAGE, lambda w: {"commentary": "Recovering."}),
    ("reports:word_template", "get", lambda w: "/o/demoshire/reports/word-template/", ALL, None),
    ("reports:word_template", "post", lambda w: "/o/demoshire/reports/word-template/", MANAGE, dict),
    ("reports:word_template_remove", "post", lambda w: "/o/demoshire/reports/word-template/remove/", MANAGE, dict),
    ("reports:refresh", "post", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/refresh/", MANAGE,
     dict),
    ("reports:messages", "post", lambda w: f"/o/demoshire/reports/{w['report'].pk}/messages/", MANAGE,
     lambda w: {"main_messages": "Steady."}),
    ("reports:approve", "get", lambda w: f"/o/demoshire/reports/{w['report'].pk}/approve/", MANAGE, None),
    ("reports:publish", "get", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/publish/", MANAGE, None),
    ("reports:approve", "post", lambda w: f"/o/demoshire/reports/{w['report'].pk}/approve/", MANAGE, dict),
    ("reports:publish", "post", lambda w: f"/o/demoshire/reports/{w['report'].pk}/publish/", MANAGE, dict),
    ("reports:download", "get", lambda w: f"/o/demoshire/reports/{w['approved_report'].pk}/download/html/", ALL,
     None),
]

API = [
    ("get", "/api/v1/organisations/demoshire/reports", ALL, None),
    ("get", "/api/v1/organisations/demoshire/reports/{approved_report.pk}", ALL, None),
    ("post", "/api/v1/organisations/demoshire/reports", MANAGE, {"period": "2026-27-Q2", "scope": "organisation"}),
    ("post", "/api/v1/organisations/demoshire/reports/{report.pk}/approve", MANAGE, {}),
    ("post", "/api/v1/organisations/demoshire/reports/{approved_report.pk}/publish", MANAGE, {}),
    ("get", "/api/v1/organisations/demoshire/reports/{approved_report.pk}/download?format=html", ALL, None),
    ("get", "/api/v1/organisations/demoshire/reports/{approved_report.pk}/authoring", ALL, None),
    ("post", "/api/v1/organisations/demoshire/reports/{approved_report.pk}/reopen", MANAGE,
     {"reason": "The September figures were loaded before the late returns."}),
    ("get", "/api/v1/organisations/demoshire/report-rules", ALL, None),
    ("patch", "/api/v1/organisations/demoshire/report-rules", ADMIN, {"drafter_cannot_approve": True}),
    ("put", "/api/v1/organisations/demoshire/reports/{report.pk}/sections/priority:0", MANAGE,
     {"narrative": "Steady progress."}),
    ("put", "/api/v1/organisations/demoshire/reports/{report.pk}/exceptions/action:0", MANAGE,
     {"commentary": "Recovering."}),
    ("get", "/api/v1/organisations/demoshire/report-word-template", ALL, None),
]
