"""Report lifecycle: create a draft, refresh it, edit its main messages, approve (freezes the
snapshot), publish; record each download, keeping an approved or published report's files once
rendered; and boards' remits. Views, the API and the command call these.

Building a snapshot reads a lot and takes seconds for a large scope, so it runs outside any
transaction (reporting ``progress`` that another connection can see) and only the save is
transactional."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carestat.core.access import Access
from carestat.core.archiving import set_archived
from carestat.core.audit import describe_changes, log_action
from carestat.core.changes import acting_user, name_of, require_reason, stamp
from carestat.core.errors import Conflict, InvalidInput, NotAllowed, RateLimited, StoredFileDamaged
from carestat.core.models import AuditEntry, NotificationEvent, ReportingPeriod, Role
from carestat.core.notifications import members_with_roles, notify
from carestat.core.permissions import Perm
from carestat.reports import snapshot as snap
from carestat.reports.models import (
    Remit,
    Report,
    ReportFile,
    ReportFormat,
    ReportRules,
    ReportStatus,
    ScopeKind,
    WordTemplate,
    report_rules,
)
from carestat.reports.snapshot import Progress, no_progress

FORMATS = tuple(ReportFormat.values)


def previous_published(report: Report) -> Report | None:
    """The latest published report for the same scope before (or in) this report's period, not
    counting the report's own earlier versions: a correction compares with what the version it
    corrects compared with."""
    from carestat.reports.selectors import latest_published

    return latest_published(report.organisation, report.period, scope=report.scope, plan=report.plan,
                            unit=report.unit, remit=report.remit, earlier_too=True, excluding=report,
                            excluding_ids=[v.pk for v in earlier_versions(report)])


def earlier_versions(report: Report) -> list[Report]:
    """The versions ``report`` continues from, latest first."""
    found, seen = [], {report.pk}
    current = report.previous
    while current is not None and current.pk not in seen:  # never loops, even on a bad row
        found.append(current)
        seen.add(current.pk)
        current = current.previous
    return found


def versions(report: Report) -> list[Report]:
    """Every version of the report, first to last (one, for a report never reopened)."""
    first = ([report, *earlier_versions(report)])[-1]
    chain, seen = [first], {first.pk}
    while True:
        nxt = (Report.objects.filter(previous=chain[-1]).select_related(
            "period", "approved_by", "published_by", "reopened_by", "created_by", "built_by").order_by("pk").first())
        if nxt is None or nxt.pk in seen:
            return chain
        chain.append(nxt)
        seen.add(nxt.pk)


def _previous_meta(prev: Report | None) -> dict | None:
    if prev is None:
        return None
    return {"id": prev.pk, "title": prev.title, "period": prev.period.identifier,
            "published_at": prev.published_at.isoformat() if prev.published_at else "",
            "built_at": prev.snapshot.get("built_at", "")}


def build_snapshot(report: Report, today: dt.date | None = None, *, progress: Progress | None = None) -> dict:
    """A fresh snapshot for the report's scope and period, compared with the last published one.
    ``progress(done, total, message)`` hears each priority read and each measure judged."""
    prev = previous_published(report)
    return snap.build(report.organisation, report.period, scope=report.scope, title=report.title,
                      plan=report.plan, unit=report.unit, remit=report.remit, main_messages=report.main_messages,
                      previous=prev.snapshot if prev else None, previous_meta=_previous_meta(prev), today=today,
                      progress=progress)


def default_title(org, scope: str, period: ReportingPeriod, *, plan=None, unit=None, remit=None) -> str:
    label = snap.scope_label(scope, org=org, plan=plan, unit=unit, remit=remit)
    return f"{label}: performance report, {period.title}"


def _check_scope(access: Access, scope: str, plan, unit, remit) -> None:
    org = access.organisation
    if scope not in ScopeKind.values:
        raise InvalidInput(f"Choose what the report covers: one of {', '.join(ScopeKind.values)}", field="scope")
    needed = {"plan": plan, "unit": unit, "remit": remit}.get(scope, True)
    if needed is None:
        raise InvalidInput(f"Choose the {scope} the report covers", field=scope)
    for obj in (plan, unit, remit):
        if obj is not None and obj.organisation_id != org.pk:
            raise InvalidInput("That is not one of this organisation's records", field="scope")
    if scope == ScopeKind.REMIT and remit.is_archived:
        raise Conflict(f"The remit ‘{remit.name}’ is archived, so new reports cannot cover it", field="scope")


# Django is untyped here, so mypy reads a TextChoices member as its (value, label) tuple; it is a str.
def check_new_report(access: Access, *, period: ReportingPeriod, scope: str = ScopeKind.PLAN, plan=None,  # type: ignore[assignment]
                     unit=None, remit: Remit | None = None) -> None:
    """Refuse a report that cannot be drafted, before any work is started on it."""
    access.require(Perm.MANAGE)
    _check_scope(access, scope, plan, unit, remit)
    if period.organisation_id != access.organisation.pk:
        raise InvalidInput("That reporting period is not this organisation's", field="period")


# Django is untyped here, so mypy reads a TextChoices member as its (value, label) tuple; it is a str.
def create_report(access: Access, *, period: ReportingPeriod, scope: str = ScopeKind.PLAN, plan=None, unit=None,  # type: ignore[assignment]
                  remit: Remit | None = None, title: str = "", main_messages: str = "",
                  progress: Progress | None = None) -> Report:
    """Create a draft report and build its snapshot, telling ``progress`` how far it has got."""
    check_new_report(access, period=period, scope=scope, plan=plan, unit=unit, remit=remit)
    org = access.organisation
    report = Report(organisation=org, scope=scope, plan=plan if scope == "plan" else None,
                    unit=unit if scope == "unit" else None, remit=remit if scope == "remit" else None,
                    period=period, main_messages=main_messages.strip(),
                    title=(title.strip() or default_title(org, scope, period, plan=plan, unit=unit, remit=remit))[:300],
                    created_by=acting_user(access.user), built_by=acting_user(access.user),
                    changed_by=acting_user(access.user))
    report.snapshot = build_snapshot(report, progress=progress)
    report.built_at = timezone.now()
    report.snapshot_hash = snap.content_hash(report.snapshot)
    with transaction.atomic():
        report.save()
        log_action("reports.report.created", actor=access.user, organisation=org, record=report,
                   after={"title": report.title, "period": period.identifier, "scope": report.scope_key},
                   message=f"{access.user.display_name} drafted the report ‘{report.title}’")
        notify(org, members_with_roles(org, str(Role.MANAGER), str(Role.ADMIN)), str(NotificationEvent.REPORT_AWAITING),
               exclude=access.user, title=f"Report to approve: {report.title}"[:300],
               body=f"{access.user.display_name} drafted the report ‘{report.title}’ for {period.title}; "
                    "it awaits a manager's approval.",
               url=f"/o/{org.slug}/reports/{report.pk}/")
    return report


def board_readers(report: Report):
    """Who is told that ``report`` is published: the signed-in members of the boards whose
    remit it covers (its remit, or a remit holding its plan), else the organisation's viewers."""
    org = report.organisation
    people = []
    if apps.is_installed("carestat.governance"):
        from carestat.governance.models import BoardMember

        remits = ([report.remit_id] if report.remit_id else
                  list(Remit.objects.filter(organisation=org, plans=report.plan_id).values_list("pk", flat=True))
                  if report.plan_id else [])
        people = [bm.user for bm in BoardMember.objects.filter(
            organisation=org, board__remit_id__in=remits, board__is_archived=False, is_archived=False,
            user__isnull=False).select_related("user")]
    return people or members_with_roles(org, str(Role.VIEWER))


