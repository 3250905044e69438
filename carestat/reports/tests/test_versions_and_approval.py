"""Report governance in the services: who may approve a draft under the organisation's
"drafter cannot approve" rule, reopening an approved report as a new version, correcting a
published one, and who reads drafts."""

import pytest

from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import AuditEntry, Notification
from carestat.reports import selectors, services
from carestat.reports.access import can_see_drafts, get_report_for_user
from carestat.reports.models import Report, ReportFile, ReportStatus, report_rules
from conftest import access_for


def _draft(w, who="manager_access"):
    return services.create_report(w[who], period=w["q2"], scope="plan", plan=w["plan"])


def _drafter_cannot_approve(w):
    services.set_report_rules(w["admin_access"], drafter_cannot_approve=True)


# Who may approve ----------------------------------------------------------------------------

def test_by_default_the_person_who_drafted_a_report_may_approve_it(world):
    report = _draft(world)
    assert report_rules(world["org"]).drafter_cannot_approve is False
    assert services.approve_report(world["manager_access"], report).status == ReportStatus.APPROVED


def test_with_the_rule_on_the_drafter_is_refused_and_told_who_can_approve(world):
    _drafter_cannot_approve(world)
    report = _draft(world)
    with pytest.raises(NotAllowed) as refused:
        services.approve_report(world["manager_access"], report)
    assert refused.value.message == ("You drafted it, and Demoshire County Council requires a report to be approved "
                                     "by someone who did not draft it. Ask another manager or an admin to approve it.")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    approved = services.approve_report(world["admin_access"], report)
    assert approved.status == ReportStatus.APPROVED and approved.approved_by == world["cast"]["admin"]


def test_with_the_rule_on_whoever_refreshed_the_figures_last_cannot_approve_either(world):
    _drafter_cannot_approve(world)
    report = _draft(world)
    report = services.refresh_report(world["admin_access"], report)
    assert report.created_by == world["cast"]["manager"] and report.built_by == world["cast"]["admin"]
    assert services.approval_refusal(world["admin_access"], report).startswith("You refreshed its figures last")
    assert services.approval_refusal(world["manager_access"], report).startswith("You drafted it")
    with pytest.raises(NotAllowed):
        services.approve_report(world["admin_access"], report)


def test_with_the_rule_on_writing_the_main_messages_does_not_make_someone_the_drafter(world):
    _drafter_cannot_approve(world)
    report = _draft(world)
    services.set_main_messages(world["admin_access"], report, "The backlog is falling.")
    assert services.approval_refusal(world["admin_access"], report) == ""
    assert services.approve_report(world["admin_access"], report).approved_by == world["cast"]["admin"]


def test_the_report_rules_are_changed_by_admins_only_and_audited(world):
    with pytest.raises(NotAllowed):
        services.set_report_rules(world["manager_access"], drafter_cannot_approve=True)
    services.set_report_rules(world["admin_access"], drafter_cannot_approve=True)
    entry = AuditEntry.objects.get(action="reports.rules.changed")
    assert entry.before == {"drafter_cannot_approve": False, "viewers_see_drafts": False}
    assert entry.after == {"drafter_cannot_approve": True, "viewers_see_drafts": False}
    assert entry.message.startswith("Helen Morgan changed the report rules: The person who drafted a report cannot "
                                    "approve it changed from")
    with pytest.raises(InvalidInput):
        services.set_report_rules(world["admin_access"], approve_own=True)


# Reopening an approved report ----------------------------------------------------------------

REASON = "The September backlog figure was entered before the late returns."


def test_reopening_an_approved_report_keeps_version_1_and_drafts_version_2_from_it(world):
    report = _draft(world)
    services.set_main_messages(world["manager_access"], report, "Backlog falling.")
    v1 = services.approve_report(world["manager_access"], report)
    services.kept_file(v1, "html", user=world["cast"]["manager"])
    frozen = (v1.snapshot_hash, v1.snapshot)
    v2 = services.reopen_report(world["admin_access"], v1, reason=f"  {REASON}  ")
    v1.refresh_from_db()
    assert (v1.status, v1.version_number, v1.snapshot_hash, v1.snapshot) == (ReportStatus.APPROVED, 1, *frozen)
    assert (v1.reopened_by, v1.reopen_reason) == (world["cast"]["admin"], REASON)
    assert v1.is_superseded and ReportFile.objects.filter(report=v1, format="html").count() == 1
    assert (v2.status, v2.version_number, v2.previous, v2.created_by) == (
        ReportStatus.DRAFT, 2, v1, world["cast"]["admin"])
    assert (v2.snapshot_hash, v2.main_messages, v2.approved_by) == (v1.snapshot_hash, "Backlog falling.", None)
    assert [v.version_number for v in services.versions(v1)] == [1, 2]
    assert [v.pk for v in services.versions(v2)] == [v1.pk, v2.pk]
    # the list shows the current version only; version 1 is read from the version history
    assert list(selectors.reports(world["org"])) == [v2]
    # version 1 cannot be published now, nor reopened twice; version 2 goes through approval again
    with pytest.raises(Conflict, match="approve and publish version 2 instead"):
        services.publish_report(world["manager_access"], v1)
    with pytest.raises(Conflict, match="already reopened"):
        services.reopen_report(world["manager_access"], v1, reason="Again")
    v2 = services.approve_report(world["manager_access"], v2)
    v3 = services.reopen_report(world["manager_access"], v2, reason="A second correction.")
    assert v3.version_number == 3 and [v.version_number for v in services.versions(v1)] == [1, 2, 3]


