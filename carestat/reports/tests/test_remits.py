"""Changing and archiving a board's remit: saved, audited, seen by the next draft, and never
by a report already approved or published."""

import pytest

from carestat.core.errors import Conflict
from carestat.core.models import AuditEntry
from carestat.plans import services as plans
from carestat.reports import services
from carestat.reports.models import Report
from carestat.reports.tests.helpers import pdf_text


@pytest.fixture
def remit(world):
    return services.create_remit(world["manager_access"], name="Health Scrutiny", measures=[world["measure"]])


def _edit(remit):
    return f"/o/demoshire/reports/remits/{remit.pk}/change/"


def _archive(remit):
    return f"/o/demoshire/reports/remits/{remit.pk}/archive/"


def test_the_change_page_shows_the_remit_as_it_is(client, world, remit):
    client.force_login(world["cast"]["manager"])
    page = client.get(_edit(remit)).content.decode()
    assert "<h1" in page and "Change the remit of Health Scrutiny" in page
    assert 'value="Health Scrutiny"' in page
    assert f'name="measures" type="checkbox" value="{world["measure"].pk}" checked' in page
    assert f'name="plans" type="checkbox" value="{world["plan"].pk}">' in page
    assert '<label class="govuk-label" for="id_name">' in page


def test_a_manager_changes_a_remit_and_the_change_is_saved_and_audited(client, world, remit):
    client.force_login(world["cast"]["manager"])
    response = client.post(_edit(remit), {"name": "Health and Adult Social Care Scrutiny",
                                          "plans": [str(world["plan"].pk)], "measures": [str(world["measure"].pk)]})
    assert response.status_code == 302 and response["Location"] == "/o/demoshire/reports/remits/"
    remit.refresh_from_db()
    assert remit.name == "Health and Adult Social Care Scrutiny"
    assert list(remit.plans.all()) == [world["plan"]] and list(remit.measures.all()) == [world["measure"]]
    assert remit.changed_by == world["cast"]["manager"]
    entry = AuditEntry.objects.get(action="reports.remit.changed", record_id=str(remit.pk))
    assert entry.before == {"name": "Health Scrutiny", "plans": "none", "measures": "OT28"}
    assert entry.after == {"name": "Health and Adult Social Care Scrutiny", "plans": "Adult social care improvement",
                           "measures": "OT28"}
    assert entry.message == ("Priya Shah changed the remit ‘Health and Adult Social Care Scrutiny’: Name changed "
                             "from ‘Health Scrutiny’ to ‘Health and Adult Social Care Scrutiny’; Plans changed from "
                             "‘none’ to ‘Adult social care improvement’")
    history = client.get(f"/o/demoshire/history/remit/{remit.pk}/").content.decode()
    assert "Plans changed from ‘none’ to ‘Adult social care improvement’" in history


def test_saving_a_remit_unchanged_records_nothing(world, remit):
    services.update_remit(world["manager_access"], remit, name="Health Scrutiny", measures=[world["measure"]])
    assert not AuditEntry.objects.filter(action="reports.remit.changed").exists()


def test_the_next_draft_covers_the_changed_remit_and_the_published_report_does_not_change(world, remit):
    access = world["manager_access"]
    published = services.create_report(access, period=world["q2"], scope="remit", remit=remit)
    services.approve_report(access, published)
    published = services.publish_report(access, published)
    before_hash, before_pdf = published.snapshot_hash, pdf_text(services.render(published, "pdf"))
    remit = services.update_remit(access, remit, name="Health and Adult Social Care Scrutiny",
                                  plans=[world["plan"]], measures=[world["measure"]])
    draft = services.create_report(access, period=world["q3"], scope="remit", remit=remit)
    assert [s["title"] for s in draft.snapshot["sections"]] == ["Backlog clearance"]
    assert draft.snapshot["scope"]["label"] == "Health and Adult Social Care Scrutiny"
    assert {"kind": "action", "title": "Clear the OT assessment backlog"} in draft.snapshot["changes"]["added"]
    assert draft.snapshot["changes"]["previous"]["id"] == published.pk
    published = Report.objects.get(pk=published.pk)
    assert published.snapshot_hash == before_hash and published.snapshot["sections"] == []
    assert published.snapshot["scope"]["label"] == "Health Scrutiny"
    assert pdf_text(services.render(published, "pdf")) == before_pdf


