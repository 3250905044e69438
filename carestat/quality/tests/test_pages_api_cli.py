"""Quality pages, API, CLI and the report section: the same figures everywhere, the audit form
without JavaScript (drafts, then done), free text hidden from those not allocated, small
numbers suppressed in the public report."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from carestat.core.contributions import SectionContext
from carestat.core.models import ReportingPeriod
from carestat.quality import contributions, services
from carestat.quality.models import AuditKind, AuditStatus, CaseAudit
from carestat.quality.tests.builders import round_, teams, tool
from conftest import access_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_access, manager_access, contributor):
    teams(admin_access)
    t = tool(manager_access)
    r = round_(manager_access, t.current, moderation_percent=0)
    services.allocate(manager_access, r, auditors=[contributor])
    return {"round": r, "audits": list(CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT))}


def test_the_audit_form_saves_a_draft_then_marks_it_done_without_javascript(client, world, contributor):
    a = world["audits"][0]
    client.force_login(contributor)
    url = f"/o/demoshire/quality/audits/{a.pk}/"
    assert "Save as draft" in client.get(url).content.decode()
    r = client.post(url, {"op": "draft", "grade_A1": "good", "strengths": "Clear chronology", "version": "1"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == AuditStatus.DRAFT and a.answers.get(code="A1").grade == "good"
    html = client.post(url, {"op": "submit", "grade_A1": "good", "version": "2"}).content.decode()
    assert "Grade every question before marking the audit done" in html
    r = client.post(url, {"op": "submit", "grade_A1": "good", "grade_B1": "inadequate", "overall": "good",
                          "strengths": "Clear chronology", "version": "2"})
    a.refresh_from_db()
    assert r.status_code == 302 and a.status == AuditStatus.SUBMITTED


def test_a_viewer_sees_grades_but_not_the_auditors_free_text(client, world, contributor, viewer, demoshire):
    a = world["audits"][0]
    services.save_audit(access_for(contributor, demoshire), a, grades={"A1": "good", "B1": "good"}, overall="good",
                        strengths="SECRET-STRENGTH", comments={"A1": "SECRET-COMMENT"}, submit=True)
    client.force_login(viewer)
    html = client.get(f"/o/demoshire/quality/audits/{a.pk}/").content.decode()
    assert "Good" in html and "SECRET-STRENGTH" not in html and "SECRET-COMMENT" not in html
    body = client.get(f"/api/v1/organisations/demoshire/quality/audits/{a.pk}").json()
    assert body["strengths"] is None and body["answers"][0]["comment"] is None
    client.force_login(contributor)
    assert "SECRET-STRENGTH" in client.get(f"/o/demoshire/quality/audits/{a.pk}/").content.decode()


def test_the_round_page_results_api_and_cli_agree(client, world, contributor, manager, demoshire):
    for a, g in zip(world["audits"], ["good", "good", "outstanding", "inadequate", "good", "requires_improvement"],
                    strict=True):
        services.save_audit(access_for(contributor, demoshire), a, grades={"A1": g, "B1": g}, overall=g, submit=True)
    r = world["round"]
    # 4 of 6 good or better = 66.7%
    client.force_login(manager)
    assert "4 of 6 audits done (66.7%)" in client.get(f"/o/demoshire/quality/rounds/{r.pk}/results/").content.decode()
    api = client.get(f"/api/v1/organisations/demoshire/quality/rounds/{r.pk}/results").json()
    assert api["overall"] == {"good": 4, "total": 6, "percent": 66.7}
    from io import StringIO

    out = StringIO()
    call_command("quality", "results", "--org", "demoshire", "--round", r.title, "--json", stdout=out)
    assert json.loads(out.getvalue())["overall"] == {"good": 4, "total": 6, "percent": "66.7"}
    csv = client.get(f"/o/demoshire/quality/rounds/{r.pk}/sample.csv").content.decode()
    assert csv.splitlines()[0] == "key,stratum,team,work_type,need,service" and len(csv.splitlines()) == 7


def test_the_cli_draws_a_sample_reproducibly_from_its_seed(tmp_path, world, demoshire):
    from io import StringIO

    from carestat.quality.tests.builders import case_list

    (tmp_path / "cases.csv").write_bytes(case_list())
    outs = []
    for title in ("CLI one", "CLI two"):
        out = StringIO()
        call_command("quality", "sample", "--org", "demoshire", "--title", title, "--tool", "Adults' case file audit",
                     "--period", "2026-27-Q3", "--stratum", "Locality East=3", "--seed", "99", "--case-list",
                     str(tmp_path / "cases.csv"), "--json", stdout=out)
        outs.append(json.loads(out.getvalue()))
    assert outs[0]["seed"] == 99 and len(outs[0]["sample"]) == 3
    assert [c["key"] for c in outs[0]["sample"]] == [c["key"] for c in outs[1]["sample"]]


def test_the_public_report_section_suppresses_small_numbers(world, contributor, demoshire):
    for a in world["audits"]:
        services.save_audit(access_for(contributor, demoshire), a, grades={"A1": "good", "B1": "good"},
                            overall="good", submit=True)
    period = ReportingPeriod.objects.get_or_create(
        organisation=demoshire, identifier="2026-27-Q3",
        defaults={"kind": "quarter", "start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31)})[0]
    section = contributions.quality_section(SectionContext(demoshire, period, dt.date(2026, 12, 4), "organisation"))
    table = section["tables"][0]
    # 4 East and 2 West audits, all good: every count is 1 to 4 except the total of 6
    assert table["rows"] == [["Locality East", 4, 4, 100.0], ["Locality West", 2, 2, 100.0], ["Total", 6, 6, 100.0]]
    assert table["public_rows"][0][1:] == ["fewer than 5", "fewer than 5", ""]
    assert "6 audits are done, 100.0% graded good or better" in section["paragraphs"][0]


def test_the_home_tile_shows_the_latest_rounds_share_good_or_better(world, contributor, manager_access, demoshire):
    for a, g in zip(world["audits"], ["good", "inadequate", "good", "good", "good", "good"], strict=True):
        services.save_audit(access_for(contributor, demoshire), a, grades={"A1": g, "B1": g}, overall=g, submit=True)
    [tile] = contributions.home_tiles(manager_access, None)
    # 5 of 6 good or better = 83.3%
    assert (tile.title, tile.value) == ("Case files good or better", "83.3%")
    assert tile.detail.startswith("5 of 6 audits")
