"""Governance pages: thin views over carestat.governance.services and .progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.models import AuditEntry, Membership
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files
from carestat.governance import excel, pack, services
from carestat.governance.access import (
    get_board_for_user,
    get_extension_for_user,
    get_item_for_user,
    get_meeting_for_user,
    get_recommendation_for_user,
)
from carestat.governance.forms import (
    AgendaItemForm,
    ArchiveForm,
    AttendanceForm,
    BoardChangeForm,
    BoardForm,
    DecisionForm,
    ExtensionDecisionForm,
    ExtensionForm,
    ForwardItemForm,
    ImportForm,
    LinkActionForm,
    MeetingChangeForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    NewActionForm,
    RecommendationChangeForm,
    RecommendationForm,
    StatusForm,
)
from carestat.governance.models import Board, Recommendation, RecStatus, Source
from carestat.governance.progress import FILTERS, counts, linked_actions, overall, tracker
from carestat.plans.access import get_action_for_user

SECTION = "governance"


def _crumbs(access, *items):
    slug = access.organisation.slug
    return [{"text": "Governance", "href": reverse("governance:boards", args=[slug])}, *items]


def _save(form, call):
    """Run a service call for a valid form; on a service error, show it on the form."""
    try:
        return call()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


def _form_page(request, access, form, *, title, button, back, caption="", intro="", crumbs=(), multipart=False):
    return page(request, "governance/form.html", title, section=SECTION, form=form, caption=caption, button=button,
                back=back, intro=intro, multipart=multipart, breadcrumbs=_crumbs(access, *crumbs))


def _board_crumb(board):
    return {"text": board.name, "href": reverse("governance:board", args=[board.organisation.slug, board.pk])}


def _meeting_url(meeting):
    return reverse("governance:meeting", args=[meeting.organisation.slug, meeting.pk])


def _rec_url(rec):
    return reverse("governance:recommendation", args=[rec.organisation.slug, rec.pk])


# Boards --------------------------------------------------------------------------------------

@login_required
@require_safe
def boards(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    today = timezone.localdate()
    rows = []
    for b in Board.objects.filter(organisation=access.organisation).select_related("remit"):
        nxt = b.meetings.filter(date__gte=today, status="scheduled").order_by("date").first()
        last = b.meetings.filter(date__lt=today).exclude(status="cancelled").order_by("-date").first()
        rows.append({"board": b, "next": nxt, "last": last})
    return page(request, "governance/boards.html", "Boards and committees", section=SECTION, rows=rows)


@login_required
@require_http_methods(["GET", "POST"])
def board_new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = BoardForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        board = _save(form, lambda: services.create_board(access, **form.cleaned_data))
        if board is not None:
            messages.success(request, f"Set up ‘{board.name}’. Add its members and meetings next.")
            return redirect("governance:board", slug, board.pk)
    return _form_page(request, access, form, title="Set up a board or committee", button="Set up",
                      back=reverse("governance:boards", args=[slug]))


@login_required
@require_safe
def board_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    board = get_board_for_user(access, pk)
    today = timezone.localdate()
    upcoming = board.meetings.filter(date__gte=today).order_by("date")
    past = board.meetings.filter(date__lt=today).order_by("-date")
    nxt = upcoming.filter(status="scheduled").first()
    due = list(services.boards_due(access, board, nxt.date if nxt else today)) if nxt else []
    return page(request, "governance/board.html", board.name, section=SECTION, board=board, upcoming=upcoming,
                past=past, next_meeting=nxt, due=due, forward=board.forward_plan.select_related("meeting"),
                members=board.members.filter(is_archived=False), breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "POST"])
def board_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    board = get_board_for_user(access, pk)
    initial = {"name": board.name, "kind": board.kind, "remit": str(board.remit_id or ""),
               "frequency": board.frequency, "terms_of_reference": board.terms_of_reference, "version": board.version}
    form = BoardChangeForm(posted(request), organisation=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if _save(form, lambda: services.update_board(access, board, **data, expected_version=version)):
            messages.success(request, "Saved the board.")
            return redirect("governance:board", slug, board.pk)
    return _form_page(request, access, form, title=f"Change ‘{board.name}’", button="Save",
                      back=reverse("governance:board", args=[slug, pk]), crumbs=[_board_crumb(board)])


@login_required
@require_http_methods(["GET", "POST"])
def board_archive(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    board = get_board_for_user(access, pk)
    form = ArchiveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.archive_board(access, board, **form.cleaned_data)):
            messages.success(request, f"Archived ‘{board.name}’.")
            return redirect("governance:boards", slug)
    return _form_page(request, access, form, title=f"Archive ‘{board.name}’", button="Archive",
                      intro="Its meetings and recommendations are kept; it holds no new meetings.",
                      back=reverse("governance:board", args=[slug, pk]), crumbs=[_board_crumb(board)])


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    board = get_board_for_user(access, pk)
    form = MemberForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.add_member(access, board, **form.cleaned_data)):
            messages.success(request, "Added the member.")
            return redirect("governance:board", slug, board.pk)
    return _form_page(request, access, form, title=f"Add a member to {board.name}", button="Add member",
                      back=reverse("governance:board", args=[slug, pk]), crumbs=[_board_crumb(board)])


@login_required
@require_http_methods(["GET", "POST"])
def forward_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    board = get_board_for_user(access, pk)
    form = ForwardItemForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.add_forward_item(access, board, **form.cleaned_data)):
            messages.success(request, "Added the item to the forward plan.")
            return redirect("governance:board", slug, board.pk)
    return _form_page(request, access, form, title=f"Add to {board.name}'s forward plan", button="Add item",
                      back=reverse("governance:board", args=[slug, pk]), crumbs=[_board_crumb(board)])


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    board = get_board_for_user(access, pk)
    form = MeetingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        meeting = _save(form, lambda: services.schedule_meeting(access, board, **form.cleaned_data))
        if meeting is not None:
            messages.success(request, f"Scheduled {meeting}. Add its agenda next.")
            return redirect("governance:meeting", slug, meeting.pk)
    return _form_page(request, access, form, title=f"Schedule a meeting of {board.name}", button="Schedule",
                      back=reverse("governance:board", args=[slug, pk]), crumbs=[_board_crumb(board)])


# Meetings ------------------------------------------------------------------------------------

@login_required
@require_safe
def meeting_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    meeting = get_meeting_for_user(access, pk)
    items = meeting.items.select_related("report__period", "plan", "measure").prefetch_related("decisions")
    raised = {d.pk: list(d.recommendations.all()) for d in meeting.decisions.all()}
    answered = Recommendation.objects.filter(organisation=access.organisation, answer_meeting=meeting)
    forward = meeting.board.forward_plan.filter(status__in=["planned", "deferred"])
    return page(request, "governance/meeting.html", str(meeting), section=SECTION, meeting=meeting, items=items,
                decisions=meeting.decisions.select_related("item"), raised=raised, answered=answered,
                attendance=meeting.attendance.select_related("member"), forward=forward,
                breadcrumbs=_crumbs(access, _board_crumb(meeting.board)))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    meeting = get_meeting_for_user(access, pk)
    initial = {"date": meeting.date, "location": meeting.location, "status": meeting.status,
               "version": meeting.version}
    form = MeetingChangeForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if _save(form, lambda: services.update_meeting(access, meeting, **data, expected_version=version)):
            messages.success(request, "Saved the meeting.")
            return redirect("governance:meeting", slug, meeting.pk)
    return _form_page(request, access, form, title=f"Change {meeting}", button="Save", back=_meeting_url(meeting),
                      crumbs=[_board_crumb(meeting.board)])


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    meeting = get_meeting_for_user(access, pk)
    fwd = None
    if request.GET.get("forward"):
        from carestat.governance.access import get_forward_item_for_user

        fwd = get_forward_item_for_user(access, request.GET["forward"])
    initial = {"title": fwd.title, "presenter": fwd.lead, "is_public": True} if fwd else {"is_public": True}
    form = AgendaItemForm(posted(request), organisation=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.add_agenda_item(access, meeting, **form.cleaned_data, forward_item=fwd)):
            messages.success(request, "Added the item to the agenda.")
            return redirect("governance:meeting", slug, meeting.pk)
    return _form_page(request, access, form, title=f"Add an agenda item to {meeting}", button="Add item",
                      back=_meeting_url(meeting), crumbs=[_board_crumb(meeting.board)])


@login_required
@require_http_methods(["GET", "POST"])
def item_minutes(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    item = get_item_for_user(access, pk)
    form = MinutesForm(posted(request), initial={"minutes": item.minutes})
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.record_minutes(access, item, **form.cleaned_data)) is not None:
            messages.success(request, f"Saved the minutes of item {item.position}.")
            return redirect("governance:meeting", slug, item.meeting_id)
    return _form_page(request, access, form, title=f"Minutes: {item}", caption=str(item.meeting), button="Save",
                      back=_meeting_url(item.meeting), crumbs=[_board_crumb(item.meeting.board)])


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    meeting = get_meeting_for_user(access, pk)
    form = AttendanceForm(posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.record_attendance(access, meeting, form.marks())) is not None:
            messages.success(request, "Saved the attendance.")
            return redirect("governance:meeting", slug, meeting.pk)
    return _form_page(request, access, form, title=f"Attendance: {meeting}", button="Save attendance",
                      intro="" if form.members else "The board has no members yet; add them on the board's page.",
                      back=_meeting_url(meeting), crumbs=[_board_crumb(meeting.board)])


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    meeting = get_meeting_for_user(access, pk)
    form = DecisionForm(posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.record_decision(access, meeting, **form.cleaned_data)):
            messages.success(request, "Recorded the decision.")
            return redirect("governance:meeting", slug, meeting.pk)
    return _form_page(request, access, form, title=f"Record a decision or resolution at {meeting}", button="Record",
                      back=_meeting_url(meeting), crumbs=[_board_crumb(meeting.board)])


@login_required
@require_POST
def approve_minutes(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    meeting = get_meeting_for_user(access, pk)
    try:
        services.approve_minutes(access, meeting)
        messages.success(request, "Approved the minutes. The meeting's record is now frozen.")
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("governance:meeting", slug, meeting.pk)


@login_required
@require_safe
def meeting_pack(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    meeting = get_meeting_for_user(access, pk)
    return HttpResponse(pack.pack_html(access, meeting))


@login_required
@require_safe
def meeting_pack_pdf(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    meeting = get_meeting_for_user(access, pk)
    data = pack.pack_pdf(access, meeting)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename(meeting)}"'
    return response


# Recommendations -----------------------------------------------------------------------------

@login_required
@require_safe
def tracker_page(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    rows = tracker(access.organisation, filters=filters)
    today = timezone.localdate()
    owners = Membership.objects.filter(organisation=access.organisation, is_active=True).select_related("user")
    options = {"source": Source.choices, "status": RecStatus.choices,
               "owner": [(str(m.user_id), m.user.display_name) for m in owners],
               "board": [(str(b.pk), b.name) for b in Board.objects.filter(organisation=access.organisation)]}
    by_source = counts(access.organisation, today)
    return page(request, "governance/tracker.html", "Recommendations tracker", section=SECTION, rows=rows,
                today=today, filters=filters, options=options, filtered=any(filters.values()), counts=by_source,
                source_labels=dict(Source.choices), breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_new(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    decision = None
    initial = {}
    if request.GET.get("decision"):
        from carestat.governance.access import get_decision_for_user

        decision = get_decision_for_user(access, request.GET["decision"])
        initial = {"source": "scrutiny" if decision.kind == "resolution" else "committee",
                   "source_document": f"Minutes of {decision.meeting}", "raised_on": decision.meeting.date,
                   "text": decision.text, "board": str(decision.meeting.board_id)}
    form = RecommendationForm(posted(request), organisation=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        rec = _save(form, lambda: services.create_recommendation(access, **form.cleaned_data, decision=decision))
        if rec is not None:
            messages.success(request, f"Added recommendation {rec.reference}. Link the plan actions that answer it.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title="Add a recommendation", button="Add recommendation",
                      caption=f"Raised by the {decision.get_kind_display().lower()} at {decision.meeting}"
                      if decision else "", back=reverse("governance:tracker", args=[slug]))


@login_required
@require_safe
def recommendation_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    rec = get_recommendation_for_user(access, pk)
    links = linked_actions(rec)
    status, rag = overall(links)
    history = AuditEntry.objects.filter(organisation=access.organisation, record_type="recommendation",
                                        record_id=str(rec.pk)).order_by("-at", "-pk")[:50]
    return page(request, "governance/recommendation.html", f"Recommendation {rec.reference}", section=SECTION,
                rec=rec, links=links, plan_status=status, rag=rag, today=timezone.localdate(),
                changes=rec.status_changes.select_related("changed_by"),
                extensions=rec.extensions.select_related("created_by", "decided_by", "meeting"),
                can_act=services._can_act_on(access, rec), history=history,
                breadcrumbs=_crumbs(access, {"text": "Recommendations tracker",
                                             "href": reverse("governance:tracker", args=[slug])}))


def _rec_crumbs(rec):
    return [{"text": "Recommendations tracker", "href": reverse("governance:tracker", args=[rec.organisation.slug])},
            {"text": rec.reference, "href": _rec_url(rec)}]


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    rec = get_recommendation_for_user(access, pk)
    initial = {f: getattr(rec, f) for f in ("source", "source_document", "reference", "raised_on", "text",
                                            "priority", "response", "agreed_response")}
    initial |= {"owner": str(rec.owner_id or ""), "board": str(rec.board_id or ""),
                "answer_meeting": str(rec.answer_meeting_id or ""), "version": rec.version}
    form = RecommendationChangeForm(posted(request), organisation=access.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if _save(form, lambda: services.update_recommendation(access, rec, **data, expected_version=version)):
            messages.success(request, f"Saved recommendation {rec.reference}.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Change recommendation {rec.reference}", button="Save",
                      intro="The due date moves only by an approved extension.", back=_rec_url(rec),
                      crumbs=_rec_crumbs(rec))


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_status(request, slug, pk):
    access = org_access(request, slug, Perm.CONTRIBUTE)
    rec = get_recommendation_for_user(access, pk)
    form = StatusForm(posted(request), initial={"evidence": rec.evidence, "version": rec.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _save(form, lambda: services.change_status(access, rec, status=d["status"], reason=d["reason"],
                                                      evidence=d["evidence"], on=d["on"],
                                                      expected_version=d["version"])):
            messages.success(request, f"Changed the status of {rec.reference}.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Change the status of {rec.reference}", button="Save status",
                      caption=f"Now {rec.get_status_display().lower()}", back=_rec_url(rec), crumbs=_rec_crumbs(rec))


@login_required
@require_http_methods(["GET", "POST"])
def link_action(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    rec = get_recommendation_for_user(access, pk)
    form = LinkActionForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.link_action(access, rec, form.cleaned_data["action"])):
            messages.success(request, "Linked the action.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Link a plan action to {rec.reference}", button="Link action",
                      back=_rec_url(rec), crumbs=_rec_crumbs(rec))


@login_required
@require_POST
def unlink_action(request, slug, pk, action_pk):
    access = org_access(request, slug, Perm.MANAGE)
    rec = get_recommendation_for_user(access, pk)
    action = get_action_for_user(access, action_pk)
    try:
        services.unlink_action(access, rec, action)
        messages.success(request, f"Unlinked ‘{action.title}’.")
    except NotAllowed:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("governance:recommendation", slug, rec.pk)


@login_required
@require_http_methods(["GET", "POST"])
def new_action(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    rec = get_recommendation_for_user(access, pk)
    form = NewActionForm(posted(request), organisation=access.organisation,
                         initial={"title": rec.text[:300], "due": rec.due_date})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _save(form, lambda: services.create_action_for(access, rec, d["objective"], title=d["title"],
                                                          due=d["due"], owner=d["owner"])):
            messages.success(request, "Created the plan action and linked it.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Create a plan action for {rec.reference}", button="Create action",
                      back=_rec_url(rec), crumbs=_rec_crumbs(rec))


@login_required
@require_http_methods(["GET", "POST"])
def extension_new(request, slug, pk):
    access = org_access(request, slug, Perm.CONTRIBUTE)
    rec = get_recommendation_for_user(access, pk)
    form = ExtensionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: services.request_extension(access, rec, **form.cleaned_data)):
            messages.success(request, "Asked for the extension; a manager decides it for the board.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Ask for more time on {rec.reference}", button="Ask",
                      caption=f"Due {rec.due_date:%-d %B %Y}", back=_rec_url(rec), crumbs=_rec_crumbs(rec))


@login_required
@require_http_methods(["GET", "POST"])
def extension_decide(request, slug, pk):
    access = org_access(request, slug, Perm.MANAGE)
    ext = get_extension_for_user(access, pk)
    rec = ext.recommendation
    form = ExtensionDecisionForm(posted(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _save(form, lambda: services.decide_extension(access, ext, approve=d["decision"] == "approve",
                                                         note=d["note"], meeting=d["meeting"])):
            messages.success(request, "Recorded the decision on the extension.")
            return redirect("governance:recommendation", slug, rec.pk)
    return _form_page(request, access, form, title=f"Decide the extension of {rec.reference}", button="Save decision",
                      intro=f"Asked: from {ext.old_due_date:%-d %B %Y} to {ext.new_due_date:%-d %B %Y}. {ext.reason}",
                      back=_rec_url(rec), crumbs=_rec_crumbs(rec))


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ImportForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        made = _save(form, lambda: excel.import_recommendations(access, upload.read(), filename=upload.name))
        if made is not None:
            messages.success(request, f"Imported {len(made)} recommendations.")
            return redirect("governance:tracker", slug)
    return _form_page(request, access, form, title="Import recommendations", button="Import", multipart=True,
                      intro="One recommendation a row with the columns: " + ", ".join(excel.COLUMNS)
                      + ". If any row has a problem, nothing is imported and each problem is listed by row and "
                      "column.", back=reverse("governance:tracker", args=[slug]))


@login_required
@require_safe
def export(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    data = excel.export_recommendations(access, tracker(access.organisation, filters=filters))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{slug}-recommendations.xlsx"'
    return response

