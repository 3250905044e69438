"""Governance in the JSON API: boards, meetings and the recommendations tracker, through the
same scoped getters, services and read side as the pages. Ids of linked records (owner,
board, remit, report, plan, measure, action) are looked up within the organisation, so
another organisation's id is a 404 and nothing is linked."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.models import Membership
from carestat.core.permissions import Perm
from carestat.governance import services
from carestat.governance.access import (
    get_board_for_user,
    get_decision_for_user,
    get_extension_for_user,
    get_item_for_user,
    get_meeting_for_user,
    get_recommendation_for_user,
)
from carestat.governance.models import (
    Attendance,
    Board,
    BoardKind,
    DecisionKind,
    Frequency,
    Meeting,
    RecPriority,
    RecStatus,
    Response,
    Source,
)
from carestat.governance.progress import counts, linked_actions, overall, tracker
from carestat.plans.access import get_action_for_user, get_objective_for_user, get_plan_for_user

router = Router(tags=["governance"])
P = "/organisations/{slug}/governance"


def _v(x):
    return x.value if x is not None else None


def _user(access, pk):
    if pk is None:
        return None
    m = Membership.objects.select_related("user").filter(organisation=access.organisation, user_id=pk,
                                                          is_active=True).first()
    if m is None:
        raise Http404("No such member")
    return m.user


def _remit(access, pk):
    from carestat.reports.models import Remit

    if pk is None:
        return None
    remit = Remit.objects.filter(organisation=access.organisation, pk=pk).first()
    if remit is None:
        raise Http404("No such remit")
    return remit


def _report(access, pk):
    from carestat.reports.models import Report

    if pk is None:
        return None
    report = Report.objects.filter(organisation=access.organisation, pk=pk).first()
    if report is None:
        raise Http404("No such report")
    return report


def _measure(access, pk):
    from carestat.measures.models import Measure

    if pk is None:
        return None
    measure = Measure.objects.filter(organisation=access.organisation, pk=pk).first()
    if measure is None:
        raise Http404("No such measure")
    return measure


# Schemas -------------------------------------------------------------------------------------

class BoardOut(Schema):
    id: int
    version: int
    name: str
    kind: str
    kind_label: str
    frequency: str
    remit_id: int | None
    remit: str | None
    terms_of_reference: str
    is_archived: bool
    members: list[str]
    next_meeting: dt.date | None


class BoardIn(Schema):
    name: str = Field(..., max_length=200)
    kind: BoardKind
    frequency: Frequency = Frequency.MONTHLY
    remit_id: int | None = None
    terms_of_reference: str = ""


class BoardPatch(BoardIn):
    version: int | None = Field(None, ge=0)


class MeetingBrief(Schema):
    id: int
    version: int
    board_id: int
    board: str
    date: dt.date
    location: str
    status: str


class ItemOut(Schema):
    id: int
    position: int
    title: str
    presenter: str
    is_public: bool
    report_id: int | None
    plan_id: int | None
    measure_id: int | None
    minutes: str


class DecisionOut(Schema):
    id: int
    kind: str
    item_id: int | None
    text: str
    recommendation_ids: list[int]


class AttendanceOut(Schema):
    member: str
    status: str


class MeetingOut(MeetingBrief):
    items: list[ItemOut]
    decisions: list[DecisionOut]
    attendance: list[AttendanceOut]


class MeetingIn(Schema):
    date: dt.date
    location: str = Field("", max_length=200)


class MeetingPatch(MeetingIn):
    status: str
    version: int | None = Field(None, ge=0)


class ItemIn(Schema):
    title: str = Field(..., max_length=300)
    presenter: str = Field("", max_length=200)
    is_public: bool = True
    report_id: int | None = None
    plan_id: int | None = None
    measure_id: int | None = None


class MinutesIn(Schema):
    minutes: str


class DecisionIn(Schema):
    text: str
    kind: DecisionKind = DecisionKind.DECISION
    item_id: int | None = None


class AttendanceIn(Schema):
    member_id: int
    status: Attendance


class LinkedActionOut(Schema):
    id: int
    title: str
    plan: str
    due: dt.date
    percent_complete: int
    status: str | None
    rag: str | None


class ExtensionOut(Schema):
    id: int
    old_due_date: dt.date
    new_due_date: dt.date
    reason: str
    status: str
    decided_by: str | None
    decision_note: str


class RecommendationOut(Schema):
    id: int
    version: int
    source: str
    source_label: str
    source_document: str
    reference: str
    raised_on: dt.date
    text: str
    priority: str
    owner_id: int | None
    owner: str | None
    board_id: int | None
    response: str
    agreed_response: str
    due_date: dt.date
    status: str
    overdue: bool
    evidence: str
    decision_id: int | None
    answer_meeting_id: int | None
    action_ids: list[int]


class RecommendationDetail(RecommendationOut):
    actions: list[LinkedActionOut]
    plan_status: str | None
    plan_rag: str | None
    extensions: list[ExtensionOut]


class RecommendationIn(Schema):
    source: Source
    source_document: str = Field(..., max_length=300)
    reference: str = Field(..., max_length=40)
    raised_on: dt.date
    text: str
    due_date: dt.date
    priority: RecPriority = RecPriority.MEDIUM
    owner_id: int | None = None
    board_id: int | None = None
    response: Response = Response.PENDING
    agreed_response: str = ""
    decision_id: int | None = Field(None, description="The meeting decision that raised it, if any.")
    answer_meeting_id: int | None = None


class RecommendationPatch(Schema):
    source_document: str | None = Field(None, max_length=300)
    reference: str | None = Field(None, max_length=40)
    text: str | None = None
    priority: RecPriority | None = None
    owner_id: int | None = None
    board_id: int | None = None
    response: Response | None = None
    agreed_response: str | None = None
    answer_meeting_id: int | None = None
    version: int | None = Field(None, ge=0)


class StatusIn(Schema):
    status: RecStatus
    reason: str
    evidence: str | None = None
    on: dt.date | None = None
    version: int | None = Field(None, ge=0)


class LinkIn(Schema):
    action_id: int


class RecommendationActionIn(Schema):
    objective_id: int
    title: str = Field(..., max_length=300)
    due: dt.date
    owner_id: int | None = None


class ExtensionIn(Schema):
    new_due_date: dt.date
    reason: str


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = ""
    meeting_id: int | None = None


class SourceCountOut(Schema):
    source: str
    total: int
    live: int
    overdue: int
    extended: int
    implemented: int
    closed: int
    not_accepted: int


# Shapes -------------------------------------------------------------------------------------

def _board(b: Board) -> dict:
    nxt = b.meetings.filter(date__gte=timezone.localdate(), status="scheduled").order_by("date").first()
    return {"id": b.pk, "version": b.version, "name": b.name, "kind": b.kind, "kind_label": b.get_kind_display(),
            "frequency": b.frequency, "remit_id": b.remit_id, "remit": b.remit.name if b.remit else None,
            "terms_of_reference": b.terms_of_reference, "is_archived": b.is_archived,
            "members": [str(m) for m in b.members.filter(is_archived=False)], "next_meeting": nxt.date if nxt else None}


def _meeting_brief(m: Meeting) -> dict:
    return {"id": m.pk, "version": m.version, "board_id": m.board_id, "board": m.board.name, "date": m.date,
            "location": m.location, "status": m.status}


def _meeting(m: Meeting) -> dict:
    return {**_meeting_brief(m),
            "items": [{"id": i.pk, "position": i.position, "title": i.title, "presenter": i.presenter,
                       "is_public": i.is_public, "report_id": i.report_id, "plan_id": i.plan_id,
                       "measure_id": i.measure_id, "minutes": i.minutes} for i in m.items.all()],
            "decisions": [{"id": d.pk, "kind": d.kind, "item_id": d.item_id, "text": d.text,
                           "recommendation_ids": [r.pk for r in d.recommendations.all()]} for d in m.decisions.all()],
            "attendance": [{"member": str(a.member), "status": a.status}
                           for a in m.attendance.select_related("member")]}


def _rec(r) -> dict:
    return {"id": r.pk, "version": r.version, "source": r.source, "source_label": r.get_source_display(),
            "source_document": r.source_document, "reference": r.reference, "raised_on": r.raised_on, "text": r.text,
            "priority": r.priority, "owner_id": r.owner_id, "owner": r.owner.display_name if r.owner else None,
            "board_id": r.board_id, "response": r.response, "agreed_response": r.agreed_response,
            "due_date": r.due_date, "status": r.status, "overdue": r.is_overdue(timezone.localdate()),
            "evidence": r.evidence, "decision_id": r.decision_id, "answer_meeting_id": r.answer_meeting_id,
            "action_ids": [a.pk for a in r.actions.all()]}


def _rec_detail(access, pk) -> dict:
    r = get_recommendation_for_user(access, pk)
    links = linked_actions(r)
    status, rag = overall(links)
    return {**_rec(r), "plan_status": _v(status), "plan_rag": _v(rag),
            "actions": [{"id": x.action.pk, "title": x.action.title, "plan": x.action.plan.title,
                         "due": x.action.due, "percent_complete": x.percent, "status": _v(x.status),
                         "rag": _v(x.rag)} for x in links],
            "extensions": [{"id": e.pk, "old_due_date": e.old_due_date, "new_due_date": e.new_due_date,
                            "reason": e.reason, "status": e.status,
                            "decided_by": e.decided_by.display_name if e.decided_by else None,
                            "decision_note": e.decision_note} for e in r.extensions.select_related("decided_by")]}


# Boards and meetings -------------------------------------------------------------------------

@router.get(P + "/boards", response={200: list[BoardOut], **ERRORS}, summary="Boards and committees")
def boards(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_board(b) for b in Board.objects.filter(organisation=access.organisation).select_related("remit")]


@router.post(P + "/boards", response={201: BoardOut, **ERRORS}, summary="Set up a board (managers)")
def board_create(request, slug: str, payload: BoardIn):
    access = org_access(request, slug, Perm.VIEW)
    b = services.create_board(access, name=payload.name, kind=payload.kind.value, frequency=payload.frequency.value,
                              remit=_remit(access, payload.remit_id), terms_of_reference=payload.terms_of_reference)
    return Status(201, _board(b))


@router.get(P + "/boards/{board_id}", response={200: BoardOut, **ERRORS})
def board(request, slug: str, board_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _board(get_board_for_user(access, board_id))


@router.put(P + "/boards/{board_id}", response={200: BoardOut, **ERRORS}, summary="Change a board (managers)")
def board_update(request, slug: str, board_id: int, payload: BoardPatch):
    access = org_access(request, slug, Perm.VIEW)
    b = services.update_board(access, get_board_for_user(access, board_id), name=payload.name,
                              kind=payload.kind.value, frequency=payload.frequency.value,
                              remit=_remit(access, payload.remit_id), terms_of_reference=payload.terms_of_reference,
                              expected_version=payload.version)
    return _board(b)


@router.get(P + "/boards/{board_id}/meetings", response={200: list[MeetingBrief], **ERRORS})
def board_meetings(request, slug: str, board_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return [_meeting_brief(m) for m in get_board_for_user(access, board_id).meetings.select_related("board")]


@router.post(P + "/boards/{board_id}/meetings", response={201: MeetingOut, **ERRORS},
             summary="Schedule a meeting (managers)")
def meeting_create(request, slug: str, board_id: int, payload: MeetingIn):
    access = org_access(request, slug, Perm.VIEW)
    m = services.schedule_meeting(access, get_board_for_user(access, board_id), date=payload.date,
                                  location=payload.location)
    return Status(201, _meeting(m))


@router.get(P + "/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS},
            summary="A meeting: agenda with papers and minutes, decisions and attendance")
def meeting(request, slug: str, meeting_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _meeting(get_meeting_for_user(access, meeting_id))


@router.put(P + "/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS},
            summary="Move, hold or cancel a meeting (managers)")
def meeting_update(request, slug: str, meeting_id: int, payload: MeetingPatch):
    access = org_access(request, slug, Perm.VIEW)
    m = services.update_meeting(access, get_meeting_for_user(access, meeting_id), date=payload.date,
                                location=payload.location, status=payload.status, expected_version=payload.version)
    return _meeting(m)


@router.post(P + "/meetings/{meeting_id}/items", response={201: MeetingOut, **ERRORS},
             summary="Add an agenda item, optionally with a report, plan or measure as its paper (managers)")
def item_create(request, slug: str, meeting_id: int, payload: ItemIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_meeting_for_user(access, meeting_id)
    services.add_agenda_item(access, m, title=payload.title, presenter=payload.presenter, is_public=payload.is_public,
                             report=_report(access, payload.report_id),
                             plan=get_plan_for_user(access, payload.plan_id) if payload.plan_id else None,
                             measure=_measure(access, payload.measure_id))
    return Status(201, _meeting(get_meeting_for_user(access, meeting_id)))


@router.put(P + "/items/{item_id}/minutes", response={200: MeetingOut, **ERRORS},
            summary="Record an agenda item's minutes (managers)")
def item_minutes(request, slug: str, item_id: int, payload: MinutesIn):
    access = org_access(request, slug, Perm.VIEW)
    item = get_item_for_user(access, item_id)
    services.record_minutes(access, item, minutes=payload.minutes)
    return _meeting(get_meeting_for_user(access, item.meeting_id))


@router.put(P + "/meetings/{meeting_id}/attendance", response={200: MeetingOut, **ERRORS},
            summary="Record who was present, gave apologies or was absent (managers)")
def attendance(request, slug: str, meeting_id: int, payload: list[AttendanceIn]):
    access = org_access(request, slug, Perm.VIEW)
    m = get_meeting_for_user(access, meeting_id)
    members = {x.pk: x for x in m.board.members.all()}
    marks = {}
    for row in payload:
        if row.member_id not in members:
            raise Http404("No such member of this board")
        marks[members[row.member_id]] = row.status.value
    services.record_attendance(access, m, marks)
    return _meeting(get_meeting_for_user(access, meeting_id))


@router.post(P + "/meetings/{meeting_id}/decisions", response={201: MeetingOut, **ERRORS},
             summary="Record a decision or resolution (managers)")
def decision_create(request, slug: str, meeting_id: int, payload: DecisionIn):
    access = org_access(request, slug, Perm.VIEW)
    m = get_meeting_for_user(access, meeting_id)
    item = get_item_for_user(access, payload.item_id) if payload.item_id else None
    services.record_decision(access, m, text=payload.text, kind=payload.kind.value, item=item)
    return Status(201, _meeting(get_meeting_for_user(access, meeting_id)))


@router.post(P + "/meetings/{meeting_id}/approve-minutes", response={200: MeetingOut, **ERRORS},
             summary="Approve a held meeting's minutes; its record then freezes (managers)")
def minutes_approve(request, slug: str, meeting_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _meeting(services.approve_minutes(access, get_meeting_for_user(access, meeting_id)))


# Recommendations -----------------------------------------------------------------------------

@router.get(P + "/recommendations", response={200: list[RecommendationOut], **ERRORS},
            summary="The tracker, filtered by source, status, owner id, board id or overdue")
def recommendations(request, slug: str, source: Source | None = None, status: RecStatus | None = None,
                    owner: int | None = None, board: int | None = None, overdue: bool = False):
    access = org_access(request, slug, Perm.VIEW)
    filters = {"source": _v(source), "status": _v(status), "owner": owner, "board": board,
               "overdue": "1" if overdue else ""}
    return [_rec(r) for r in tracker(access.organisation, filters=filters)]


@router.get(P + "/recommendations/counts", response={200: list[SourceCountOut], **ERRORS},
            summary="Open, overdue, extended, implemented and closed counts per source")
def recommendation_counts(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [vars(c) for c in counts(access.organisation).by_source.values()]


@router.post(P + "/recommendations", response={201: RecommendationDetail, **ERRORS},
             summary="Add a recommendation, optionally raised from a meeting decision (managers)")
def recommendation_create(request, slug: str, payload: RecommendationIn):
    access = org_access(request, slug, Perm.VIEW)
    r = services.create_recommendation(
        access, source=payload.source.value, source_document=payload.source_document, reference=payload.reference,
        raised_on=payload.raised_on, text=payload.text, due_date=payload.due_date, priority=payload.priority.value,
        owner=_user(access, payload.owner_id),
        board=get_board_for_user(access, payload.board_id) if payload.board_id else None,
        response=payload.response.value, agreed_response=payload.agreed_response,
        decision=get_decision_for_user(access, payload.decision_id) if payload.decision_id else None,
        answer_meeting=get_meeting_for_user(access, payload.answer_meeting_id) if payload.answer_meeting_id else None)
    return Status(201, _rec_detail(access, r.pk))


@router.get(P + "/recommendations/{rec_id}", response={200: RecommendationDetail, **ERRORS},
            summary="A recommendation with its linked actions' status and RAG from the plan, and extensions")
def recommendation(request, slug: str, rec_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _rec_detail(access, rec_id)


@router.patch(P + "/recommendations/{rec_id}", response={200: RecommendationDetail, **ERRORS},
              summary="Change a recommendation's details (managers); the due date moves only by extension")
def recommendation_update(request, slug: str, rec_id: int, payload: RecommendationPatch):
    access = org_access(request, slug, Perm.VIEW)
    r = get_recommendation_for_user(access, rec_id)
    given = payload.model_dump(exclude_unset=True)
    version = given.pop("version", None)
    fields = {}
    for name, value in given.items():
        if name == "owner_id":
            fields["owner"] = _user(access, value)
        elif name == "board_id":
            fields["board"] = get_board_for_user(access, value) if value else None
        elif name == "answer_meeting_id":
            fields["answer_meeting"] = get_meeting_for_user(access, value) if value else None
        else:
            fields[name] = getattr(value, "value", value)
    services.update_recommendation(access, r, expected_version=version, **fields)
    return _rec_detail(access, rec_id)


@router.post(P + "/recommendations/{rec_id}/status", response={200: RecommendationDetail, **ERRORS},
             summary="Change the status with a reason; closing needs evidence (owner or manager; closing: managers)")
def recommendation_status(request, slug: str, rec_id: int, payload: StatusIn):
    access = org_access(request, slug, Perm.VIEW)
    services.change_status(access, get_recommendation_for_user(access, rec_id), status=payload.status.value,
                           reason=payload.reason, evidence=payload.evidence, on=payload.on,
                           expected_version=payload.version)
    return _rec_detail(access, rec_id)


@router.post(P + "/recommendations/{rec_id}/actions", response={200: RecommendationDetail, **ERRORS},
             summary="Link a plan action of this organisation (managers)")
def recommendation_link(request, slug: str, rec_id: int, payload: LinkIn):
    access = org_access(request, slug, Perm.VIEW)
    services.link_action(access, get_recommendation_for_user(access, rec_id),
                         get_action_for_user(access, payload.action_id))
    return _rec_detail(access, rec_id)


@router.post(P + "/recommendations/{rec_id}/new-action", response={201: RecommendationDetail, **ERRORS},
             summary="Create a plan action under an objective and link it (managers)")
def recommendation_new_action(request, slug: str, rec_id: int, payload: RecommendationActionIn):
    access = org_access(request, slug, Perm.VIEW)
    services.create_action_for(access, get_recommendation_for_user(access, rec_id),
                               get_objective_for_user(access, payload.objective_id), title=payload.title,
                               due=payload.due, owner=_user(access, payload.owner_id))
    return Status(201, _rec_detail(access, rec_id))


@router.post(P + "/recommendations/{rec_id}/extensions", response={201: RecommendationDetail, **ERRORS},
             summary="Ask the board for more time (owner or manager)")
def extension_request(request, slug: str, rec_id: int, payload: ExtensionIn):
    access = org_access(request, slug, Perm.VIEW)
    services.request_extension(access, get_recommendation_for_user(access, rec_id),
                               new_due_date=payload.new_due_date, reason=payload.reason)
    return Status(201, _rec_detail(access, rec_id))


@router.post(P + "/extensions/{extension_id}/decision", response={200: RecommendationDetail, **ERRORS},
             summary="Approve or refuse an extension for the board (managers other than the one who asked)")
def extension_decide(request, slug: str, extension_id: int, payload: ExtensionDecisionIn):
    access = org_access(request, slug, Perm.VIEW)
    ext = get_extension_for_user(access, extension_id)
    services.decide_extension(access, ext, approve=payload.approve, note=payload.note,
                              meeting=get_meeting_for_user(access, payload.meeting_id) if payload.meeting_id else None)
    return _rec_detail(access, ext.recommendation_id)
