"""The risks section of the committee report, frozen in the snapshot and in the public
version, and the risk tiles on the home page."""

import datetime as dt

import pytest

from carestat.reports import services as reports
from carestat.reports.render import view
from carestat.reports.tests.builders import report_world
from carestat.risks import services

D = dt.date


@pytest.fixture
def world(cast, demoshire, settings):
    settings.CARESTAT_JOBS_INLINE = True
    w = report_world(cast, demoshire)
    a = w["admin_access"]
    workforce = services.add_category(a, name="Workforce", appetite="cautious", max_target_score=8)
    finance = services.add_category(a, name="Financial", appetite="minimal", max_target_score=6)
    r1 = services.create_risk(a, ref="R01", title="Social worker shortage", category=workforce, plan=w["plan"],
                              owner=cast["contributor"])
    services.assess(a, r1, kind="current", likelihood=3, impact=4, reason="Vacancies 18%", assessed_on=D(2026, 6, 15))
    services.assess(a, r1, kind="current", likelihood=4, impact=4, reason="Vacancies 24%", assessed_on=D(2026, 8, 15))
    services.link_action(a, r1, w["action"])
    r2 = services.create_risk(a, ref="R02", title="Overspend on placements", category=finance, plan=w["plan"])
    services.assess(a, r2, kind="current", likelihood=2, impact=2, reason="Within budget", assessed_on=D(2026, 9, 1))
    r3 = services.create_risk(a, ref="R03", title="Agency cost pressure", category=finance, plan=w["plan"])
    services.assess(a, r3, kind="current", likelihood=3, impact=3, reason="Rates held", assessed_on=D(2026, 5, 1))
    services.assess(a, r3, kind="current", likelihood=5, impact=4, reason="Rates up 30%", assessed_on=D(2026, 10, 15))
    r4 = services.create_risk(a, ref="R04", title="Another plan's risk", category=finance)
    services.assess(a, r4, kind="current", likelihood=5, impact=5, reason="Not this plan", assessed_on=D(2026, 8, 1))
    return w


@pytest.fixture
def section(world):
    report = reports.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    report = reports.approve_report(world["manager_access"], report)
    [s] = [d for d in report.snapshot["domains"] if d["key"] == "risks"]
    return report, s


def _table(section, caption_start):
    return next(t for t in section["tables"] if t["caption"].startswith(caption_start))


def test_the_section_ranks_the_plans_risks_by_current_score_as_at_the_period_end(section):
    _, s = section
    top = _table(s, "Top 3 risks")
    assert [r[:4] for r in top["rows"]] == [["R01", "Social worker shortage", "Workforce", 16],
                                            ["R03", "Agency cost pressure", "Financial", 9],
                                            ["R02", "Overspend on placements", "Financial", 4]]
    assert top["rows"][0][6] == "Worse (from 12)" and top["rows"][0][7] == "Tom Okafor"
    assert s["paragraphs"][0].startswith("3 open risks are scored as at 30 September 2026; 2 are above")


def test_the_section_lists_risks_above_appetite_movement_and_overdue_mitigations(section):
    _, s = section
    assert _table(s, "Risks above appetite")["rows"] == [
        ["R01", "Social worker shortage", "Workforce", "Cautious: at most 8", 16, 8],
        ["R03", "Agency cost pressure", "Financial", "Minimal: at most 6", 9, 3]]
    assert [r[0] for r in _table(s, "Movement")["rows"]] == ["R01", "R02"]
    overdue = _table(s, "Mitigating actions overdue")["rows"]
    assert overdue == [["R01", "Social worker shortage", "Clear the OT assessment backlog", "30 September 2026",
                        "Tom Okafor"]]


def test_the_section_carries_a_heatmap_of_the_positions_described_in_words(section):
    _, s = section
    [chart] = s["charts"]
    assert chart["caption"] == "Current positions of 3 risks at 30 September 2026"
    assert "Likelihood 4 by impact 4: score 16, Very high; R01" in chart["svg"]
    assert chart["summary"].startswith("3 risks placed by likelihood and impact.")


def test_every_format_carries_the_risks_section(section):
    from carestat.reports.tests.helpers import docx_text, xlsx_sheets

    report, _ = section
    assert "R01 | Social worker shortage | Workforce | 16" in docx_text(reports.render(report, "docx"))
    sheets = xlsx_sheets(reports.render(report, "xlsx"))
    assert any(name.startswith("Risks") for name in sheets)


def test_the_public_version_leaves_out_owners(section):
    report, _ = section
    public = next(d for d in view(report.snapshot, public=True)["domains"] if d["key"] == "risks")
    top = next(t for t in public["tables"] if t["caption"].startswith("Top"))
    assert top["rows"][0][7] == "" and top["rows"][0][3] == 16
    overdue = next(t for t in public["tables"] if t["caption"].startswith("Mitigating"))
    assert overdue["rows"][0][4] == ""


def test_the_frozen_section_does_not_change_when_risks_are_rescored_later(section, world):
    report, s = section
    from carestat.risks.models import Risk

    services.assess(world["admin_access"], Risk.objects.get(ref="R01"), kind="current", likelihood=1, impact=1,
                    reason="Fully staffed")
    report.refresh_from_db()
    again = next(d for d in report.snapshot["domains"] if d["key"] == "risks")
    assert again == s


def test_home_tiles_count_open_risks_above_appetite_and_reviews_overdue(client, world, viewer):
    client.force_login(viewer)
    html = client.get("/o/demoshire/").content.decode()
    assert "Risks above appetite" in html and "of 4 open risks" in html
    assert 'href="/o/demoshire/risks/?flag=above_appetite"' in html