def _require_draft(report: Report, doing: str) -> None:
    if report.status != ReportStatus.DRAFT:
        raise Conflict(f"The report is {report.get_status_display().lower()}, so its content is frozen: "
                       f"you cannot {doing}. Draft a new report instead.")


def check_refresh(access: Access, report: Report) -> None:
    """Refuse to refresh a report that is not a draft, before any work is started on it."""
    access.require(Perm.MANAGE)
    _require_draft(report, "refresh it")


def refresh_report(access: Access, report: Report, *, progress: Progress | None = None) -> Report:
    """Rebuild a draft's snapshot from the plans and measures as they are now."""
    check_refresh(access, report)
    fresh = build_snapshot(report, progress=progress)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        # Approved, or its main messages changed, while the snapshot was being built.
        _require_draft(report, "refresh it")
        before = report.snapshot_hash
        # what the manager wrote and chose for the report stays with the fresh figures
        report.snapshot = {**fresh, "main_messages": report.main_messages,
                           "authoring": report.snapshot.get("authoring") or {}}
        report.snapshot_hash = snap.content_hash(report.snapshot)
        report.built_at = report.changed_at = timezone.now()
        report.changed_by = report.built_by = acting_user(access.user)
        report.save(update_fields=["snapshot", "snapshot_hash", "built_at", "built_by", "changed_at", "changed_by"])
        log_action("reports.report.refreshed", actor=access.user, organisation=report.organisation, record=report,
                   before={"hash": before}, after={"hash": report.snapshot_hash},
                   message=f"{access.user.display_name} refreshed the draft report ‘{report.title}’")
    return report


