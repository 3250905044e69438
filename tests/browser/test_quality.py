"""A quality lead creates an audit tool, draws a round from an uploaded case list and allocates
it; the auditor fills in the audit form (no JavaScript needed) as a draft and then done; the
results and themes pages show it; axe on every page, in Chromium."""

import pytest

from carestat.quality.models import AuditStatus, CaseAudit
from carestat.quality.tests.builders import case_list, teams
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser


def test_a_round_is_drawn_allocated_audited_and_its_results_read(browser_page, cast, demoshire, tmp_path):
    teams(access_for(cast["admin"], demoshire))
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto("/o/demoshire/quality/tools/")
    page.assert_accessible()
    page.page.fill("#id_name", "Adults' case file audit")
    page.page.fill("#id_questions", "Assessment quality | Is the assessment up to date?\n"
                                    "Voice of the person | Are the person's wishes recorded?")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Create tool')")
    page.assert_accessible()
    assert "Version 1" in page.page.content()

    path = tmp_path / "cases.csv"
    path.write_bytes(case_list())
    page.goto("/o/demoshire/quality/")
    page.assert_accessible()
    page.page.fill("#id_title", "Adults Q3")
    page.page.select_option("#id_tool_version", label="Adults' case file audit v1")
    page.page.fill("#id_period", "2026-27-Q3")
    page.page.check("input[name=source][value=upload]")
    page.page.set_input_files("#id_case_list", str(path))
    page.page.fill("#id_strata", "Locality East: 2\nLocality West: 1")
    page.page.fill("#id_seed", "2026")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Draw the sample')")
    assert "seed 2026" in page.page.content()
    page.assert_accessible()
    page.page.check(f"input[name=a-auditors][value='{cast['contributor'].pk}']")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Allocate')")
    assert "Allocated 3 audits" in page.page.content()

    page.page.context.clear_cookies()
    page.sign_in(cast["contributor"].email, PASSWORD)
    audit = CaseAudit.objects.filter(auditor=cast["contributor"]).order_by("pk").first()
    page.goto(f"/o/demoshire/quality/audits/{audit.pk}/")
    page.assert_accessible()
    page.page.check("input[name=grade_A1][value=good]")
    page.page.fill("#id_strengths", "Clear chronology")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save as draft')")
    assert "Saved your draft" in page.page.content()
    page.page.check("input[name=grade_B1][value=outstanding]")
    page.page.check("input[name=overall][value=good]")
    page.page.fill("#id_themes", "Voice of the person")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Mark as done')")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    page.assert_accessible()

    page.goto(f"/o/demoshire/quality/rounds/{audit.round_id}/results/")
    page.assert_accessible()
    assert "1 of 1 audits done (100.0%)" in page.page.content()
    page.goto("/o/demoshire/quality/themes/")
    page.assert_accessible()
    assert "Voice of the person" in page.page.content()
