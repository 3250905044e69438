"""Business operations on boards, meetings and recommendations.

Each is transactional, checks the actor's role (managers and admins keep boards, meetings and
the tracker; a recommendation's owner may move its status and ask for an extension; only a
manager or admin decides an extension or closes one), refuses anything of another
organisation, records one audit entry in words, and raises a typed error from
carestat.core.errors. Plan actions are created through carestat.plans.services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from carestat.analytics import governance as rules
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import describe_changes, log_action, snapshot
from carestat.core.changes import locked as _locked
from carestat.core.changes import require_same_organisation, stamp_versioned
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import Membership, User
from carestat.core.permissions import Perm
from carestat.governance.models import (
    AgendaItem,
    Attendance,
    Board,
    BoardKind,
    BoardMember,
    BoardRole,
    Decision,
    DecisionKind,
    Extension,
    ExtensionStatus,
    ForwardPlanItem,
    ForwardStatus,
    Frequency,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
    Recommendation,
    RecPriority,
    RecStatus,
    Response,
    Source,
    StatusChange,
)
from carestat.plans import services as plan_services
from carestat.plans.models import Action, Objective

BOARD_FIELDS = ("name", "kind", "remit", "frequency", "terms_of_reference", "is_archived")
MEETING_FIELDS = ("date", "location", "status")
REC_FIELDS = ("source", "source_document", "reference", "raised_on", "text", "priority", "owner", "board",
              "response", "agreed_response", "due_date", "status", "evidence", "answer_meeting")


def _d(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "no date"


def _who(access: Access) -> User | None:
    return access.user if access.user is not None and access.user.pk else None


def _stamp(row, access: Access, *, new: bool = False) -> list[str]:
    return stamp_versioned(row, access.user, new=new)


def _text(value: str | None, field: str, missing: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(missing, field=field)
    if max_length and len(value) > max_length:
        raise InvalidInput(f"Keep it to {max_length} characters or fewer", field=field)
    return value


def _member(access: Access, user: User | None, field: str = "owner") -> None:
    if user is not None and not Membership.objects.filter(user=user, organisation=access.organisation,
                                                          is_active=True).exists():
        raise InvalidInput(f"{user.display_name} is not a member of {access.organisation.name}", field=field)


def _choice(value: str, choices, field: str, missing: str) -> str:
    if value not in choices.values:
        raise InvalidInput(missing, field=field)
    return value


def _log(access: Access, action: str, record, message: str, before=None, after=None) -> None:
    log_action(f"governance.{action}", actor=access.user, organisation=access.organisation, record=record,
               before=before, after=after, message=message)


def _refuse_frozen(meeting: Meeting) -> None:
    if meeting.is_frozen:
        raise Conflict(f"The minutes of {meeting} are approved, so its agenda, attendance, minutes and "
                       "decisions are the record and can no longer change")


# Boards ------------------------------------------------------------------------------------

def _clean_board(access: Access, *, name, kind, remit, frequency, board: Board | None = None) -> str:
    name = _text(name, "name", "Enter the board's name", 200)
    _choice(kind, BoardKind, "kind", "Choose what kind of board this is")
    _choice(frequency, Frequency, "frequency", "Choose how often the board meets")
    require_same_organisation(access, remit, field="remit", what="remit")
    if remit is not None and remit.is_archived:
        raise InvalidInput(f"The remit ‘{remit.name}’ is archived; choose a current one", field="remit")
    same = Board.objects.filter(organisation=access.organisation, name__iexact=name)
    if board is not None:
        same = same.exclude(pk=board.pk)
    if same.exists():
        raise Conflict(f"There is already a board called ‘{name}’", field="name")
    return name


@transaction.atomic
def create_board(access: Access, *, name: str, kind: str, frequency: str = Frequency.MONTHLY, remit=None,
                 terms_of_reference: str = "") -> Board:
    """A board or committee, with the remit (from Reports) of what it oversees."""
    access.require(Perm.MANAGE)
    name = _clean_board(access, name=name, kind=kind, remit=remit, frequency=frequency)
    board = Board(organisation=access.organisation, name=name, kind=kind, frequency=frequency, remit=remit,
                  terms_of_reference=(terms_of_reference or "").strip())
    _stamp(board, access, new=True)
    board.save()
    _log(access, "board.created", board, f"{access.user.display_name} set up the {board.get_kind_display().lower()} "
         f"‘{name}’, meeting {board.get_frequency_display().lower()}", after=snapshot(board, BOARD_FIELDS))
    return board


@transaction.atomic
def update_board(access: Access, board: Board, *, name: str, kind: str, frequency: str, remit=None,
                 terms_of_reference: str = "", expected_version: int | None = None) -> Board:
    access.require(Perm.MANAGE)
    row = _locked(board, expected_version)
    if row.is_archived:
        raise Conflict(f"‘{row.name}’ is archived, so it can no longer change")
    name = _clean_board(access, name=name, kind=kind, remit=remit, frequency=frequency, board=row)
    before = snapshot(row, BOARD_FIELDS)
    row.name, row.kind, row.frequency, row.remit = name, kind, frequency, remit
    row.terms_of_reference = (terms_of_reference or "").strip()
    after = snapshot(row, BOARD_FIELDS)
    if before == after:
        return row
    row.save(update_fields=["name", "kind", "frequency", "remit", "terms_of_reference", *_stamp(row, access)])
    _log(access, "board.changed", row, f"{access.user.display_name} changed ‘{row.name}’: "
         + "; ".join(describe_changes(Board, before, after)), before, after)
    return row


@transaction.atomic
def archive_board(access: Access, board: Board, *, reason: str) -> Board:
    """A board that no longer meets; its meetings and recommendations keep pointing at it."""
    access.require(Perm.MANAGE)
    reason = _text(reason, "reason", "Say why the board is being archived", 500)
    row = _locked(board)
    if row.is_archived:
        raise Conflict(f"‘{row.name}’ is already archived")
    row.is_archived = True
    row.save(update_fields=["is_archived", *_stamp(row, access)])
    _log(access, "board.archived", row, f"{access.user.display_name} archived ‘{row.name}’: {reason}",
         {"is_archived": False}, {"is_archived": True, "reason": reason})
    return row


@transaction.atomic
def add_member(access: Access, board: Board, *, name: str, role: str = BoardRole.MEMBER,
               user: User | None = None) -> BoardMember:
    access.require(Perm.MANAGE)
    name = _text(name or (user.display_name if user else ""), "name", "Enter the member's name", 200)
    _choice(role, BoardRole, "role", "Choose the member's role on the board")
    _member(access, user, "user")
    if board.members.filter(name__iexact=name, is_archived=False).exists():
        raise Conflict(f"{name} is already a member of {board.name}", field="name")
    member = BoardMember(organisation=access.organisation, board=board, name=name, role=role, user=user)
    _stamp(member, access, new=True)
    member.save()
    _log(access, "member.added", member, f"{access.user.display_name} added {name} to {board.name} as "
         f"{member.get_role_display().lower()}")
    return member


@transaction.atomic
def add_forward_item(access: Access, board: Board, *, title: str, expected: dt.date, description: str = "",
                     lead: str = "") -> ForwardPlanItem:
    """An item on the board's forward plan, expected by a date."""
    access.require(Perm.MANAGE)
    title = _text(title, "title", "Enter the item's title", 300)
    if expected is None:
        raise InvalidInput("Enter when the item is expected", field="expected")
    item = ForwardPlanItem(organisation=access.organisation, board=board, title=title, expected=expected,
                           description=(description or "").strip(), lead=(lead or "").strip())
    _stamp(item, access, new=True)
    item.save()
    _log(access, "forward.added", item, f"{access.user.display_name} put ‘{title}’ on {board.name}'s forward "
         f"plan for {_d(expected)}")
    return item