@transaction.atomic
def set_main_messages(access: Access, report: Report, text: str) -> Report:
    """The officer's main messages for the summary; only while the report is a draft."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_draft(report, "change its main messages")
    if len(text) > 20000:
        raise InvalidInput("Main messages must be 20,000 characters or fewer", field="main_messages")
    before = report.main_messages
    report.main_messages = text.strip()
    report.snapshot = {**report.snapshot, "main_messages": report.main_messages}
    report.snapshot_hash = snap.content_hash(report.snapshot)
    stamp(report, access.user)
    report.save()
    log_action("reports.report.messages_changed", actor=access.user, organisation=report.organisation,
               record=report, before={"main_messages": before}, after={"main_messages": report.main_messages},
               message=f"{access.user.display_name} changed the main messages of ‘{report.title}’")
    return report


def approval_refusal(access: Access, report: Report) -> str:
    """Why this person may not approve this draft, in words for them; "" when they may.

    With the organisation's "drafter cannot approve" rule on, whoever drafted the report (created
    it or its new version, or last refreshed its figures) cannot approve it: a second person
    checks what the first built (docs/decisions/0027-report-versions-and-who-approves.md)."""
    if not access.can(Perm.MANAGE) or report.status != ReportStatus.DRAFT:
        return ""
    if not report_rules(access.organisation).drafter_cannot_approve:
        return ""
    me = access.user.pk
    if me not in (report.created_by_id, report.built_by_id):
        return ""
    if me == report.created_by_id:
        did = "reopened the report as this version" if report.previous_id else "drafted it"
    else:
        did = "refreshed its figures last"
    return (f"You {did}, and {access.organisation.name} requires a report to be approved by someone who did not "
            "draft it. Ask another manager or an admin to approve it.")


@transaction.atomic
def approve_report(access: Access, report: Report) -> Report:
    """A manager approves the draft as last built: its snapshot is frozen from now on. Refused
    to its drafter where the organisation's rules say so (``approval_refusal``)."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_draft(report, "approve it again")
    refusal = approval_refusal(access, report)
    if refusal:
        raise NotAllowed(refusal)
    report.snapshot_hash = snap.content_hash(report.snapshot)
    report.status = ReportStatus.APPROVED
    report.approved_by, report.approved_at = acting_user(access.user), timezone.now()
    report.changed_at, report.changed_by = report.approved_at, report.approved_by
    report.save(update_fields=["snapshot_hash", "status", "approved_by", "approved_at", "changed_at", "changed_by"])
    version = f"version {report.version_number} of " if report.version_number > 1 else ""
    log_action("reports.report.approved", actor=access.user, organisation=report.organisation, record=report,
               before={"status": "Draft"}, after={"status": "Approved", "hash": report.snapshot_hash,
                                                  "version": report.version_number},
               message=f"{access.user.display_name} approved {version}the report ‘{report.title}’ (content frozen, "
                       f"fingerprint {report.snapshot_hash[:12]})")
    return report


# Versions: reopening an approved report, or correcting a published one ------------------------

REASON_MAX = 2000


def reopen_refusal(report: Report) -> str:
    """Why ``report`` cannot be reopened now, in words; "" when it can."""
    if report.status == ReportStatus.DRAFT:
        return "The report is a draft: change it as it is, there is nothing to reopen."
    if report.is_reopened:
        return (f"Version {report.version_number} was already reopened by {name_of(report.reopened_by)} on "
                f"{report.reopened_at:%-d %B %Y}: change version {report.version_number + 1} instead.")
    return ""


