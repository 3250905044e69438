"""Committee papers fit to send (issue 12): the tagged PDF with its running header, contents
page numbers and forecast milestones; Word on A4 with charts, header, footer, named styles and
the council's own template; the slides; and report authoring frozen on approval."""

import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from carestat.core.errors import Conflict, InvalidInput
from carestat.reports import services
from carestat.reports.models import ReportFile
from carestat.reports.tests.helpers import docx_text, pdf_text, xlsx_sheets


@pytest.fixture
def draft(world):
    return services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])


@pytest.fixture
def approved(world, draft):
    return services.approve_report(world["manager_access"], draft)


def _struct_elements(reader):
    """Every element of the PDF's structure tree, depth first."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    stack, out = [root], []
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        kids = kids.get_object() if kids is not None else None
        items = kids if isinstance(kids, list) else [kids] if kids is not None else []
        for kid in items:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and kid.get("/S") is not None:
                out.append(kid)
                stack.append(kid)
    return out


def test_the_pdf_is_tagged_with_its_language_and_each_chart_has_alternative_text(world, approved):
    reader = PdfReader(io.BytesIO(services.render(approved, "pdf")))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "en-GB"
    elements = _struct_elements(reader)
    tags = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/Table", "/Figure"} <= tags
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)
    assert any("OT28" in str(e["/Alt"]) for e in figures)


def test_every_page_has_the_running_header_and_page_x_of_y(world, draft, approved):
    reader = PdfReader(io.BytesIO(services.render(approved, "pdf")))
    pages = [p.extract_text() for p in reader.pages]
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
    for text in pages[1:]:  # the cover has the title in full
        assert "Demoshire" in text and "2026-27 Q2" in text or "July to September 2026" in text
        assert "Approved" in text and "Full version" in text
    public = pdf_text(services.render(approved, "pdf", public=True))
    assert "Public version" in public


def test_a_drafts_pages_say_draft(world, draft):
    reader = PdfReader(io.BytesIO(services.render(draft, "pdf")))
    assert all("DRAFT" in p.extract_text() for p in reader.pages)


def test_the_contents_give_each_sections_page_number(world, approved):
    reader = PdfReader(io.BytesIO(services.render(approved, "pdf")))
    contents = reader.pages[0].extract_text()
    pages = {t: i + 1 for i, p in enumerate(reader.pages) for t in [p.extract_text()]}
    found = dict(re.findall(r"(Summary|Exceptions|Changed since the last report)[ .]*\.{3,}\s*(\d+)", contents))
    assert set(found) == {"Summary", "Exceptions", "Changed since the last report"}
    for title, page in found.items():  # each heading is on the page the contents give
        text = reader.pages[int(page) - 1].extract_text()
        assert title in text, (title, page, list(pages.values())[:3])


def test_the_pdf_lays_out_with_no_stranded_heading_split_row_or_sparse_page(world, approved):
    from carestat.reports.render import view
    from carestat.reports.render.checks import check_layout
    from carestat.reports.render.pdf import layout

    checked = check_layout(layout(view(approved.snapshot, sign_off=approved.sign_off())))
    assert checked.problems == []
    assert 2 <= checked.pages <= 6


def test_the_layout_check_finds_a_stranded_heading_and_a_split_row():
    """The check itself can fail: a heading pushed to the foot of a page, and a row taller
    than what is left of its page and allowed to split."""
    from weasyprint import HTML

    from carestat.reports.render.checks import check_layout

    html = ("<style>@page { size: A4; margin: 20mm } tr { break-inside: auto } h2 { break-after: auto }</style>"
            "<div style='height: 240mm'></div><h2>Left at the foot</h2>"
            "<p style='height: 60mm; break-inside: avoid'>Its text on the next page.</p>"
            "<table><tbody><tr><td>" + "A long cell. " * 800 + "</td></tr></tbody></table>")
    checked = check_layout(HTML(string=html).render())
    assert checked.stranded_headings and checked.stranded_headings[0][1] == "Left at the foot"
    assert checked.split_rows


def test_a_forecast_is_its_chart_and_milestones_and_its_weekly_series_only_in_excel(world):
    import datetime as dt

    from carestat.casedata.models import SavedForecast

    weeks = [{"week_start": (dt.date(2026, 9, 28) + dt.timedelta(weeks=i)).isoformat(),
              "week_end": (dt.date(2026, 10, 4) + dt.timedelta(weeks=i)).isoformat(),
              "central": 400 - 20 * i, "low": 380 - 20 * i, "high": 420 - 20 * i, "extra": 0} for i in range(20)]
    SavedForecast.objects.create(
        organisation=world["org"], title="OT assessment backlog", work_type="ot_assessment",
        as_of=dt.date(2026, 9, 28),
        result={"horizon_weeks": 20, "assumptions": [], "history": [
            {"week_start": "2026-09-21", "arrivals": 30, "completions": 25, "backlog": 412}],
            "scenarios": [{"name": "Current capacity", "clears": True, "clearance_date": "2027-02-14",
                           "clearance_early": "2027-01-31", "clearance_late": "2027-03-07", "description": "",
                           "projection": weeks}]})
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    text = pdf_text(services.render(report, "pdf"))
    assert "Current capacity 14 February 2027 31 January 2027 to 7 March 2027" in text
    assert "The week-by-week forecast is in the Excel workbook." in text
    assert "Current capacity: projected" not in text  # the weekly table's header
    weekly = xlsx_sheets(services.render(report, "xlsx"))["Forecast weekly series"]
    assert weekly[0][:3] == ["Forecast", "Date", "Actual"] and len(weekly) > 20
    assert "Forecast weekly series" not in xlsx_sheets(services.render(report, "xlsx", public=True))


def test_the_word_file_is_a4_with_each_chart_as_a_picture_with_alternative_text(world, approved):
    doc = Document(io.BytesIO(services.render(approved, "docx")))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    charts = [m for s in approved.snapshot["sections"] for m in s["measure_ids"]]
    assert len(doc.inline_shapes) == len(charts) == 1
    alt = doc.inline_shapes[0]._inline.docPr.get("descr")
    assert alt.startswith("OT28: OT assessments within 28 days.") and "latest" in alt


def test_the_word_file_has_a_header_and_page_x_of_y_in_its_footer(world, approved):
    data = services.render(approved, "docx")
    doc = Document(io.BytesIO(data))
    header = doc.sections[0].header.paragraphs[0].text
    assert header.startswith("Demoshire") and "Approved" in header and "Full version" in header
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Page ")


def test_the_word_file_uses_named_styles_a_clerk_can_paste_into_a_template(world, approved):
    doc = Document(io.BytesIO(services.render(approved, "docx")))
    used = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Caption", "List Bullet", "Report Figure"} <= used
    assert {t.style.name for t in doc.tables} == {"Table Grid"}


def _template(font: str = "Georgia") -> bytes:
    doc = Document()
    doc.styles["Heading 1"].font.name = font
    doc.styles["Heading 1"].font.size = Pt(20)
    doc.add_paragraph("The council's template text, which the report replaces.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_council_template_gives_the_word_file_its_styles(world, approved):
    services.set_word_template(world["manager_access"], name="demoshire.docx", data=_template())
    doc = Document(io.BytesIO(services.render(approved, "docx")))
    assert doc.styles["Heading 1"].font.name == "Georgia"
    assert "The council's template text" not in docx_text(services.render(approved, "docx"))
    assert "Approved by Priya Shah" in docx_text(services.render(approved, "docx"))


@pytest.mark.parametrize("data,says", [
    (b"not a zip file at all", "not a Word document"),
    (b"", "empty"),
])
def test_a_template_that_is_not_a_word_document_is_refused(world, data, says):
    with pytest.raises(InvalidInput) as exc:
        services.set_word_template(world["manager_access"], name="notes.docx", data=data)
    assert says in exc.value.message and exc.value.message.startswith("notes.docx: ")
    assert services.word_template(world["org"]) is None


def test_a_template_with_macros_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_template())) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(InvalidInput, match="macros"):
        services.set_word_template(world["manager_access"], name="macro.docm", data=buf.getvalue())


def test_the_template_page_uploads_and_removes_the_template(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["cast"]["manager"])
    url = "/o/demoshire/reports/word-template/"
    response = client.post(url, {"template": SimpleUploadedFile("council.docx", _template())})
    assert response.status_code == 302
    assert services.word_template(world["org"]).name == "council.docx"
    page = client.get(url).content.decode()
    assert "council.docx" in page
    bad = client.post(url, {"template": SimpleUploadedFile("x.docx", b"nonsense")})
    assert bad.status_code == 200 and "not a Word document" in bad.content.decode()
    client.post(url + "remove/")
    assert services.word_template(world["org"]) is None


def test_the_slides_have_the_summary_exceptions_and_key_charts_with_alternative_text(world, approved):
    from pptx import Presentation

    deck = Presentation(io.BytesIO(services.render(approved, "pptx")))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[:3] == [approved.title, "Summary", "Exceptions"]
    assert titles[3].startswith("OT28: OT assessments within 28 days")
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1 and pictures[0]._element.nvPicPr.cNvPr.get("descr").startswith("OT28")
    exceptions = [sh for sh in deck.slides[2].shapes if sh.has_table][0].table
    assert exceptions.cell(1, 0).text in ("Red", "Amber")


def test_publishing_keeps_the_slides_with_the_other_files(world, approved):
    services.publish_report(world["manager_access"], approved)
    kept = set(ReportFile.objects.filter(report=approved).values_list("format", flat=True))
    assert "pptx" in kept
    data, ctype, name = services.export_report(world["manager_access"], approved, "pptx")
    assert ctype.endswith("presentationml.presentation") and name.endswith(".pptx") and data.startswith(b"PK")


# Authoring ---------------------------------------------------------------------------------

def _section_key(report):
    return report.snapshot["sections"][0]["key"]


def test_a_manager_chooses_a_sections_measures_and_writes_its_narrative(world, draft):
    key = _section_key(draft)
    measure = world["measure"].pk
    report = services.write_section(world["manager_access"], draft, key, narrative="Better than last quarter.\n\n"
                                    "Still short of target.", measures=[measure], charts=[])
    text = pdf_text(services.render(report, "pdf"))
    assert "Better than last quarter." in text and "Still short of target." in text
    assert "OT28: OT assessments within 28 days" in text
    assert len(Document(io.BytesIO(services.render(report, "docx"))).inline_shapes) == 0  # its chart left out
    report = services.write_section(world["manager_access"], report, key, narrative="", measures=[])
    assert "OT28 figures" not in docx_text(services.render(report, "docx"))


def test_a_manager_edits_an_exceptions_commentary_and_blank_restores_the_updates(world, draft):
    key = services.authoring_choices(draft)["exceptions"][0]["key"]
    report = services.write_exception_commentary(world["manager_access"], draft, key, "Recovered by October.")
    assert "Commentary: Recovered by October." in docx_text(services.render(report, "docx"))
    report = services.write_exception_commentary(world["manager_access"], report, key, "")
    assert "Commentary: Agency OTs started late in August." in docx_text(services.render(report, "docx"))


def test_what_was_written_is_frozen_on_approval_and_kept_through_a_refresh(world, draft):
    key = _section_key(draft)
    report = services.write_section(world["manager_access"], draft, key, narrative="Written before approval.")
    report = services.refresh_report(world["manager_access"], report)
    assert report.snapshot["authoring"]["sections"][key]["narrative"] == "Written before approval."
    approved = services.approve_report(world["manager_access"], report)
    with pytest.raises(Conflict):
        services.write_section(world["manager_access"], approved, key, narrative="Changed after.")
    exception = services.authoring_choices(approved)["exceptions"][0]["key"]
    with pytest.raises(Conflict):
        services.write_exception_commentary(world["manager_access"], approved, exception, "Changed after.")
    assert "Written before approval." in pdf_text(services.render(approved, "pdf"))


def test_a_section_cannot_show_another_sections_measure(world, draft):
    with pytest.raises(InvalidInput, match="this section only"):
        services.write_section(world["manager_access"], draft, _section_key(draft), measures=[999999])


def test_the_authoring_pages_work_without_javascript(client, world, draft):
    client.force_login(world["cast"]["manager"])
    key = _section_key(draft)
    report_page = client.get(f"/o/demoshire/reports/{draft.pk}/").content.decode()
    assert f"/o/demoshire/reports/{draft.pk}/sections/{key}/" in report_page
    url = f"/o/demoshire/reports/{draft.pk}/sections/{key}/"
    assert "Narrative" in client.get(url).content.decode()
    response = client.post(url, {"measures": [str(world["measure"].pk)], "charts": [str(world["measure"].pk)],
                                 "narrative": "From the page."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.snapshot["authoring"]["sections"][key] == {
        "narrative": "From the page.", "measures": [world["measure"].pk], "charts": [world["measure"].pk]}


def test_the_api_writes_a_section_and_an_exception(client, world, draft):
    from carestat.core import services as core

    _, token = core.create_api_token(world["cast"]["manager"], "papers")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = f"/api/v1/organisations/demoshire/reports/{draft.pk}"
    key = _section_key(draft)
    got = client.put(f"{base}/sections/{key}", data={"narrative": "Via the API."}, content_type="application/json",
                     **auth)
    assert got.status_code == 200, got.content
    assert got.json()["sections"][0]["narrative"] == "Via the API."
    exception = got.json()["exceptions"][0]["key"]
    got = client.put(f"{base}/exceptions/{exception}", data={"commentary": "Edited via the API."},
                     content_type="application/json", **auth)
    assert got.json()["exceptions"][0]["written"] == "Edited via the API."


def test_the_api_uploads_the_template_and_refuses_an_empty_file_by_name(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from carestat.core import services as core_services

    token = core_services.create_api_token(world["cast"]["manager"], "template upload")[1]
    url = "/api/v1/organisations/demoshire/report-word-template"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    empty = client.post(url, {"template": SimpleUploadedFile("blank.docx", b"")}, **auth)
    assert empty.status_code == 422 and empty.json()["detail"].startswith("blank.docx: ")
    assert services.word_template(world["org"]) is None
    missing = client.post(url, {}, **auth)
    assert missing.status_code == 422 and "template" in missing.json()["detail"]
    done = client.post(url, {"template": SimpleUploadedFile("council.docx", _template())}, **auth)
    assert done.status_code == 200 and done.json()["name"] == "council.docx"
    assert services.word_template(world["org"]).name == "council.docx"
