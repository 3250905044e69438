"""A domain app's report section: frozen into the snapshot, shown in every format, held back
from the public version where it says so, and absent from reports made before it existed."""

import pytest
from django.utils import timezone

from carestat.core import contributions
from carestat.reports import services
from carestat.reports.render import view
from carestat.reports.tests.helpers import docx_text, pdf_text, xlsx_sheets

CALLS: list = []


def _pressures(ctx):
    CALLS.append((ctx.scope, ctx.period.identifier, ctx.as_of))
    return {
        "paragraphs": [f"Three pressures are recorded for {ctx.organisation.name}."],
        "tables": [
            {"caption": "Pressures by owner", "headers": ["Pressure", "Owner", "Score"],
             "rows": [["Agency OT spend", "Priya Shah", 16], ["Care home closures", "Sam Lee", 12]],
             "public_rows": [["Agency OT spend", "", 16], ["Care home closures", "", 12]]},
            {"caption": "Named cases", "headers": ["Case", "Note"], "rows": [["Case A", "internal"]],
             "restricted": True},
        ],
    }


@pytest.fixture
def pressures_section():
    contributions.register_report_section("pressures", "Pressures", _pressures, order=10)
    CALLS.clear()
    yield
    contributions._registry.sections.pop("pressures")


@pytest.fixture
def report(world, pressures_section):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    return services.approve_report(world["manager_access"], report)


def test_a_domain_section_is_built_once_for_the_reports_scope_and_frozen(world, report):
    assert CALLS == [("plan", "2026-27-Q2", min(world["q2"].end, timezone.localdate()))]
    [section] = report.snapshot["domains"]
    assert section["key"] == "pressures" and section["title"] == "Pressures"
    assert section["tables"][0]["rows"][0] == ["Agency OT spend", "Priya Shah", 16]


def test_the_public_version_shows_the_public_rows_and_leaves_out_restricted_tables(world, report):
    full = view(report.snapshot)["domains"][0]
    public = view(report.snapshot, public=True)["domains"][0]
    assert [t["caption"] for t in full["tables"]] == ["Pressures by owner", "Named cases"]
    assert [t["caption"] for t in public["tables"]] == ["Pressures by owner"]
    assert public["tables"][0]["rows"][0] == ["Agency OT spend", "", 16]


def test_every_format_carries_the_domain_section(world, report):
    pdf = pdf_text(services.render(report, "pdf"))
    assert "Three pressures are recorded for Demoshire" in pdf and "Agency OT spend" in pdf
    docx = docx_text(services.render(report, "docx"))
    assert "Agency OT spend | Priya Shah | 16" in docx
    sheets = xlsx_sheets(services.render(report, "xlsx"))
    sheet = sheets["Pressures Pressures by owner"]
    assert ["Agency OT spend", "Priya Shah", 16] in [list(r) for r in sheet]


def test_a_report_frozen_before_the_domain_existed_renders_without_it(world, pressures_section):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    snapshot = {k: v for k, v in report.snapshot.items() if k != "domains"}
    assert view(snapshot)["domains"] == []


def test_a_section_with_nothing_to_say_is_left_out(world):
    contributions.register_report_section("empty", "Empty", lambda ctx: None)
    try:
        report = services.create_report(world["manager_access"], period=world["q2"], scope="plan",
                                        plan=world["plan"])
        assert [d["key"] for d in report.snapshot["domains"]] == []
    finally:
        contributions._registry.sections.pop("empty")


def test_a_section_reads_numbers_with_thousands_separators_and_the_workbook_keeps_the_numbers():
    from carestat.core.contributions import cell_text, section_view

    assert [cell_text(v) for v in (32892000.0, -80000.0, 6.6, -0.5, 1234.25, 57, "CS110", None)] == [
        "32,892,000", "-80,000", "6.6", "-0.5", "1,234.25", "57", "CS110", ""]
    seen = section_view({"key": "money", "title": "Money", "tables": [
        {"caption": "Lines (£)", "headers": ["Line", "Budget"], "rows": [["CS110", 13000000.0]]}]}, public=False)
    assert seen["tables"][0]["rows"] == [["CS110", 13000000.0]]
    assert seen["tables"][0]["text_rows"] == [["CS110", "13,000,000"]]