def test_a_remit_with_nothing_chosen_shows_the_error_summary_and_is_not_changed(client, world, remit):
    client.force_login(world["cast"]["manager"])
    response = client.post(_edit(remit), {"name": "Health Scrutiny"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#id_plans"' in page and "Choose at least one plan or measure the board oversees" in page
    assert "<title>Error: " in page
    remit.refresh_from_db()
    assert list(remit.measures.all()) == [world["measure"]]
    assert not AuditEntry.objects.filter(action="reports.remit.changed").exists()


def test_a_remit_cannot_take_another_remits_name(client, world, remit):
    services.create_remit(world["manager_access"], name="Cabinet", plans=[world["plan"]])
    client.force_login(world["cast"]["manager"])
    page = client.post(_edit(remit), {"name": "Cabinet", "measures": [str(world["measure"].pk)]}).content.decode()
    assert 'href="#id_name"' in page and "There is already a remit called ‘Cabinet’" in page
    remit.refresh_from_db()
    assert remit.name == "Health Scrutiny"


def test_a_viewer_cannot_change_or_archive_a_remit_and_an_outsider_cannot_find_it(client, world, remit):
    data = {"name": "Renamed", "plans": [str(world["plan"].pk)]}
    for role, status in [("viewer", 403), ("contributor", 403), ("auditor", 403), ("outsider", 404)]:
        client.force_login(world["cast"][role])
        assert client.get(_edit(remit)).status_code == status, role
        assert client.post(_edit(remit), data).status_code == status, role
        assert client.post(_archive(remit), {"reason": "Gone"}).status_code == status, role
    remit.refresh_from_db()
    assert remit.name == "Health Scrutiny" and not remit.is_archived


def test_a_viewer_sees_the_remits_without_change_links(client, world, remit):
    client.force_login(world["cast"]["viewer"])
    page = client.get("/o/demoshire/reports/remits/").content.decode()
    assert "Health Scrutiny" in page and _edit(remit) not in page and "Add a remit" not in page


def test_links_to_plans_archived_since_are_kept_when_a_remit_is_changed(world):
    access = world["manager_access"]
    remit = services.create_remit(access, name="Cabinet", plans=[world["plan"]])
    plans.archive(world["admin_access"], world["plan"], reason="Replaced by the three-year programme")
    services.update_remit(access, remit, name="Cabinet and Scrutiny", measures=[world["measure"]])
    assert list(remit.plans.all()) == [world["plan"]] and list(remit.measures.all()) == [world["measure"]]
    entry = AuditEntry.objects.get(action="reports.remit.changed")
    assert (entry.before["plans"], entry.after["plans"]) == ("none", "none")


def test_archiving_a_remit_keeps_its_reports_and_offers_it_for_no_new_report(client, world, remit):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="remit", remit=remit)
    client.force_login(world["cast"]["manager"])
    assert "Why is the remit being archived?" in client.get(_archive(remit)).content.decode()
    response = client.post(_archive(remit), {"reason": "Replaced by the Health and Care Board"})
    assert response.status_code == 302
    remit.refresh_from_db()
    assert remit.is_archived
    entry = AuditEntry.objects.get(action="reports.remit.archived", record_id=str(remit.pk))
    assert entry.after == {"is_archived": True, "reason": "Replaced by the Health and Care Board"}
    report.refresh_from_db()
    assert report.remit == remit
    assert f"remit:{remit.pk}" not in client.get("/o/demoshire/reports/new/").content.decode()
    with pytest.raises(Conflict, match="archived, so new reports cannot cover it"):
        services.create_report(world["manager_access"], period=world["q3"], scope="remit", remit=remit)
    with pytest.raises(Conflict, match="archived, so it can no longer be changed"):
        services.update_remit(world["manager_access"], remit, name="Back again", measures=[world["measure"]])
    page = client.get("/o/demoshire/reports/remits/").content.decode()
    assert "Archived remits" in page and _edit(remit) not in page


def test_archiving_a_remit_needs_a_reason(client, world, remit):
    client.force_login(world["cast"]["manager"])
    page = client.post(_archive(remit), {"reason": "  "}).content.decode()
    assert "There is a problem" in page and 'href="#id_reason"' in page
    assert "Say why the remit is being archived" in page
    remit.refresh_from_db()
    assert not remit.is_archived
