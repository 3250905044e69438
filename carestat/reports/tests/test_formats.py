import io
import re

import pytest

from carestat.measures import services as measures
from carestat.reports import services
from carestat.reports.tests.helpers import docx_text, pdf_outline, pdf_text, xlsx_sheets


@pytest.fixture
def report(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"],
                                    main_messages="The OT backlog is falling but still behind plan.")
    return services.approve_report(world["manager_access"], report)


def test_the_pdf_has_the_figures_rag_counts_and_exceptions(world, report):
    data = services.render(report, "pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Adult social care improvement: performance report, July to September 2026" in text or \
        "Adult social care improvement: performance report" in text
    # Actions and milestones by RAG: red, amber, green, complete, not started, total
    assert re.search(r"Milestones\s*1\s*0\s*0\s*1\s*0\s*2", text)
    assert re.search(r"Actions\s*1\s*0\s*0\s*0\s*0\s*1", text)
    assert "64.0%" in text and "80.0%" in text
    assert "Agency OTs started late in August." in text
    assert "Weekend clinics until the backlog is under 100." in text
    assert "No backlog forecasts are held for this period." in text
    assert "The OT backlog is falling but still behind plan." in text
    assert "Approved by Priya Shah" in text


def test_the_pdf_has_page_numbers_and_bookmarks_for_its_headings(world, report):
    data = services.render(report, "pdf")
    text = pdf_text(data)
    assert re.search(r"Page 1 of \d+", text)
    outline = pdf_outline(data)
    for heading in ["Summary", "Exceptions", "Delivery by priority", "Backlog clearance",
                    "Changed since the last report"]:
        assert heading in outline


def test_the_pdf_gives_each_chart_a_data_table(world, report):
    text = pdf_text(services.render(report, "pdf"))
    for period in ["2025-26-Q1", "2026-27-Q1"]:
        assert period in text


def test_the_word_document_has_the_same_content(world, report):
    text = docx_text(services.render(report, "docx"))
    assert "Milestones | 1 | 0 | 0 | 1 | 0 | 2" in text
    assert "Actions | 1 | 0 | 0 | 0 | 0 | 1" in text
    assert "Recruit agency OTs | 31 August 2026 | Unchanged | 30 August 2026 | Complete" in text
    assert "Commentary: Agency OTs started late in August." in text
    assert "2026-27-Q2 | 64.0% | 80.0% |" in text
    assert "There is no earlier published report for this scope to compare with." in text


def test_the_workbook_has_a_sheet_per_section_with_every_figure(world, report):
    sheets = xlsx_sheets(services.render(report, "xlsx"))
    assert {"Summary", "Exceptions", "Actions", "Milestones", "Measures", "Measure series", "Forecasts",
            "Data quality", "Changes"} <= set(sheets)
    assert ["Milestones", 1, 0, 0, 1, 0, 2] in sheets["Summary"]
    # typed: the percentage is the fraction 0.64, formatted as a percentage
    assert sheets["Measures"][1][1:6] == ["OT28", "OT assessments within 28 days", "percent", "2026-27-Q2", 0.64]
    assert len(sheets["Measure series"]) == 7


def test_the_workbooks_cells_are_typed_filtered_and_frozen(world, report):
    import datetime as dt

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(services.render(report, "xlsx")))
    value = wb["Measures"]["F2"]
    assert (value.value, value.number_format) == (0.64, "0.0%")
    due = wb["Actions"]["D2"]
    assert isinstance(due.value, dt.datetime) and due.number_format == "d mmm yyyy"
    assert wb["Actions"]["E2"].value == 0.6 and wb["Actions"]["E2"].number_format == "0.0%"
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        if ws.max_row > 1:
            assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
    assert "Provenance" in wb.sheetnames
    provenance = [list(r) for r in wb["Provenance"].iter_rows(values_only=True)]
    assert provenance[1][0] == "OT28: OT assessments within 28 days" and provenance[1][3] == 0.64


def test_a_title_that_looks_like_a_formula_is_text_in_the_workbook(world):
    from openpyxl import load_workbook

    from carestat.plans import services as plans

    formula = '=HYPERLINK("http://x","y")'
    plans.rename_milestone(world["admin_access"], world["m2"], title=formula)
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    wb = load_workbook(io.BytesIO(services.render(report, "xlsx")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.value for c in cells if c.data_type == "f"] == []
    milestone = [c for c in cells if isinstance(c.value, str) and formula in c.value]
    assert milestone and {c.value for c in milestone} == {"'" + formula}
    assert all(c.data_type == "s" for c in milestone)


def test_the_html_is_standalone_and_rerenders_identically(world, report):
    a, b = services.render(report, "html"), services.render(report, "html")
    assert a == b and b"<script" not in a and b"<svg" in a


def test_the_public_version_suppresses_small_counts(world):
    org_admin = world["admin_access"]
    m = measures.add_local_measure(org_admin, code="DOLS", title="DoLS applications waiting over a year",
                                   domain="adults", unit="count", polarity="lower_is_better")
    measures.enter_value(world["manager_access"], m, period="2026-27-Q2", value=3)
    measures.link_objective(org_admin, m, world["objective"])
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    full = pdf_text(services.render(report, "pdf"))
    public = pdf_text(services.render(report, "pdf", public=True))
    assert "fewer than 5" not in full.lower()
    assert "fewer than 5" in public.lower() or "<5" in public
    assert "(public version)" in public
    docx_public = docx_text(services.render(report, "docx", public=True))
    assert "DOLS" in docx_public and "| 3 |" not in docx_public


def test_a_measure_under_two_priorities_keeps_every_id_in_the_page_unique(world):
    from carestat.plans import services as plans

    priority = plans.add_priority(world["admin_access"], world["plan"], title="Workforce")
    objective = plans.add_objective(world["admin_access"], priority, statement="Enough OTs to meet demand")
    measures.link_objective(world["admin_access"], world["measure"], objective)
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    html = services.render(report, "html").decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert html.count('<h4 class="govuk-heading-s">OT28: ') == 2
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_word_contents_is_a_field_word_fills_with_page_numbers(world, report):
    import zipfile

    data = services.render(report, "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
    # Word's table of contents over the Heading 1 titles, marked for updating on opening ...
    assert 'TOC \\o "1-1" \\h \\z \\u' in body
    assert body.count('w:fldCharType="begin" w:dirty="true"') == 1
    assert '<w:updateFields w:val="true"/>' in settings
    # ... kept in schema order: before compat and rsids, which Word checks
    assert settings.index("w:updateFields") < settings.index("<w:compat")
    # and, until Word updates it, the titles in order, inside the field
    text = docx_text(data)
    contents = text[text.index("Contents"):]
    assert contents.index("Summary") < contents.index("Exceptions") < contents.index("Delivery by priority")
    assert body.index("w:fldCharType=\"separate\"") < body.index(">Summary<") < body.index('w:fldCharType="end"')
