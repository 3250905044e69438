"""Report governance through the pages and the API: the report rules page, the approve button
explained when its drafter may not approve, reopening with a reason and the version history,
and drafts hidden from viewers."""

from carestat.core.models import AuditEntry
from carestat.reports import services
from carestat.reports.models import Report, ReportStatus, report_rules

REASON = "The September backlog figure was entered before the late returns."
API = "/api/v1/organisations/demoshire"


def _draft(w):
    return services.create_report(w["manager_access"], period=w["q2"], scope="plan", plan=w["plan"])


def _approved(w):
    return services.approve_report(w["admin_access"], _draft(w))


def test_an_admin_turns_on_the_drafter_rule_on_the_report_rules_page_and_a_manager_cannot(client, world):
    client.force_login(world["cast"]["admin"])
    page = client.get("/o/demoshire/reports/rules/").content.decode()
    assert "The person who drafted a report cannot approve it" in page
    response = client.post("/o/demoshire/reports/rules/", {"drafter_cannot_approve": "on"})
    assert response.status_code == 302 and response["Location"] == "/o/demoshire/reports/rules/"
    rules = report_rules(world["org"])
    assert (rules.drafter_cannot_approve, rules.viewers_see_drafts) == (True, False)
    assert "Report approval and drafts" in client.get("/o/demoshire/reports/").content.decode()
    client.force_login(world["cast"]["manager"])
    assert client.post("/o/demoshire/reports/rules/", {}).status_code == 403
    assert "Report approval and drafts" not in client.get("/o/demoshire/reports/").content.decode()


def test_the_drafter_sees_why_there_is_no_approve_button_and_cannot_approve_by_page_or_api(client, world):
    services.set_report_rules(world["admin_access"], drafter_cannot_approve=True)
    report = _draft(world)
    client.force_login(world["cast"]["manager"])
    page = client.get(f"/o/demoshire/reports/{report.pk}/").content.decode()
    assert "Approve the report" not in page
    assert "Why you cannot approve it:" in page and "Ask another manager or an admin to approve it." in page
    confirm = client.get(f"/o/demoshire/reports/{report.pk}/approve/").content.decode()
    assert "You cannot approve this report" in confirm and "Yes, approve the report" not in confirm
    shown = client.post(f"/o/demoshire/reports/{report.pk}/approve/", follow=True).content.decode()
    assert "You drafted it, and Demoshire County Council requires a report to be approved by someone who did " \
           "not draft it." in shown
    answer = client.post(f"{API}/reports/{report.pk}/approve", content_type="application/json")
    assert answer.status_code == 403 and "You drafted it" in answer.json()["detail"]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    client.force_login(world["cast"]["admin"])
    assert "Approve the report" in client.get(f"/o/demoshire/reports/{report.pk}/").content.decode()
    answer = client.post(f"{API}/reports/{report.pk}/approve", content_type="application/json")
    assert answer.status_code == 200 and answer.json()["approved_by"] == "Helen Morgan"


def test_a_manager_reopens_an_approved_report_with_a_reason_and_reads_its_version_history(client, world):
    v1 = _approved(world)
    client.force_login(world["cast"]["manager"])
    report_page = client.get(f"/o/demoshire/reports/{v1.pk}/").content.decode()
    assert f'href="/o/demoshire/reports/{v1.pk}/reopen/"' in report_page
    form = client.get(f"/o/demoshire/reports/{v1.pk}/reopen/").content.decode()
    assert "Reopen this approved report" in form and "Draft version 2" in form
    refused = client.post(f"/o/demoshire/reports/{v1.pk}/reopen/", {"reason": "  "})
    assert refused.status_code == 200 and "Say why the report is being reopened" in refused.content.decode()
    assert Report.objects.count() == 1
    response = client.post(f"/o/demoshire/reports/{v1.pk}/reopen/", {"reason": REASON})
    v2 = Report.objects.get(version_number=2)
    assert response["Location"] == f"/o/demoshire/reports/{v2.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Status: Draft, version 2" in page and "Approve the report" in page
    assert f"approved by Helen Morgan on {v1.approved_at.day}" in page
    assert f"reopened by Priya Shah on {v1.approved_at.day}" in page and f"because: {REASON}" in page
    old = client.get(f"/o/demoshire/reports/{v1.pk}/").content.decode()
    assert "This is version 1, replaced by a later version." in old
    assert f'href="/o/demoshire/reports/{v2.pk}/"' in old and "Reopen the report" not in old
    assert "Publish the report" not in old
    download = client.get(f"/o/demoshire/reports/{v1.pk}/download/html/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/html")
    listed = client.get("/o/demoshire/reports/").content.decode()
    assert f"/o/demoshire/reports/{v2.pk}/" in listed and f"/o/demoshire/reports/{v1.pk}/" not in listed
    assert "(version 2)" in listed


