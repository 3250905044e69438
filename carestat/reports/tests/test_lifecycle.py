import datetime as dt

import pytest

from carestat.core.errors import Conflict, NotAllowed
from carestat.core.models import AuditEntry
from carestat.measures import services as measures
from carestat.plans import services as plans
from carestat.reports import services
from carestat.reports.models import ReportStatus
from carestat.reports.tests.helpers import docx_text, pdf_text
from conftest import access_for


def published(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"],
                                    main_messages="The OT backlog is falling but still behind plan.")
    services.approve_report(world["manager_access"], report)
    return services.publish_report(world["admin_access"], report)


def test_approving_and_publishing_records_who_and_when(world):
    report = published(world)
    assert report.status == ReportStatus.PUBLISHED
    assert report.approved_by == world["cast"]["manager"] and report.approved_at
    assert report.published_by == world["cast"]["admin"] and report.published_at
    assert AuditEntry.objects.filter(action="reports.report.published", record_id=str(report.pk)).exists()


def test_a_viewer_cannot_create_or_approve_a_report(world):
    viewer = access_for(world["cast"]["viewer"], world["org"])
    with pytest.raises(NotAllowed):
        services.create_report(viewer, period=world["q2"], scope="plan", plan=world["plan"])
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    with pytest.raises(NotAllowed):
        services.approve_report(viewer, report)


def test_a_contributor_cannot_publish_a_report(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["manager_access"], report)
    with pytest.raises(NotAllowed):
        services.publish_report(access_for(world["cast"]["contributor"], world["org"]), report)


def test_a_draft_cannot_be_published_before_approval(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    with pytest.raises(Conflict):
        services.publish_report(world["manager_access"], report)


def test_an_approved_report_cannot_be_refreshed_or_have_its_messages_changed(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.approve_report(world["manager_access"], report)
    with pytest.raises(Conflict):
        services.refresh_report(world["manager_access"], report)
    with pytest.raises(Conflict):
        services.set_main_messages(world["manager_access"], report, "New words")


def test_refreshing_a_draft_picks_up_changes_and_main_messages_are_kept(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    services.set_main_messages(world["manager_access"], report, "Backlog falling.")
    plans.add_milestone(world["admin_access"], world["action"], title="Weekend clinics",
                        baseline_date=dt.date(2026, 9, 25))
    report = services.refresh_report(world["manager_access"], report)
    titles = [m["title"] for m in report.snapshot["sections"][0]["actions"][0]["milestones"]]
    assert "Weekend clinics" in titles and report.snapshot["main_messages"] == "Backlog falling."


def test_changing_a_measure_value_after_publishing_leaves_the_published_report_unchanged(world):
    report = published(world)
    before_hash = report.snapshot_hash
    before_html = services.render(report, "html")
    before_docx = docx_text(services.render(report, "docx"))
    before_pdf = pdf_text(services.render(report, "pdf"))
    measures.enter_value(world["manager_access"], world["measure"], period="2026-27-Q2", numerator=71,
                         denominator=100, reason="Late-recorded assessments added")
    report.refresh_from_db()
    assert report.snapshot_hash == before_hash
    assert services.render(report, "html") == before_html
    assert docx_text(services.render(report, "docx")) == before_docx
    assert pdf_text(services.render(report, "pdf")) == before_pdf
    assert "64.0%" in before_pdf and "71.0%" not in before_pdf


def test_the_change_appears_in_the_next_drafts_changed_since_the_last_report(world):
    first = published(world)
    measures.enter_value(world["manager_access"], world["measure"], period="2026-27-Q2", numerator=71,
                         denominator=100, reason="Late-recorded assessments added")
    plans.archive(world["admin_access"], world["m2"], reason="Merged into the weekend clinics milestone")
    draft = services.create_report(world["manager_access"], period=world["q3"], scope="plan", plan=world["plan"])
    changes = draft.snapshot["changes"]
    assert changes["previous"]["id"] == first.pk
    assert changes["measures"][0]["change"] == "value for 2026-27-Q2 revised from 64.0% to 71.0%"
    assert changes["dropped"] == [{"kind": "milestone", "title": "Backlog under 100",
                                   "reason": "Merged into the weekend clinics milestone"}]
    text = pdf_text(services.render(draft, "pdf"))
    assert "revised from 64.0% to 71.0%" in text
    assert "Merged into the weekend clinics milestone" in text


def test_a_re_dated_milestone_shows_old_and_new_dates_and_the_reason(world):
    published(world)
    plans.redate_milestone(world["admin_access"], world["m2"], new_date=dt.date(2026, 12, 15),
                           reason="Agency contract extended")
    draft = services.create_report(world["manager_access"], period=world["q3"], scope="plan", plan=world["plan"])
    redated = draft.snapshot["changes"]["redated"]
    assert redated == [{"kind": "milestone", "title": "Backlog under 100", "from": "2026-09-20",
                        "to": "2026-12-15", "reason": "Agency contract extended"}]
    assert "Backlog under 100: from 20 September 2026 to 15 December 2026. Reason: Agency contract extended" \
        in docx_text(services.render(draft, "docx"))