def _sentence(text: str) -> str:
    """``text`` ending as a sentence does, so a reason can be followed by another sentence."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def reopen_report(access: Access, report: Report, *, reason: str) -> Report:
    """Reopen an approved report, or start the correction of a published one, with a reason
    (managers). Returns the new draft.

    Nothing of the version reopened changes but the record that it was reopened, by whom and
    why: its frozen snapshot and kept files stay readable and downloadable as they were. The
    new draft continues from it (the same snapshot, main messages and authoring), has the next
    version number, and must be approved again (and published, to replace a published version).
    An approved version reopened is replaced in lists at once; a published one stays the
    published report until its correction is published, because it is what the board read."""
    access.require(Perm.MANAGE)
    reason = require_reason(reason, "Say why the report is being reopened", min_length=1, max_length=REASON_MAX)
    with transaction.atomic():
        old = Report.objects.select_for_update(of=("self",)).select_related("approved_by", "period").get(
            pk=report.pk, organisation=access.organisation)
        refusal = reopen_refusal(old)
        if refusal:
            raise Conflict(refusal)
        now, who = timezone.now(), acting_user(access.user)
        was_published = old.status == ReportStatus.PUBLISHED
        old.reopened_by, old.reopened_at, old.reopen_reason = who, now, reason
        fields = ["reopened_by", "reopened_at", "reopen_reason"]
        if not was_published:
            old.superseded_at = now
            fields.append("superseded_at")
        old.save(update_fields=fields)
        new = Report.objects.create(
            organisation=old.organisation, scope=old.scope, plan=old.plan, unit=old.unit, remit=old.remit,
            period=old.period, title=old.title, main_messages=old.main_messages, snapshot=old.snapshot,
            snapshot_hash=old.snapshot_hash, built_at=old.built_at, status=ReportStatus.DRAFT,
            version_number=old.version_number + 1, previous=old,
            created_by=who, changed_by=who, built_by=who)
        approved = (f"approved by {name_of(old.approved_by)} on {old.approved_at:%-d %B %Y}"
                    if old.approved_at else "approved")
        doing = "started a correction of the published" if was_published else "reopened the approved"
        log_action("reports.report.reopened", actor=access.user, organisation=old.organisation, record=old,
                   before={"status": old.get_status_display(), "version": old.version_number},
                   after={"reopened": True, "reason": reason, "new_version": new.version_number,
                          "new_report": new.pk},
                   message=f"{access.user.display_name} {doing} report ‘{old.title}’ (version {old.version_number}, "
                           f"{approved}) because: {_sentence(reason)} Version {new.version_number} is a draft "
                           "continuing from it and must be approved again.")
        log_action("reports.report.version_drafted", actor=access.user, organisation=old.organisation, record=new,
                   after={"version": new.version_number, "continues_from": old.pk, "reason": reason},
                   message=f"{access.user.display_name} drafted version {new.version_number} of ‘{new.title}’ from "
                           f"version {old.version_number}, because: {reason}")
        org = old.organisation
        notify(org, members_with_roles(org, str(Role.MANAGER), str(Role.ADMIN)), str(NotificationEvent.REPORT_AWAITING),
               exclude=access.user, title=f"Report to approve again: {new.title}"[:300],
               body=f"{access.user.display_name} reopened ‘{old.title}’ because: {_sentence(reason)} Version "
                    f"{new.version_number} awaits a manager's approval.",
               url=f"/o/{org.slug}/reports/{new.pk}/")
    return new


# Authoring: what each section shows and says, and the exceptions' commentary ----------------

NARRATIVE_MAX = 10000


def _authoring(report: Report) -> dict:
    found = report.snapshot.get("authoring") or {}
    return {"sections": dict(found.get("sections", {})), "exceptions": dict(found.get("exceptions", {}))}


def _save_authoring(access: Access, report: Report, authoring: dict) -> None:
    report.snapshot = {**report.snapshot, "authoring": authoring}
    report.snapshot_hash = snap.content_hash(report.snapshot)
    fields = stamp(report, access.user)
    report.save(update_fields=["snapshot", "snapshot_hash", *fields])


def authoring_choices(report: Report) -> dict:
    """The sections a manager can write for (key, title, the measures they may show with
    whether each has a chart, and what is chosen now) and the exceptions whose commentary they
    may edit (key, title, the commentary from the update and what was written instead)."""
    from carestat.reports.render import exception_key, view

    authoring = _authoring(report)
    shown = view(report.snapshot)
    sections = []
    for sec in shown["sections"]:
        chosen = authoring["sections"].get(sec["key"], {})
        sections.append({"key": sec["key"], "title": sec["title"], "measures": sec["all_measures"],
                         "shown": chosen.get("measures"), "charts": chosen.get("charts"),
                         "narrative": chosen.get("narrative", "")})
    raw = {exception_key(e): e for e in report.snapshot.get("exceptions", [])}
    exceptions = [{"key": k, "title": e["title"], "rag": e["rag"], "from_update": e["commentary"],
                   "written": authoring["exceptions"].get(k, "")} for k, e in raw.items()]
    return {"sections": sections, "exceptions": exceptions}


@transaction.atomic
def write_section(access: Access, report: Report, key: str, *, narrative: str = "",
                  measures: list[int] | None = None, charts: list[int] | None = None) -> Report:
    """Before approval, a manager chooses which of a section's measures it shows and which of
    those show their chart, and writes its narrative. Approval freezes it with the rest."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk, organisation=access.organisation)
    _require_draft(report, "change what its sections show")
    section = next((s for s in authoring_choices(report)["sections"] if s["key"] == key), None)
    if section is None:
        raise InvalidInput("The report has no such section; refresh the page", field="section")
    narrative = (narrative or "").strip()
    if len(narrative) > NARRATIVE_MAX:
        raise InvalidInput(f"The narrative must be {NARRATIVE_MAX:,} characters or fewer", field="narrative")
    known = {mid for mid, _, _ in section["measures"]}
    with_charts = {mid for mid, _, has_chart in section["measures"] if has_chart}
    shown = sorted(set(measures if measures is not None else known))
    chosen_charts = sorted(set(charts if charts is not None else with_charts))
    if not set(shown) <= known:
        raise InvalidInput("Choose measures from this section only", field="measures")
    if not set(chosen_charts) <= with_charts:
        raise InvalidInput("Choose charts of this section's measures only", field="charts")
    authoring = _authoring(report)
    before = authoring["sections"].get(key, {})
    after = {"narrative": narrative, "measures": shown, "charts": [c for c in chosen_charts if c in shown]}
    if before == after:
        return report
    authoring["sections"][key] = after
    _save_authoring(access, report, authoring)
    hidden = len(known) - len(shown)
    log_action("reports.report.section_written", actor=access.user, organisation=report.organisation,
               record=report, before=before, after={"section": key, **after},
               message=f"{access.user.display_name} wrote the section ‘{section['title']}’ of ‘{report.title}’ "
                       f"({len(shown)} measures shown" + (f", {hidden} left out" if hidden else "")
                       + f", {len(after['charts'])} charts" + (", with a narrative" if narrative else "") + ")")
    return report