def test_the_api_reopens_with_a_reason_and_refuses_an_empty_one_or_a_draft(client, world):
    v1 = _approved(world)
    client.force_login(world["cast"]["manager"])
    empty = client.post(f"{API}/reports/{v1.pk}/reopen", {"reason": ""}, content_type="application/json")
    assert empty.status_code == 422
    answer = client.post(f"{API}/reports/{v1.pk}/reopen", {"reason": REASON}, content_type="application/json")
    assert answer.status_code == 201
    body = answer.json()
    assert (body["version_number"], body["previous_id"], body["status"]) == (2, v1.pk, "draft")
    old = client.get(f"{API}/reports/{v1.pk}").json()
    assert (old["reopened_by"], old["reopen_reason"], old["superseded"]) == ("Priya Shah", REASON, True)
    again = client.post(f"{API}/reports/{body['id']}/reopen", {"reason": REASON}, content_type="application/json")
    assert again.status_code == 409
    assert [r["id"] for r in client.get(f"{API}/reports").json()] == [body["id"]]
    assert AuditEntry.objects.filter(action="reports.report.reopened", record_id=str(v1.pk)).count() == 1


def test_a_published_report_is_corrected_not_reopened(client, world):
    v1 = services.publish_report(world["admin_access"], _approved(world))
    client.force_login(world["cast"]["manager"])
    assert "Correct this published report" in client.get(f"/o/demoshire/reports/{v1.pk}/").content.decode()
    form = client.get(f"/o/demoshire/reports/{v1.pk}/reopen/").content.decode()
    assert "A published report is never changed" in form
    client.post(f"/o/demoshire/reports/{v1.pk}/reopen/", {"reason": REASON})
    client.force_login(world["cast"]["viewer"])
    page = client.get(f"/o/demoshire/reports/{v1.pk}/").content.decode()
    assert "This published version is being corrected." in page
    # the correction is a draft, which the viewer may not read: no link to it
    v2 = Report.objects.get(version_number=2)
    assert f"/o/demoshire/reports/{v2.pk}/" not in page


def test_drafts_are_hidden_from_a_viewer_in_every_list_and_by_address_unless_allowed(client, world):
    draft = _draft(world)
    services.set_main_messages(world["manager_access"], draft, "Falconry backlog words.")
    client.force_login(world["cast"]["viewer"])
    assert client.get(f"/o/demoshire/reports/{draft.pk}/").status_code == 404
    assert client.get(f"/o/demoshire/reports/{draft.pk}/download/html/").status_code == 404
    assert client.get(f"{API}/reports/{draft.pk}").status_code == 404
    assert client.get(f"{API}/reports").json() == []
    assert draft.title not in client.get("/o/demoshire/reports/").content.decode()
    assert draft.title not in client.get("/o/demoshire/reports/?status=draft").content.decode()
    assert draft.title not in client.get("/o/demoshire/search/?q=Falconry").content.decode()
    client.force_login(world["cast"]["auditor"])
    assert client.get(f"/o/demoshire/reports/{draft.pk}/").status_code == 200
    assert draft.title in client.get("/o/demoshire/search/?q=Falconry").content.decode()
    services.set_report_rules(world["admin_access"], viewers_see_drafts=True)
    client.force_login(world["cast"]["viewer"])
    assert client.get(f"/o/demoshire/reports/{draft.pk}/").status_code == 200
    assert [r["id"] for r in client.get(f"{API}/reports").json()] == [draft.pk]


def test_the_api_reads_and_changes_the_report_rules_for_admins_only(client, world):
    client.force_login(world["cast"]["manager"])
    assert client.get(f"{API}/report-rules").json() == {"drafter_cannot_approve": False, "viewers_see_drafts": False}
    assert client.patch(f"{API}/report-rules", {"viewers_see_drafts": True},
                        content_type="application/json").status_code == 403
    client.force_login(world["cast"]["admin"])
    answer = client.patch(f"{API}/report-rules", {"viewers_see_drafts": True}, content_type="application/json")
    assert answer.json() == {"drafter_cannot_approve": False, "viewers_see_drafts": True}
