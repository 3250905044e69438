"""The demo's reports load through the services: two published Q2 reports, the scrutiny
committee's Q2 report reopened and approved again, and a Q3 draft."""

import pytest

from carestat.reports.models import Report, ReportFile, ReportStatus
from carestat.reports.tests.helpers import pdf_text


@pytest.fixture
def demo(story_day, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from carestat.core import demo as core_demo
    from carestat.measures import demo as measures_demo
    from carestat.plans import demo as plans_demo
    from carestat.reports import demo as reports_demo

    org = core_demo.load(None, lambda msg: None)
    org = measures_demo.load(org, lambda msg: None)
    org = plans_demo.load(org, lambda msg: None)
    return reports_demo.load(org, lambda msg: None)


def test_the_demo_has_two_published_q2_reports_and_a_q3_draft(demo):
    published = Report.objects.filter(organisation=demo, status=ReportStatus.PUBLISHED)
    assert sorted(r.plan.kind for r in published) == ["improvement", "portfolio"]
    assert all(r.period.identifier == "2026-27-Q2" for r in published)
    # Demoshire does not let a report's drafter approve it: Priya drafts, Helen approves
    assert {r.created_by.display_name for r in published} == {"Priya Shah"}
    assert {r.approved_by.display_name for r in published} == {"Helen Morgan"}
    assert {r.published_by.display_name for r in published} == {"Helen Morgan"}
    for report in published:  # made once when published, so they open at once
        kept = set(ReportFile.objects.filter(report=report).values_list("format", "public"))
        assert kept == {(fmt, public) for fmt in ("html", "pdf", "docx", "xlsx", "pptx") for public in (False, True)}
    draft = Report.objects.get(organisation=demo, status=ReportStatus.DRAFT)
    assert draft.period.identifier == "2026-27-Q3"
    assert draft.snapshot["changes"]["previous"]["period"] == "2026-27-Q2"


def test_the_demo_reports_render_as_pdf(demo):
    from carestat.reports import services

    report = Report.objects.filter(organisation=demo, status=ReportStatus.PUBLISHED).first()
    text = pdf_text(services.render(report, "pdf"))
    assert report.plan.title in text


def test_without_the_plans_demo_the_reports_demo_is_skipped(db, settings):
    from carestat.core import demo as core_demo
    from carestat.reports import demo as reports_demo

    org = core_demo.load(None, lambda msg: None)
    assert reports_demo.load(org, lambda msg: None) == org
    assert not Report.objects.exists()


def test_every_demo_reports_public_version_agrees_with_its_full_version_figure_by_figure(demo):
    from carestat.reports.render import view
    from carestat.reports.tests.helpers import assert_public_agrees_with_full

    reports = list(Report.objects.filter(organisation=demo))
    assert len(reports) == 5
    for report in reports:
        assert_public_agrees_with_full(report.snapshot)
    for report in [r for r in reports if r.status == ReportStatus.PUBLISHED]:
        # the issue's figure: 3 (Green) for Q2 in full; the public version had Q1's 5 (Red)
        full = {m["code"]: m for s in view(report.snapshot)["sections"] for m in s["measures"]}["SL-CARERS-LEFT"]
        public = {m["code"]: m for s in view(report.snapshot, public=True)["sections"]
                  for m in s["measures"]}["SL-CARERS-LEFT"]
        assert (full["period"], full["value"], full["rag"]) == ("2026-27-Q2", "3", "green")
        assert (public["period"], public["value"], public["rag"]) == ("2026-27-Q2", "fewer than 5", "none")
        stored = next(m for m in report.snapshot["measures"] if m["code"] == "SL-CARERS-LEFT")["public"]
        assert (stored["period"], stored["value"], stored["rag"]) == ("2026-27-Q2", "fewer than 5", "none")
        assert report.snapshot["summary"]["public_measure_counts"] == view(report.snapshot, public=True)[
            "measure_counts"]
        kept = ReportFile.objects.get(report=report, format="html", public=True, status=report.status)
        assert b"fewer than 5" in bytes(kept.content)


def test_the_demo_has_the_scrutiny_committees_remit_and_its_report_reopened_and_approved_again(demo):
    from carestat.reports import services
    from carestat.reports.demo import REOPEN_REASON
    from carestat.reports.models import Remit, report_rules

    assert report_rules(demo).drafter_cannot_approve and not report_rules(demo).viewers_see_drafts
    remit = Remit.objects.get(organisation=demo, name="Health and Adult Social Care Scrutiny Committee")
    assert sorted(p.kind for p in remit.plans.all()) == ["improvement", "portfolio"]
    assert {m.code for m in remit.measures.all()} >= {"OT-28DAYS", "ASC-REVIEWS-ONTIME", "WF-PERMANENT-SHARE",
                                                       "SL-CARERS-LEFT"}
    v1, v2 = services.versions(Report.objects.get(remit=remit, version_number=1))
    assert (v1.status, v1.approved_by.display_name, v1.reopened_by.display_name, v1.reopen_reason) == (
        ReportStatus.APPROVED, "Helen Morgan", "Priya Shah", REOPEN_REASON)
    assert (v2.version_number, v2.status, v2.approved_by.display_name) == (2, ReportStatus.APPROVED, "Helen Morgan")
    assert v1.is_superseded and not v2.is_superseded
    assert any(s.get("narrative") for s in v2.snapshot["authoring"]["sections"].values())