@transaction.atomic
def write_exception_commentary(access: Access, report: Report, key: str, commentary: str) -> Report:
    """Before approval, a manager edits an exception's commentary (blank: the commentary from
    the latest approved update again). Approval freezes it with the rest."""
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk, organisation=access.organisation)
    _require_draft(report, "edit its exceptions' commentary")
    found = next((e for e in authoring_choices(report)["exceptions"] if e["key"] == key), None)
    if found is None:
        raise InvalidInput("The report has no such exception; refresh the page", field="exception")
    commentary = (commentary or "").strip()
    if len(commentary) > NARRATIVE_MAX:
        raise InvalidInput(f"The commentary must be {NARRATIVE_MAX:,} characters or fewer", field="commentary")
    authoring = _authoring(report)
    before = authoring["exceptions"].get(key, "")
    if before == commentary:
        return report
    if commentary:
        authoring["exceptions"][key] = commentary
    else:
        authoring["exceptions"].pop(key, None)
    _save_authoring(access, report, authoring)
    log_action("reports.report.exception_written", actor=access.user, organisation=report.organisation,
               record=report, before={"commentary": before}, after={"exception": key, "commentary": commentary},
               message=f"{access.user.display_name} " + ("edited" if commentary else "restored")
                       + f" the commentary on the exception ‘{found['title']}’ in ‘{report.title}’")
    return report


# The organisation's Word template ---------------------------------------------------------

def word_template(org) -> WordTemplate | None:
    return WordTemplate.objects.filter(organisation=org).defer("content").first()


def word_template_bytes(org) -> bytes | None:
    found = WordTemplate.objects.filter(organisation=org).first()
    return bytes(found.content) if found else None


@transaction.atomic
def set_word_template(access: Access, *, name: str, data: bytes) -> WordTemplate:
    """The council's own Word template: reports' Word files are written on it from now on
    (files already kept for approved or published reports stay as they were)."""
    from carestat.reports.render.docx import template_problem

    access.require(Perm.MANAGE)
    name = (name or "template.docx").strip()[:200]
    problem = template_problem(data)
    if problem:
        raise InvalidInput(f"{name}: {problem}", field="template")
    digest = hashlib.sha256(data).hexdigest()
    current = WordTemplate.objects.select_for_update().filter(organisation=access.organisation).first()
    before = {"name": current.name, "sha256": current.sha256} if current else {}
    if current is None:
        current = WordTemplate(organisation=access.organisation)
    current.name, current.content, current.size, current.sha256 = name, data, len(data), digest
    current.uploaded_at, current.uploaded_by = timezone.now(), acting_user(access.user)
    current.save()
    log_action("reports.word_template.uploaded", actor=access.user, organisation=access.organisation,
               record=current, before=before, after={"name": name, "sha256": digest, "size": len(data)},
               message=f"{access.user.display_name} uploaded ‘{name}’ as the Word template for reports")
    return current


@transaction.atomic
def remove_word_template(access: Access) -> None:
    access.require(Perm.MANAGE)
    current = WordTemplate.objects.select_for_update().filter(organisation=access.organisation).first()
    if current is None:
        raise Conflict("There is no Word template to remove")
    log_action("reports.word_template.removed", actor=access.user, organisation=access.organisation,
               record=current, before={"name": current.name, "sha256": current.sha256},
               message=f"{access.user.display_name} removed the Word template ‘{current.name}’: reports' Word "
                       "files use CareStat's own styles again")
    current.delete()


def check_publishable(report: Report) -> None:
    if report.status == ReportStatus.DRAFT:
        raise Conflict("A manager must approve the report before it can be published")
    if report.status == ReportStatus.PUBLISHED:
        raise Conflict("The report is already published")
    if report.is_reopened:
        raise Conflict(f"Version {report.version_number} was reopened by {name_of(report.reopened_by)}, so it will "
                       f"not be published: approve and publish version {report.version_number + 1} instead")


def publish_report(access: Access, report: Report) -> Report:
    """Publish an approved report (its snapshot stays frozen) and queue the job that makes and
    keeps every one of its files, full and public, so no member waits for a download and all
    of them get the same file. Every interface publishes through here, so a report published
    from the page, the API or a command has its files made alike.

    The returned report carries that job as ``files_job``, for a page to follow."""
    from carestat.core.jobs import enqueue_job

    report = _publish(access, report)
    report.files_job = enqueue_job(
        report.organisation, access.user, "reports.files", f"Making the files of ‘{report.title}’"[:200],
        params={"user_id": access.user.pk, "org_slug": report.organisation.slug, "report_id": report.pk})
    return report


