import datetime as dt

import pytest
from django.utils import timezone

from carestat.governance import services
from carestat.governance.models import Board, Recommendation, RecStatus
from carestat.governance.tests.builders import reopened_report, small_governance
from conftest import access_for


@pytest.fixture
def world(demoshire, admin, contributor):
    return small_governance(demoshire, admin, contributor)


def test_the_boards_list_and_board_page_show_members_meetings_and_what_is_due(client, world, viewer):
    client.force_login(viewer)
    r = client.get("/o/demoshire/governance/")
    assert r.status_code == 200 and "Health and Adult Social Care Scrutiny Committee" in r.content.decode()
    page = client.get(f"/o/demoshire/governance/boards/{world['board'].pk}/").content.decode()
    assert "Cllr Jane Ellis (chair)" in page and "Scrutinises adult social care." in page


def test_the_meeting_page_shows_agenda_paper_decisions_and_a_link_to_track_a_decision(client, world, manager):
    client.force_login(manager)
    page = client.get(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/").content.decode()
    assert "1. Adult social care improvement programme" in page
    assert "That backlog figures be shared with all members" in page
    assert f"?decision={world['decision'].pk}" in page


def test_a_manager_sets_up_a_board_through_the_form(client, world, manager):
    client.force_login(manager)
    r = client.post("/o/demoshire/governance/boards/new/", {"name": "Care Quality Group", "kind": "care_quality",
                                                             "frequency": "monthly", "remit": ""})
    assert r.status_code == 302
    assert Board.objects.get(name="Care Quality Group").kind == "care_quality"


def test_a_recommendation_form_with_its_due_date_first_shows_the_error_and_stores_nothing(client, world, manager):
    client.force_login(manager)
    r = client.post("/o/demoshire/governance/recommendations/new/", {
        "source": "internal_audit", "source_document": "Internal audit 2026/07", "reference": "IA1",
        "raised_on-day": "1", "raised_on-month": "5", "raised_on-year": "2026", "text": "Do it",
        "priority": "high", "response": "pending", "due_date-day": "30", "due_date-month": "4",
        "due_date-year": "2026"})
    assert r.status_code == 200
    assert "before the recommendation was made" in r.content.decode()
    assert not Recommendation.objects.filter(reference="IA1").exists()


def test_closing_without_evidence_through_the_page_is_refused(client, world, demoshire, admin):
    rec = world["rec"]
    services.change_status(access_for(admin, demoshire), rec, status="implemented", reason="Done")
    client.force_login(admin)
    r = client.post(f"/o/demoshire/governance/recommendations/{rec.pk}/status/",
                    {"status": "closed", "reason": "Verified", "evidence": ""})
    assert "Closing needs evidence" in r.content.decode()
    rec.refresh_from_db()
    assert rec.status == RecStatus.IMPLEMENTED


def test_the_tracker_filters_by_source_and_overdue(client, world, demoshire, admin, viewer):
    today = timezone.localdate()
    services.create_recommendation(access_for(admin, demoshire), source="scrutiny", source_document="Minutes",
                                   reference="S9", raised_on=today - dt.timedelta(days=40),
                                   due_date=today - dt.timedelta(days=1), text="Report on the next 100 days")
    client.force_login(viewer)
    page = client.get("/o/demoshire/governance/recommendations/?overdue=1").content.decode()
    assert "Report on the next 100 days" in page and "Establish clear milestones" not in page
    page = client.get("/o/demoshire/governance/recommendations/?source=external_auditor").content.decode()
    assert "Establish clear milestones" in page and "Report on the next 100 days" not in page


def test_the_recommendation_page_shows_its_linked_actions_status_and_rag(client, world, viewer):
    client.force_login(viewer)
    page = client.get(f"/o/demoshire/governance/recommendations/{world['rec'].pk}/").content.decode()
    assert "Clear the OT assessment backlog" in page and "Progress from the plan" in page


def test_the_public_pack_leaves_out_exempt_items_and_their_decisions(client, world, demoshire, admin, viewer):
    a = access_for(admin, demoshire)
    exempt = services.add_agenda_item(a, world["meeting"], title="Agency contract negotiation", is_public=False)
    services.record_decision(a, world["meeting"], item=exempt, text="Award the agency contract to Supplier B")
    client.force_login(viewer)
    page = client.get(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/public-pack/").content.decode()
    assert "That backlog figures be shared with all members" in page
    assert "Agency contract negotiation" not in page and "Supplier B" not in page
    pdf = client.get(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/public-pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_export_is_a_workbook_with_one_row_per_recommendation(client, world, viewer):
    import io

    from openpyxl import load_workbook

    client.force_login(viewer)
    r = client.get("/o/demoshire/governance/recommendations/export.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Source", "Source document", "Reference")
    assert rows[1][2] == "R1" and rows[1][13] == "Clear the OT assessment backlog"


def test_an_import_through_the_page_lists_each_bad_row_and_imports_nothing(client, world, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    f = SimpleUploadedFile("recs.csv", b"Source,Source document,Reference,Date raised,Recommendation,Due date\n"
                                       b"CQC,CQC assessment 2026,1,01/06/2026,Cut waiting times,31/03/2027\n"
                                       b"Auditor,Audit letter,2,01/06/2026,Reconcile,not a date\n")
    r = client.post("/o/demoshire/governance/recommendations/import/", {"file": f})
    page = r.content.decode()
    assert "Nothing imported. Row 3, column &#39;Source&#39;: &#39;Auditor&#39; is not one of" in page
    assert "Row 3, column &#39;Due date&#39;: &#39;not a date&#39; is not a date" in page
    assert not Recommendation.objects.filter(source_document="CQC assessment 2026").exists()


def test_the_agenda_report_picker_offers_a_reports_current_version_only(client, world, demoshire, admin, manager):
    v1, v2 = reopened_report(world, demoshire, admin)
    client.force_login(manager)
    page = client.get(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/items/new/").content.decode()
    picker = page.split('name="report"', 1)[1].split("</select>", 1)[0]
    assert f'value="{v2.pk}"' in picker and f'value="{v1.pk}"' not in picker
    assert f"{v2.title} (version 2, draft)" in picker


def test_a_superseded_report_version_posted_to_the_agenda_is_refused_with_a_clear_error(client, world, demoshire,
                                                                                       admin, manager):
    v1, v2 = reopened_report(world, demoshire, admin)
    client.force_login(manager)
    r = client.post(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/items/new/",
                    {"title": "Quarter 2 performance", "report": str(v1.pk), "is_public": "on"})
    assert r.status_code == 200
    page = r.content.decode()
    assert (f"Version 1 of ‘{v1.title}’ was replaced by version 2, so it cannot be an agenda paper: "
            "choose its current version from the list") in page
    assert not world["meeting"].items.filter(title="Quarter 2 performance").exists()
    r = client.post(f"/o/demoshire/governance/meetings/{world['meeting'].pk}/items/new/",
                    {"title": "Quarter 2 performance", "report": str(v2.pk), "is_public": "on"})
    assert r.status_code == 302
    assert world["meeting"].items.get(title="Quarter 2 performance").report == v2
