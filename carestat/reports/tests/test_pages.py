from carestat.core.models import AuditEntry, Job, JobStatus
from carestat.reports.models import Report, ReportStatus
from carestat.reports.tests.helpers import pdf_text


def test_a_manager_drafts_approves_publishes_and_downloads_a_report_through_the_pages(client, world):
    client.force_login(world["cast"]["manager"])
    response = client.post("/o/demoshire/reports/new/", {"covers": f"plan:{world['plan'].pk}",
                                                         "period": "2026-27-Q2"})
    report = Report.objects.get()
    job = Job.objects.get(kind="reports.draft")
    assert response.status_code == 302 and response["Location"] == f"/o/demoshire/jobs/{job.pk}/"
    assert job.result_url == f"/o/demoshire/reports/{report.pk}/"
    page = client.get(job.result_url).content.decode()
    assert "Backlog clearance" in page and "Approve the report" in page and "<svg" in page
    client.post(f"/o/demoshire/reports/{report.pk}/messages/", {"main_messages": "Backlog falling."})
    client.post(f"/o/demoshire/reports/{report.pk}/approve/")
    response = client.post(f"/o/demoshire/reports/{report.pk}/publish/")
    files_job = Job.objects.get(kind="reports.files")
    assert response["Location"] == f"/o/demoshire/jobs/{files_job.pk}/"
    assert files_job.status == JobStatus.DONE and files_job.result_url == f"/o/demoshire/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED and report.snapshot["main_messages"] == "Backlog falling."
    response = client.get(f"/o/demoshire/reports/{report.pk}/download/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert "Backlog falling." in pdf_text(response.content)
    assert AuditEntry.objects.filter(action="reports.report.exported", record_id=str(report.pk)).exists()


def test_a_viewer_sees_an_approved_report_without_the_publish_or_reopen_buttons(client, world):
    from carestat.reports import services

    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["admin_access"], report)
    client.force_login(world["cast"]["viewer"])
    page = client.get(f"/o/demoshire/reports/{report.pk}/").content.decode()
    assert "Backlog clearance" in page
    assert "Publish the report" not in page and "Reopen the report" not in page
    assert page.count("<h1") == 1


def test_publishing_a_draft_through_the_page_says_it_needs_approval(client, world):
    from carestat.reports import services

    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    client.force_login(world["cast"]["manager"])
    response = client.post(f"/o/demoshire/reports/{report.pk}/publish/", follow=True)
    assert "must approve the report before it can be published" in response.content.decode()


def test_the_public_version_of_the_page_says_small_numbers_are_suppressed(client, world):
    from carestat.reports import services

    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["admin_access"], report)
    client.force_login(world["cast"]["viewer"])
    page = client.get(f"/o/demoshire/reports/{report.pk}/?version=public").content.decode()
    assert "(public version)" in page and "fewer than 5" in page


def test_the_api_creates_approves_publishes_and_downloads(client, world):
    from carestat.core import services as core

    _, token = core.create_api_token(world["cast"]["manager"], "t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post("/api/v1/organisations/demoshire/reports", {"period": "2026-27-Q2", "scope": "plan",
                    "plan_id": world["plan"].pk}, content_type="application/json", **h)
    # Drafting is a job, as on the page: the answer is the job, which (run inline here) links to the draft.
    assert r.status_code == 202, r.content
    job = client.get(f"/api/v1/organisations/demoshire/jobs/{r.json()['id']}", **h).json()
    assert job["kind"] == "reports.draft" and job["status"] == "done", job
    rid = int(job["result_url"].rstrip("/").rsplit("/", 1)[1])
    assert client.get(f"/api/v1/organisations/demoshire/reports/{rid}", **h).json()["counts"]["milestones"]["red"] == 1
    assert client.post(f"/api/v1/organisations/demoshire/reports/{rid}/publish", **h).status_code == 409
    assert client.post(f"/api/v1/organisations/demoshire/reports/{rid}/approve", **h).json()["status"] == "approved"
    assert client.post(f"/api/v1/organisations/demoshire/reports/{rid}/publish", **h).json()["status"] == "published"
    d = client.get(f"/api/v1/organisations/demoshire/reports/{rid}/download?format=docx", **h)
    assert d.status_code == 200 and d.content[:2] == b"PK"
    bad = client.get(f"/api/v1/organisations/demoshire/reports/{rid}/download?format=rtf", **h)
    assert bad.status_code == 422 and bad.json()["field"] == "format"


def test_a_manager_sets_up_a_board_remit_and_drafts_a_report_for_it(client, world):
    client.force_login(world["cast"]["manager"])
    response = client.post("/o/demoshire/reports/remits/", {"name": "Health Scrutiny",
                                                             "measures": [str(world["measure"].pk)]})
    assert response.status_code == 302
    from carestat.reports.models import Remit

    remit = Remit.objects.get()
    client.post("/o/demoshire/reports/new/", {"covers": f"remit:{remit.pk}", "period": "2026-27-Q2"})
    report = Report.objects.get()
    assert report.scope == "remit" and report.snapshot["scope"]["label"] == "Health Scrutiny"


def test_a_remit_needs_a_plan_or_a_measure(client, world):
    client.force_login(world["cast"]["manager"])
    page = client.post("/o/demoshire/reports/remits/", {"name": "Empty board"}).content.decode()
    assert "Choose at least one plan or measure the board oversees" in page


def test_the_api_says_which_id_is_missing_for_a_plan_report(client, world):
    from carestat.core import services as core

    _, token = core.create_api_token(world["cast"]["manager"], "t")
    r = client.post("/api/v1/organisations/demoshire/reports", {"period": "2026-27-Q2", "scope": "plan"},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422 and r.json()["field"] == "plan_id"