@transaction.atomic
def _publish(access: Access, report: Report) -> Report:
    access.require(Perm.MANAGE)
    report = Report.objects.select_for_update().get(pk=report.pk)
    check_publishable(report)
    report.status = ReportStatus.PUBLISHED
    report.published_by, report.published_at = acting_user(access.user), timezone.now()
    report.changed_at, report.changed_by = report.published_at, report.published_by
    report.save(update_fields=["status", "published_by", "published_at", "changed_at", "changed_by"])
    corrected = _published_version_corrected(report)
    if corrected is not None:
        corrected.superseded_at = report.published_at
        corrected.save(update_fields=["superseded_at"])
    log_action("reports.report.published", actor=access.user, organisation=report.organisation, record=report,
               before={"status": "Approved"},
               after={"status": "Published", "version": report.version_number,
                      **({"corrects_version": corrected.version_number} if corrected else {})},
               message=f"{access.user.display_name} published the report ‘{report.title}’"
                       + (f" (version {report.version_number}, correcting version {corrected.version_number} "
                          f"published on {corrected.published_at:%-d %B %Y})" if corrected else ""))
    if corrected is None:
        title = f"Report published: {report.title}"
        body = f"{access.user.display_name} published the report ‘{report.title}’."
    else:
        title = f"Corrected report published: {report.title}"
        body = (f"{access.user.display_name} published a corrected version of ‘{report.title}’ (version "
                f"{report.version_number}). It replaces the version published on "
                f"{corrected.published_at:%-d %B %Y}, reopened because: {corrected.reopen_reason}")
    notify(report.organisation, board_readers(report), str(NotificationEvent.REPORT_PUBLISHED), exclude=access.user,
           title=title[:300], body=body, url=f"/o/{report.organisation.slug}/reports/{report.pk}/")
    return report


def _published_version_corrected(report: Report) -> Report | None:
    """The latest published earlier version that ``report`` corrects, if any (locked)."""
    for earlier in earlier_versions(report):
        if earlier.status == ReportStatus.PUBLISHED:
            return Report.objects.select_for_update().get(pk=earlier.pk)
    return None


# The organisation's report rules ------------------------------------------------------------

RULE_NAMES = ("drafter_cannot_approve", "viewers_see_drafts")


@transaction.atomic
def set_report_rules(access: Access, **values: bool) -> ReportRules:
    """Change who may approve reports and who may read drafts (admins)."""
    access.require(Perm.ADMINISTER)
    for name, value in values.items():
        if name not in RULE_NAMES:
            raise InvalidInput(f"‘{name}’ is not a report rule", field=name)
        if not isinstance(value, bool):
            raise InvalidInput(f"{ReportRules._meta.get_field(name).verbose_name.capitalize()}: choose yes or no",
                               field=name)
    ReportRules.objects.get_or_create(organisation=access.organisation,
                                      defaults={"created_by": acting_user(access.user)})
    row = ReportRules.objects.select_for_update().get(organisation=access.organisation)
    before = {n: getattr(row, n) for n in RULE_NAMES}
    for name, value in values.items():
        setattr(row, name, value)
    after = {n: getattr(row, n) for n in RULE_NAMES}
    if before == after:
        return row
    row.save(update_fields=[*RULE_NAMES, *stamp(row, access.user)])
    log_action("reports.rules.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{access.user.display_name} changed the report rules: "
                       + "; ".join(describe_changes(ReportRules, before, after)))
    return row


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"Choose a format: {', '.join(FORMATS)}", field="format")
    return fmt


def render(report_or_snapshot, fmt: str, *, public: bool = False, sign_off: dict | None = None) -> bytes:
    from carestat.reports.render import render as render_any

    if isinstance(report_or_snapshot, Report):
        template = word_template_bytes(report_or_snapshot.organisation) if fmt == "docx" else None
        return render_any(report_or_snapshot.snapshot, check_format(fmt), public=public,
                          sign_off=report_or_snapshot.sign_off(), docx_template=template)
    return render_any(report_or_snapshot, check_format(fmt), public=public, sign_off=sign_off or {})


def _version(public: bool) -> str:
    return "public version" if public else "full version"


def _require_frozen(report: Report) -> None:
    if not report.is_frozen:
        raise Conflict("A draft changes, so its files are made when they are asked for, not kept")


def _keep(report: Report, fmt: str, public: bool, data: bytes, user) -> ReportFile:
    # Rendered outside a transaction; if two people asked at once, the first one kept wins.
    kept, _ = ReportFile.objects.get_or_create(
        report=report, format=fmt, public=public, status=report.status,
        defaults={"content": data, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                  "rendered_by": user if user is not None and user.pk else None})
    return kept


def kept_file(report: Report, fmt: str, *, public: bool = False, user=None) -> ReportFile:
    """An approved or published report's file, rendered the first time it is asked for and kept.

    Its content and sign-off cannot change, so rendering it again could only cost time (a large
    PDF takes seconds) and, after a renderer upgrade, hand a committee different bytes."""
    _require_frozen(report)
    check_format(fmt)
    found = ReportFile.objects.filter(report=report, format=fmt, public=public, status=report.status).first()
    if found is not None:
        _check_intact(report, found, user)
        return found
    return _keep(report, fmt, public, render(report, fmt, public=public), user)