# Meetings ----------------------------------------------------------------------------------

@transaction.atomic
def schedule_meeting(access: Access, board: Board, *, date: dt.date, location: str = "") -> Meeting:
    access.require(Perm.MANAGE)
    if date is None:
        raise InvalidInput("Enter the meeting's date", field="date")
    if board.is_archived:
        raise Conflict(f"‘{board.name}’ is archived, so it holds no new meetings")
    if board.meetings.filter(date=date).exclude(status=MeetingStatus.CANCELLED).exists():
        raise Conflict(f"{board.name} already meets on {_d(date)}", field="date")
    meeting = Meeting(organisation=access.organisation, board=board, date=date, location=(location or "").strip())
    _stamp(meeting, access, new=True)
    meeting.save()
    _log(access, "meeting.scheduled", meeting, f"{access.user.display_name} scheduled {board.name} for {_d(date)}",
         after=snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic
def update_meeting(access: Access, meeting: Meeting, *, date: dt.date, location: str = "", status: str,
                   expected_version: int | None = None) -> Meeting:
    """Move, hold or cancel a meeting. Approving the minutes is its own step (approve_minutes)."""
    access.require(Perm.MANAGE)
    row = _locked(meeting, expected_version)
    _refuse_frozen(row)
    if date is None:
        raise InvalidInput("Enter the meeting's date", field="date")
    if status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise InvalidInput("Choose scheduled, held or cancelled; approve the minutes from the meeting's page",
                           field="status")
    if status == MeetingStatus.HELD and date > timezone.localdate():
        raise InvalidInput(f"A meeting on {_d(date)} cannot have been held yet", field="status")
    before = snapshot(row, MEETING_FIELDS)
    row.date, row.location, row.status = date, (location or "").strip(), status
    after = snapshot(row, MEETING_FIELDS)
    if before == after:
        return row
    row.save(update_fields=["date", "location", "status", *_stamp(row, access)])
    _log(access, "meeting.changed", row, f"{access.user.display_name} changed {row}: "
         + "; ".join(describe_changes(Meeting, before, after)), before, after)
    return row


def superseded_paper(report) -> str:
    """Why a replaced version of a report cannot be an agenda paper, naming what replaced it."""
    later = report.next_versions.order_by("pk").first()
    by = f"version {later.version_number}" if later is not None else "a later version"
    return (f"Version {report.version_number} of ‘{report.title}’ was replaced by {by}, so it cannot be an agenda "
            "paper: choose its current version from the list")


def _paper(access: Access, report, plan, measure) -> None:
    require_same_organisation(access, report, field="report", what="report")
    if report is not None and report.is_superseded:
        raise InvalidInput(superseded_paper(report), field="report")
    require_same_organisation(access, plan, field="plan", what="plan")
    require_same_organisation(access, measure, field="measure", what="measure")
    if sum(x is not None for x in (report, plan, measure)) > 1:
        raise InvalidInput("Choose one paper for the item: a report, a plan or a measure", field="report")


@transaction.atomic
def add_agenda_item(access: Access, meeting: Meeting, *, title: str, presenter: str = "", is_public: bool = True,
                    report=None, plan=None, measure=None, forward_item: ForwardPlanItem | None = None) -> AgendaItem:
    """An item of business, optionally with a CareStat report, plan or measure as its paper,
    optionally taking an item from the board's forward plan."""
    access.require(Perm.MANAGE)
    row = _locked(meeting)
    _refuse_frozen(row)
    title = _text(title, "title", "Enter the item's title", 300)
    _paper(access, report, plan, measure)
    if forward_item is not None and forward_item.board_id != row.board_id:
        raise InvalidInput("That forward plan item belongs to another board", field="forward_item")
    item = AgendaItem(organisation=access.organisation, meeting=row, title=title, presenter=(presenter or "").strip(),
                      is_public=bool(is_public), report=report, plan=plan, measure=measure,
                      position=row.items.count() + 1)
    _stamp(item, access, new=True)
    item.save()
    if forward_item is not None:
        fwd = ForwardPlanItem.objects.select_for_update().get(pk=forward_item.pk)
        fwd.meeting, fwd.status = row, ForwardStatus.SCHEDULED
        fwd.save(update_fields=["meeting", "status", *_stamp(fwd, access)])
    paper = report or plan or measure
    _log(access, "item.added", item, f"{access.user.display_name} added item {item.position} ‘{title}’ to {row}"
         + (f", with ‘{paper}’ as its paper" if paper else "") + ("" if item.is_public else " (exempt, not in public)"))
    return item


@transaction.atomic
def record_minutes(access: Access, item: AgendaItem, *, minutes: str) -> AgendaItem:
    access.require(Perm.MANAGE)
    meeting = _locked(item.meeting)
    _refuse_frozen(meeting)
    row = AgendaItem.objects.select_for_update().get(pk=item.pk)
    minutes = (minutes or "").strip()
    if minutes == row.minutes:
        return row
    before = {"minutes": row.minutes}
    row.minutes = minutes
    row.save(update_fields=["minutes", *_stamp(row, access)])
    _log(access, "item.minuted", row, f"{access.user.display_name} recorded the minutes of item {row.position} "
         f"‘{row.title}’ at {meeting}", before, {"minutes": minutes})
    return row


@transaction.atomic
def record_attendance(access: Access, meeting: Meeting, marks: dict[BoardMember, str]) -> list[MeetingAttendance]:
    """Who was present, gave apologies or was absent; replaces the marks for the members given."""
    access.require(Perm.MANAGE)
    row = _locked(meeting)
    _refuse_frozen(row)
    out = []
    words = []
    for member, status in marks.items():
        if member.board_id != row.board_id:
            raise InvalidInput(f"{member.name} is not a member of {row.board.name}", field="attendance")
        _choice(status, Attendance, f"member-{member.pk}", f"Choose present, apologies or absent for {member.name}")
        mark, made = MeetingAttendance.objects.get_or_create(
            meeting=row, member=member, defaults={"organisation": access.organisation, "status": status,
                                                  "created_by": _who(access), "changed_by": _who(access)})
        if not made and mark.status != status:
            mark.status = status
            mark.save(update_fields=["status", *_stamp(mark, access)])
        out.append(mark)
        words.append(f"{member.name}: {Attendance(status).label.lower()}")
    _log(access, "meeting.attendance", row, f"{access.user.display_name} recorded attendance at {row}: "
         + "; ".join(words))
    return out


@transaction.atomic
def record_decision(access: Access, meeting: Meeting, *, text: str, kind: str = DecisionKind.DECISION,
                    item: AgendaItem | None = None) -> Decision:
    access.require(Perm.MANAGE)
    row = _locked(meeting)
    _refuse_frozen(row)
    text = _text(text, "text", "Enter what was decided or resolved")
    _choice(kind, DecisionKind, "kind", "Choose decision, resolution or noted")
    if item is not None and item.meeting_id != row.pk:
        raise InvalidInput("That item is on another meeting's agenda", field="item")
    decision = Decision(organisation=access.organisation, meeting=row, item=item, kind=kind, text=text)
    _stamp(decision, access, new=True)
    decision.save()
    _log(access, "decision.recorded", decision, f"{access.user.display_name} recorded a "
         f"{decision.get_kind_display().lower()} at {row}: {text[:200]}")
    return decision


@transaction.atomic
def approve_minutes(access: Access, meeting: Meeting) -> Meeting:
    """The minutes become the record: the meeting's agenda, attendance, minutes and decisions freeze."""
    access.require(Perm.MANAGE)
    row = _locked(meeting)
    if row.status != MeetingStatus.HELD:
        raise Conflict(f"Only a meeting that has been held can have its minutes approved ({row} is "
                       f"{row.get_status_display().lower()})")
    row.status = MeetingStatus.MINUTES_APPROVED
    row.minutes_approved_by, row.minutes_approved_at = _who(access), timezone.now()
    row.save(update_fields=["status", "minutes_approved_by", "minutes_approved_at", *_stamp(row, access)])
    ForwardPlanItem.objects.filter(meeting=row, status=ForwardStatus.SCHEDULED).update(status=ForwardStatus.TAKEN)
    _log(access, "meeting.minutes_approved", row, f"{access.user.display_name} approved the minutes of {row}",
         {"status": "Held"}, {"status": "Minutes approved"})
    return row


# Recommendations -----------------------------------------------------------------------------

def _can_act_on(access: Access, rec: Recommendation) -> bool:
    return access.can(Perm.MANAGE) or (access.can(Perm.CONTRIBUTE) and rec.owner_id == access.user.pk)


def _require_owner_or_manager(access: Access, rec: Recommendation) -> None:
    access.require(Perm.CONTRIBUTE)
    if not _can_act_on(access, rec):
        raise NotAllowed(f"Only the recommendation's owner or a manager may change ‘{rec.reference}’")


def _clean_rec(access: Access, *, source, source_document, reference, raised_on, text, priority, owner, board,
               response, due_date, decision, answer_meeting, rec: Recommendation | None = None) -> dict:
    _choice(source, Source, "source", "Choose where the recommendation came from")
    source_document = _text(source_document, "source_document",
                            "Enter the document it came from, such as the auditor's report", 300)
    reference = _text(reference, "reference", "Enter the recommendation's reference, such as R1", 40)
    text = _text(text, "text", "Enter the recommendation as written")
    _choice(priority, RecPriority, "priority", "Choose high, medium or low priority")
    _choice(response, Response, "response", "Choose the response: accepted, partly accepted or not accepted")
    if raised_on is None:
        raise InvalidInput("Enter the date the recommendation was made", field="raised_on")
    if due_date is None:
        raise InvalidInput("Enter the date it is due", field="due_date")
    if not rules.dates_in_order(raised_on, due_date):
        raise InvalidInput(f"The due date ({_d(due_date)}) is before the recommendation was made "
                           f"({_d(raised_on)}); it must be on or after it", field="due_date")
    _member(access, owner)
    require_same_organisation(access, board, field="board", what="board")
    require_same_organisation(access, decision, field="decision", what="decision")
    require_same_organisation(access, answer_meeting, field="answer_meeting", what="meeting")
    same = Recommendation.objects.filter(organisation=access.organisation, source_document__iexact=source_document,
                                         reference__iexact=reference)
    if rec is not None:
        same = same.exclude(pk=rec.pk)
    if same.exists():
        raise Conflict(f"‘{source_document}’ already has a recommendation {reference}", field="reference")
    return {"source": source, "source_document": source_document, "reference": reference, "raised_on": raised_on,
            "text": text, "priority": priority, "owner": owner, "board": board, "response": response,
            "due_date": due_date, "decision": decision, "answer_meeting": answer_meeting}


@transaction.atomic
def create_recommendation(access: Access, *, source: str, source_document: str, reference: str,
                          raised_on: dt.date, text: str, due_date: dt.date, priority: str = RecPriority.MEDIUM,
                          owner: User | None = None, board: Board | None = None, response: str = Response.PENDING,
                          agreed_response: str = "", decision: Decision | None = None,
                          answer_meeting: Meeting | None = None) -> Recommendation:
    """A recommendation on the tracker, from any source; raised from a meeting's decision when
    ``decision`` is given."""
    access.require(Perm.MANAGE)
    data = _clean_rec(access, source=source, source_document=source_document, reference=reference,
                      raised_on=raised_on, text=text, priority=priority, owner=owner, board=board,
                      response=response, due_date=due_date, decision=decision, answer_meeting=answer_meeting)
    rec = Recommendation(organisation=access.organisation, agreed_response=(agreed_response or "").strip(), **data)
    if response == Response.REJECTED:
        if not rec.agreed_response:
            raise InvalidInput("Say why the recommendation is not accepted", field="agreed_response")
        rec.status, rec.status_reason = RecStatus.NOT_ACCEPTED, rec.agreed_response
    _stamp(rec, access, new=True)
    rec.save()
    _log(access, "recommendation.created", rec, f"{access.user.display_name} added {rec.get_source_display().lower()} "
         f"recommendation {rec.reference} from ‘{rec.source_document}’, due {_d(rec.due_date)}"
         + (f", raised by the {decision.get_kind_display().lower()} at {decision.meeting}" if decision else ""),
         after=snapshot(rec, REC_FIELDS))
    return rec


EDITABLE = ("source", "source_document", "reference", "raised_on", "text", "priority", "owner", "board",
            "response", "agreed_response", "answer_meeting")


@transaction.atomic
def update_recommendation(access: Access, rec: Recommendation, *, expected_version: int | None = None,
                          **fields) -> Recommendation:
    """Change what a recommendation says, its owner, board or agreed response (managers). The due
    date moves only by an approved extension; the status only by ``change_status``."""
    access.require(Perm.MANAGE)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"{', '.join(sorted(unknown))} cannot be changed here", field=sorted(unknown)[0])
    row = _locked(rec, expected_version)
    values = {name: fields.get(name, getattr(row, name)) for name in EDITABLE}
    data = _clean_rec(access, due_date=row.due_date, decision=row.decision,
                      **{k: v for k, v in values.items() if k != "agreed_response"}, rec=row)
    data.pop("due_date"), data.pop("decision")
    data["agreed_response"] = (values["agreed_response"] or "").strip()
    if data["response"] == Response.REJECTED and not data["agreed_response"]:
        raise InvalidInput("Say why the recommendation is not accepted", field="agreed_response")
    before = snapshot(row, REC_FIELDS)
    for name, value in data.items():
        setattr(row, name, value)
    after = snapshot(row, REC_FIELDS)
    if before == after:
        return row
    row.save(update_fields=[*data, *_stamp(row, access)])
    _log(access, "recommendation.changed", row, f"{access.user.display_name} changed recommendation "
         f"{row.reference}: " + "; ".join(describe_changes(Recommendation, before, after)), before, after)
    return row