def test_reopening_is_audited_with_the_reason_in_words(world):
    v1 = services.approve_report(world["manager_access"], _draft(world))
    v2 = services.reopen_report(world["manager_access"], v1, reason=REASON)
    entry = AuditEntry.objects.get(action="reports.report.reopened")
    assert entry.record_id == str(v1.pk) and entry.after["reason"] == REASON and entry.after["new_version"] == 2
    assert entry.message.startswith("Priya Shah reopened the approved report ‘Adult social care improvement: "
                                    "performance report, 2026-27 Q2 (July 2026 to September 2026)’ (version 1, "
                                    "approved by Priya Shah on ")
    assert entry.message.endswith(f"because: {REASON} Version 2 is a draft continuing from it and must be "
                                  "approved again.")
    drafted = AuditEntry.objects.get(action="reports.report.version_drafted")
    assert drafted.record_id == str(v2.pk)
    told = Notification.objects.get(recipient=world["cast"]["admin"], title__startswith="Report to approve again")
    assert told.url == f"/o/demoshire/reports/{v2.pk}/" and REASON in told.body


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_without_a_reason_is_refused_and_changes_nothing(world, reason):
    v1 = services.approve_report(world["manager_access"], _draft(world))
    with pytest.raises(InvalidInput, match="Say why the report is being reopened"):
        services.reopen_report(world["manager_access"], v1, reason=reason)
    v1.refresh_from_db()
    assert not v1.is_reopened and Report.objects.count() == 1


def test_only_managers_and_admins_reopen_and_only_approved_or_published_reports(world):
    report = _draft(world)
    with pytest.raises(Conflict, match="is a draft"):
        services.reopen_report(world["manager_access"], report, reason=REASON)
    v1 = services.approve_report(world["manager_access"], report)
    for role in ("contributor", "viewer", "auditor"):
        with pytest.raises(NotAllowed):
            services.reopen_report(access_for(world["cast"][role], world["org"]), v1, reason=REASON)


def test_with_the_rule_on_the_person_who_reopened_a_report_cannot_approve_its_new_version(world):
    _drafter_cannot_approve(world)
    v1 = services.approve_report(world["admin_access"], _draft(world))
    v2 = services.reopen_report(world["manager_access"], v1, reason=REASON)
    assert services.approval_refusal(world["manager_access"], v2).startswith(
        "You reopened the report as this version")
    with pytest.raises(NotAllowed):
        services.approve_report(world["manager_access"], v2)
    assert services.approve_report(world["admin_access"], v2).version_number == 2


# Correcting a published report ---------------------------------------------------------------

def test_a_published_report_stays_published_until_its_correction_is_published(world):
    v1 = services.approve_report(world["manager_access"], _draft(world))
    v1 = services.publish_report(world["manager_access"], v1)
    v2 = services.reopen_report(world["manager_access"], v1, reason=REASON)
    v1.refresh_from_db()
    assert v1.status == ReportStatus.PUBLISHED and v1.is_reopened and not v1.is_superseded
    assert {r.pk for r in selectors.reports(world["org"])} == {v1.pk, v2.pk}
    assert selectors.latest_published(world["org"], world["q2"], scope="plan", plan=world["plan"]) == v1
    v2 = services.approve_report(world["manager_access"], v2)
    Notification.objects.all().delete()
    v2 = services.publish_report(world["manager_access"], v2)
    v1.refresh_from_db()
    assert v1.is_superseded and v1.status == ReportStatus.PUBLISHED
    assert list(selectors.reports(world["org"])) == [v2]
    assert selectors.latest_published(world["org"], world["q2"], scope="plan", plan=world["plan"]) == v2
    # every file kept for version 1 stays as it was made
    assert ReportFile.objects.filter(report=v1, status=ReportStatus.PUBLISHED).count() == 10
    told = Notification.objects.get(recipient=world["cast"]["viewer"])
    assert told.title == ("Corrected report published: Adult social care improvement: performance report, 2026-27 Q2 "
                          "(July 2026 to September 2026)")
    assert f"reopened because: {REASON}" in told.body and "(version 2)" in told.body
    entry = AuditEntry.objects.filter(action="reports.report.published").latest("at")
    assert entry.after == {"status": "Published", "version": 2, "corrects_version": 1}


def test_a_correction_compares_with_what_the_version_it_corrects_compared_with(world):
    v1 = services.publish_report(world["manager_access"],
                                 services.approve_report(world["manager_access"], _draft(world)))
    v2 = services.reopen_report(world["manager_access"], v1, reason=REASON)
    assert services.previous_published(v2) is None
    assert services.previous_published(_draft(world)) == v1


# Who reads drafts ------------------------------------------------------------------------------

def test_drafts_are_hidden_from_viewers_and_contributors_unless_the_organisation_allows_it(world):
    draft = _draft(world)
    approved = services.approve_report(world["manager_access"], _draft(world))
    org = world["org"]
    seen = {role: can_see_drafts(access_for(world["cast"][role], org))
            for role in ("admin", "manager", "contributor", "viewer", "auditor")}
    assert seen == {"admin": True, "manager": True, "contributor": False, "viewer": False, "auditor": True}
    viewer = access_for(world["cast"]["viewer"], org)
    assert list(selectors.visible_reports(viewer)) == [approved]
    from django.http import Http404

    with pytest.raises(Http404):
        get_report_for_user(viewer, draft.pk)
    services.set_report_rules(world["admin_access"], viewers_see_drafts=True)
    assert {r.pk for r in selectors.visible_reports(viewer)} == {draft.pk, approved.pk}
    assert get_report_for_user(viewer, draft.pk) == draft