def _check_intact(report: Report, kept: ReportFile, user) -> None:
    """Refuse to hand out a kept file whose bytes no longer match the fingerprint recorded
    when it was made: a committee must get the approved report or nothing."""
    actual = hashlib.sha256(bytes(kept.content)).hexdigest()
    if actual == kept.sha256:
        return
    log_action("reports.report.file_damaged", actor=user, organisation=report.organisation, record=report,
               after={"format": kept.format, "public": kept.public, "recorded_sha256": kept.sha256,
                      "actual_sha256": actual},
               message=f"CareStat refused to serve the kept {kept.get_format_display()} of ‘{report.title}’ "
                       f"({_version(kept.public)}): its bytes no longer match the fingerprint recorded when it "
                       "was made")
    raise StoredFileDamaged(
        f"The kept {kept.get_format_display()} of ‘{report.title}’ ({_version(kept.public)}) has been changed "
        f"since it was made (fingerprint recorded {kept.sha256[:12]}, now {actual[:12]}), so CareStat will not "
        "serve it. Ask your CareStat server operator to restore it from a backup.")


def prepare_files(access: Access, report: Report, *, progress: Progress | None = None) -> list[ReportFile]:
    """Render every format of an approved or published report, full and public versions, and
    keep them, so the first person to download one does not wait. Files already kept stay.
    All are kept together or, if one cannot be made, none."""
    access.require(Perm.MANAGE)
    _require_frozen(report)
    progress = progress or no_progress
    wanted = [(fmt, public) for public in (False, True) for fmt in FORMATS]
    already = set(ReportFile.objects.filter(report=report, status=report.status).values_list("format", "public"))
    made = {}
    for i, (fmt, public) in enumerate(wanted):
        progress(i, len(wanted), f"Making the {ReportFormat(fmt).label} ({_version(public)})")
        if (fmt, public) not in already:
            made[fmt, public] = render(report, fmt, public=public)
    with transaction.atomic():
        for (fmt, public), data in made.items():
            _keep(report, fmt, public, data, access.user)
        files = list(ReportFile.objects.filter(report=report, status=report.status).defer("content")
                     .order_by("public", "format"))
        log_action("reports.report.files_prepared", actor=access.user, organisation=report.organisation,
                   record=report, after={"status": report.status,
                                         "files": {f"{f.format}{'-public' if f.public else ''}": f.sha256
                                                   for f in files}},
                   message=f"{access.user.display_name} made and kept the {report.get_status_display().lower()} "
                           f"files of ‘{report.title}’ ({len(made)} made now, {len(files) - len(made)} kept "
                           "before)")
    progress(len(wanted), len(wanted), f"Made and kept {len(files)} files")
    return files


# A draft's PDF or Word file is made afresh on every download, and an organisation-wide one
# takes seconds of a core; a published report's files are made once and kept, so cost nothing.
COSTLY_DRAFT_FORMATS = ("pdf", "docx", "pptx")