@transaction.atomic
def change_status(access: Access, rec: Recommendation, *, status: str, reason: str, evidence: str | None = None,
                  on: dt.date | None = None, expected_version: int | None = None) -> StatusChange:
    """Move a recommendation's status, with a reason, effective ``on`` (default today).

    The owner or a manager moves it to in progress or implemented; verifying it closed needs a
    manager and evidence; not accepted needs the reason. A date inside a closed reporting
    period is refused: that period's report is frozen. Every change is kept in its history."""
    row = _locked(rec, expected_version)
    _require_owner_or_manager(access, row)
    _choice(status, RecStatus, "status", "Choose the new status")
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidInput("The effective date cannot be in the future", field="on")
    if on < row.raised_on:
        raise InvalidInput(f"The effective date is before the recommendation was made ({_d(row.raised_on)})",
                           field="on")
    reason = _text(reason, "reason", "Give the reason for the change of status")
    if status == row.status:
        raise Conflict(f"{row.reference} is already {row.get_status_display().lower()}", field="status")
    if not rules.can_move(row.status, status):
        raise InvalidInput(f"{row.reference} cannot go from {row.get_status_display().lower()} to "
                           f"{RecStatus(status).label.lower()}"
                           + ("; mark it implemented first" if status == RecStatus.CLOSED else ""), field="status")
    if status in (RecStatus.CLOSED, RecStatus.NOT_ACCEPTED) or row.status == RecStatus.CLOSED:
        if not access.can(Perm.MANAGE):
            raise NotAllowed("Only a manager or admin may verify a recommendation closed, record it as not "
                             "accepted, or reopen it")
    if evidence is not None:
        row.evidence = evidence.strip()
    if status == RecStatus.CLOSED and not row.evidence.strip():
        raise InvalidInput("Closing needs evidence: say what shows the recommendation is implemented, such as "
                           "a report, minutes or an audit finding", field="evidence")
    core_services.refuse_if_closed(access.organisation, on, what=f"The effective date {_d(on)}",
                                   frozen="what it reported is frozen", field="on")
    old = row.status
    row.status, row.status_reason = status, reason
    fields = ["status", "status_reason", "evidence"]
    if status == RecStatus.IMPLEMENTED:
        row.implemented_on = on
        fields.append("implemented_on")
    if status == RecStatus.CLOSED:
        row.closed_on = on
        fields.append("closed_on")
    if old == RecStatus.CLOSED:
        row.closed_on = None
        fields.append("closed_on")
    row.save(update_fields=[*dict.fromkeys(fields), *_stamp(row, access)])
    change = StatusChange.objects.create(organisation=access.organisation, recommendation=row, old_status=old,
                                         new_status=status, on=on, reason=reason, changed_by=_who(access),
                                         changed_at=timezone.now())
    _log(access, "recommendation.status", row, f"{access.user.display_name} moved recommendation {row.reference} "
         f"from {RecStatus(old).label.lower()} to {RecStatus(status).label.lower()} on {_d(on)}: {reason}",
         {"status": RecStatus(old).label}, {"status": RecStatus(status).label, "evidence": row.evidence})
    return change