def _refuse_if_drafts_rendered_too_often(access: Access, fmt: str) -> None:
    """At most CARESTAT_DRAFT_RENDERS_PER_HOUR draft PDF or Word downloads per person per hour,
    counted from the audit trail, which every web process shares."""
    if fmt not in COSTLY_DRAFT_FORMATS:
        return
    limit = settings.CARESTAT_DRAFT_RENDERS_PER_HOUR
    now = timezone.now()
    recent = list(AuditEntry.objects.filter(
        action="reports.report.exported", actor=access.user, at__gte=now - dt.timedelta(hours=1),
        after__draft=True, after__format__in=COSTLY_DRAFT_FORMATS).order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return
    wait = max(1, int((recent[-1] + dt.timedelta(hours=1) - now).total_seconds()) + 1)
    minutes = max(1, round(wait / 60))
    raise RateLimited(
        f"You have downloaded {limit} draft PDF or Word files in the last hour, the most CareStat makes for one "
        f"person, because each is made afresh. Try again in about {minutes} minute{'s' if minutes != 1 else ''}, "
        "download the draft as a web page (HTML), or approve the report: its files are then made once and kept.",
        retry_after_seconds=wait)


def export_report(access: Access, report: Report, fmt: str, *, public: bool = False,
                  channel: str = "web") -> tuple[bytes, str, str]:
    """The report rendered in ``fmt``; each download is an audited export. An approved or
    published report's file is the one kept for it (see ``kept_file``); a draft's is made now."""
    access.require(Perm.VIEW)
    check_format(fmt)
    if report.is_frozen:
        data = bytes(kept_file(report, fmt, public=public, user=access.user).content)
    else:
        _refuse_if_drafts_rendered_too_often(access, fmt)
        data = render(report, fmt, public=public)
    after = {"format": fmt, "public": public, "channel": channel, "hash": report.snapshot_hash,
             "file_sha256": hashlib.sha256(data).hexdigest()}
    if not report.is_frozen:
        after["draft"] = True
    log_action("reports.report.exported", actor=access.user, organisation=report.organisation, record=report,
               after=after,
               message=f"{access.user.display_name} downloaded ‘{report.title}’ as {fmt.upper()} ({_version(public)}, "
                       f"{report.get_status_display().lower()})")
    return data, content_type(fmt), filename(report, fmt, public)


def content_type(fmt: str) -> str:
    return {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}[fmt]


def filename(report: Report, fmt: str, public: bool = False) -> str:
    scope = report.scope_key.replace(":", "-")
    suffix = "-public" if public else ""
    draft = "-draft" if report.status == ReportStatus.DRAFT else ""
    return f"{report.organisation.slug}-{report.period.identifier}-{scope}{draft}{suffix}.{fmt}"


def _remit_contents(access: Access, name: str, plans, measures, *, remit: Remit | None = None):
    org = access.organisation
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the board's or committee's name", field="name")
    same_name = Remit.objects.filter(organisation=org, name=name)
    if remit is not None:
        same_name = same_name.exclude(pk=remit.pk)
    if same_name.exists():
        raise Conflict(f"There is already a remit called ‘{name}’", field="name")
    plans, measures = list(plans), list(measures)
    if not plans and not measures:
        raise InvalidInput("Choose at least one plan or measure the board oversees", field="plans")
    for obj in plans + measures:
        if obj.organisation_id != org.pk:
            raise InvalidInput("That is not one of this organisation's plans or measures", field="plans")
    return name, plans, measures


@transaction.atomic
def create_remit(access: Access, *, name: str, plans=(), measures=()) -> Remit:
    """A board's or committee's remit: the plans and measures its reports cover."""
    access.require(Perm.MANAGE)
    org = access.organisation
    name, plans, measures = _remit_contents(access, name, plans, measures)
    user = acting_user(access.user)
    remit = Remit.objects.create(organisation=org, name=name, created_by=user, changed_by=user)
    remit.plans.set(plans)
    remit.measures.set(measures)
    log_action("reports.remit.created", actor=access.user, organisation=org, record=remit,
               after={"name": name, "plans": [str(p) for p in plans], "measures": [m.code for m in measures]},
               message=f"{access.user.display_name} set up the remit ‘{name}’ ({len(plans)} plans, "
                       f"{len(measures)} measures)")
    return remit


def _remit_state(remit: Remit) -> dict:
    """What a remit covers, in words, for the audit trail (live plans and measures only)."""
    plans = sorted(p.title for p in remit.plans.filter(is_archived=False))
    measures = sorted(m.code for m in remit.measures.filter(is_archived=False))
    return {"name": remit.name, "plans": ", ".join(plans) or "none", "measures": ", ".join(measures) or "none"}


@transaction.atomic
def update_remit(access: Access, remit: Remit, *, name: str, plans=(), measures=()) -> Remit:
    """Change a board's name and the plans and measures it oversees (managers).

    The next draft, or a draft refreshed, covers the remit as it is now; approved and published
    reports are frozen snapshots and keep what they said. Links to plans or measures archived
    since are kept as they were: they appear in no report, and they are not the choice offered."""
    access.require(Perm.MANAGE)
    remit = Remit.objects.select_for_update().get(pk=remit.pk, organisation=access.organisation)
    if remit.is_archived:
        raise Conflict(f"The remit ‘{remit.name}’ is archived, so it can no longer be changed")
    name, plans, measures = _remit_contents(access, name, plans, measures, remit=remit)
    before = _remit_state(remit)
    remit.name = name
    remit.plans.set(plans + list(remit.plans.filter(is_archived=True)))
    remit.measures.set(measures + list(remit.measures.filter(is_archived=True)))
    after = _remit_state(remit)
    if before == after:
        return remit
    stamp(remit, access.user)
    remit.save()
    log_action("reports.remit.changed", actor=access.user, organisation=access.organisation, record=remit,
               before=before, after=after,
               message=f"{access.user.display_name} changed the remit ‘{remit.name}’: "
                       + "; ".join(describe_changes(Remit, before, after)))
    return remit


@transaction.atomic
def archive_remit(access: Access, remit: Remit, *, reason: str) -> Remit:
    """A board that no longer meets, or no longer oversees this work: its remit is offered for
    no new report. Its reports, drafts included, keep it; nothing is deleted."""
    access.require(Perm.MANAGE)
    remit = Remit.objects.select_for_update().get(pk=remit.pk, organisation=access.organisation)
    reason = require_reason(reason, "Say why the remit is being archived", min_length=1, max_length=500)
    if remit.is_archived:
        raise Conflict(f"The remit ‘{remit.name}’ is already archived")
    set_archived(access, remit, archived=True, reason=reason, action="reports.remit.archived",
                 what=f"the remit ‘{remit.name}’", stamped=stamp(remit, access.user))
    return remit