@transaction.atomic
def link_action(access: Access, rec: Recommendation, action: Action) -> Recommendation:
    """Answer the recommendation with a plan action; its progress then comes from the plan."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, action, field="action", what="action")
    row = _locked(rec)
    if action.is_archived:
        raise InvalidInput(f"‘{action.title}’ is archived; choose a live action", field="action")
    if row.actions.filter(pk=action.pk).exists():
        raise Conflict(f"‘{action.title}’ is already linked to {row.reference}", field="action")
    row.actions.add(action)
    row.save(update_fields=_stamp(row, access))
    _log(access, "recommendation.linked", row, f"{access.user.display_name} linked action ‘{action.title}’ "
         f"(‘{action.plan.title}’) to recommendation {row.reference}")
    return row


@transaction.atomic
def unlink_action(access: Access, rec: Recommendation, action: Action) -> Recommendation:
    access.require(Perm.MANAGE)
    row = _locked(rec)
    if not row.actions.filter(pk=action.pk).exists():
        raise Conflict(f"‘{action.title}’ is not linked to {row.reference}", field="action")
    row.actions.remove(action)
    row.save(update_fields=_stamp(row, access))
    _log(access, "recommendation.unlinked", row, f"{access.user.display_name} unlinked action ‘{action.title}’ "
         f"from recommendation {row.reference}")
    return row


@transaction.atomic
def create_action_for(access: Access, rec: Recommendation, objective: Objective, *, title: str, due: dt.date,
                      owner: User | None = None) -> Action:
    """A new plan action (through the plans services, so audited there too) answering ``rec``."""
    require_same_organisation(access, objective, field="objective", what="objective")
    action = plan_services.add_action(access, objective, title=title, due=due, owner=owner)
    link_action(access, rec, action)
    return action


# Extensions ----------------------------------------------------------------------------------

@transaction.atomic
def request_extension(access: Access, rec: Recommendation, *, new_due_date: dt.date, reason: str) -> Extension:
    """Ask the owning board for more time (the owner or a manager)."""
    row = _locked(rec)
    _require_owner_or_manager(access, row)
    if row.status not in rules.LIVE:
        raise Conflict(f"{row.reference} is {row.get_status_display().lower()}; only open or in-progress "
                       "recommendations can be extended")
    if new_due_date is None:
        raise InvalidInput("Enter the new due date asked for", field="new_due_date")
    if new_due_date <= row.due_date:
        raise InvalidInput(f"The new due date must be after the current one ({_d(row.due_date)})",
                           field="new_due_date")
    reason = _text(reason, "reason", "Say why more time is needed")
    if row.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise Conflict(f"{row.reference} already has an extension waiting for a decision")
    ext = Extension(organisation=access.organisation, recommendation=row, old_due_date=row.due_date,
                    new_due_date=new_due_date, reason=reason)
    _stamp(ext, access, new=True)
    ext.save()
    _log(access, "extension.requested", row, f"{access.user.display_name} asked to extend {row.reference} from "
         f"{_d(row.due_date)} to {_d(new_due_date)}: {reason}")
    return ext


@transaction.atomic
def decide_extension(access: Access, extension: Extension, *, approve: bool, note: str = "",
                     meeting: Meeting | None = None) -> Extension:
    """Approve or refuse an extension for the board that owns the recommendation. Only managers
    and admins decide, never the person who asked; approving moves the due date, and the
    request, decision and old date stay in the history."""
    if not access.can(Perm.MANAGE):
        raise NotAllowed("Only a manager or admin may approve or refuse an extension for the board")
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.status != ExtensionStatus.REQUESTED:
        raise Conflict(f"This extension was already {ext.get_status_display().lower()}")
    if ext.created_by_id and ext.created_by_id == access.user.pk:
        raise NotAllowed("Someone other than the person who asked for the extension must decide it")
    require_same_organisation(access, meeting, field="meeting", what="meeting")
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput("Say why the extension is refused", field="note")
    rec = _locked(ext.recommendation)
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note, ext.meeting = _who(access), timezone.now(), note, meeting
    ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "meeting",
                            *_stamp(ext, access)])
    if approve:
        rec.due_date = ext.new_due_date
        rec.save(update_fields=["due_date", *_stamp(rec, access)])
    where = f" at {meeting}" if meeting else (f" for {rec.board.name}" if rec.board_id else "")
    _log(access, f"extension.{ext.status}", rec, f"{access.user.display_name} {ext.status} the extension of "
         f"{rec.reference} to {_d(ext.new_due_date)}{where}" + (f": {note}" if note else ""),
         {"due_date": ext.old_due_date.isoformat()}, {"due_date": rec.due_date.isoformat()})
    return ext


def boards_due(access: Access, board: Board, until: dt.date) -> Iterable[Recommendation]:
    """What the board should see at its next meeting: its live recommendations due by ``until``."""
    return Recommendation.objects.filter(organisation=access.organisation, board=board,
                                         status__in=rules.LIVE, due_date__lte=until).order_by("due_date")


# Reminders -----------------------------------------------------------------------------------

REMIND_DAYS = 14


def reminders(org, today: dt.date | None = None, days: int = REMIND_DAYS) -> dict[User, list[Recommendation]]:
    """For each owner: their open or in-progress recommendations due within ``days``, or overdue."""
    today = today or timezone.localdate()
    out: dict[User, list[Recommendation]] = {}
    for rec in (Recommendation.objects.filter(organisation=org, status__in=rules.LIVE, owner__isnull=False,
                                              due_date__lte=today + dt.timedelta(days=days))
                .select_related("owner").order_by("due_date")):
        if rec.owner.email:
            out.setdefault(rec.owner, []).append(rec)
    return out


def send_reminders(org, *, dry_run: bool = False, today: dt.date | None = None) -> list[tuple[User, str]]:
    """Email each owner the recommendations falling due or overdue. Returns (person, message) pairs."""
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    sent = []
    for user, recs in reminders(org, today).items():
        lines = [f"Hello {user.display_name},", "", "These recommendations you own are due soon or overdue:"]
        lines += [f"  - {r.reference} ({r.source_document}): due {_d(r.due_date)}"
                  + (" (overdue)" if r.is_overdue(today) else "") for r in recs]
        lines += ["", "Sign in to CareStat to update their status, or ask the board for an extension."]
        body = "\n".join(lines)
        if not dry_run:
            send_mail(f"CareStat: recommendations due for {org.name}", body, None, [user.email])
        sent.append((user, body))
    if not dry_run and sent:
        log_action("governance.reminders.sent", actor=None, organisation=org,
                   message=f"Sent recommendation reminders to {len(sent)} people")
    return sent
