"""Governance rows in the role-by-address access matrix (tests/test_access_matrix.py).

Managers and admins keep boards, meetings and the tracker; the contributor owns the
recommendation, so may change its status and ask for an extension; viewers and auditors read."""

import datetime as dt

from django.utils import timezone

from carestat.governance import services
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
OWNERS = {"admin", "manager", "contributor"}
MANAGERS = {"admin", "manager"}


def build(w):
    cast, org = w["cast"], w["org"]
    a = access_for(cast["admin"], org)
    today = timezone.localdate()
    board = services.create_board(a, name="Scrutiny Committee", kind="scrutiny")
    w["board_member"] = services.add_member(a, board, name="Cllr Jane Ellis", role="chair")
    meeting = services.schedule_meeting(a, board, date=today - dt.timedelta(days=7))
    w["item"] = services.add_agenda_item(a, meeting, title="Improvement programme", plan=w["plan"])
    w["decision"] = services.record_decision(a, meeting, text="That backlog figures be shared", kind="resolution")
    rec = services.create_recommendation(
        a, source="external_auditor", source_document="Auditor's report", reference="R1",
        raised_on=today - dt.timedelta(days=100), due_date=today + dt.timedelta(days=30), text="Set milestones",
        owner=cast["contributor"], board=board)
    w["extension"] = services.request_extension(access_for(cast["contributor"], org), rec,
                                                new_due_date=today + dt.timedelta(days=60), reason="Supplier late")
    w["rec2"] = services.create_recommendation(
        a, source="scrutiny", source_document="Committee minutes", reference="S1",
        raised_on=today - dt.timedelta(days=7), due_date=today + dt.timedelta(days=30), text="Share backlog figures",
        owner=cast["contributor"], board=board, decision=w["decision"])
    w["board"], w["meeting"], w["rec"] = board, meeting, rec
    w["held"] = services.update_meeting(a, services.schedule_meeting(a, board, date=today - dt.timedelta(days=1)),
                                        date=today - dt.timedelta(days=1), status="held")


G = "/o/demoshire/governance"


def _day(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


PAGES = [
    ("governance:boards", "get", lambda w: f"{G}/", ALL, None),
    ("governance:board_new", "get", lambda w: f"{G}/boards/new/", MANAGERS, None),
    ("governance:board_new", "post", lambda w: f"{G}/boards/new/", MANAGERS,
     lambda w: {"name": "Care Quality Group", "kind": "care_quality", "frequency": "monthly"}),
    ("governance:board", "get", lambda w: f"{G}/boards/{w['board'].pk}/", ALL, None),
    ("governance:board_edit", "get", lambda w: f"{G}/boards/{w['board'].pk}/edit/", MANAGERS, None),
    ("governance:board_edit", "post", lambda w: f"{G}/boards/{w['board'].pk}/edit/", MANAGERS,
     lambda w: {"name": "Scrutiny Committee", "kind": "scrutiny", "frequency": "quarterly"}),
    ("governance:board_archive", "get", lambda w: f"{G}/boards/{w['board'].pk}/archive/", MANAGERS, None),
    ("governance:board_archive", "post", lambda w: f"{G}/boards/{w['board'].pk}/archive/", MANAGERS,
     lambda w: {"reason": "Replaced by the new committee"}),
    ("governance:member_new", "get", lambda w: f"{G}/boards/{w['board'].pk}/members/new/", MANAGERS, None),
    ("governance:member_new", "post", lambda w: f"{G}/boards/{w['board'].pk}/members/new/", MANAGERS,
     lambda w: {"name": "Cllr Ravi Patel", "role": "member"}),
    ("governance:forward_new", "get", lambda w: f"{G}/boards/{w['board'].pk}/forward-plan/new/", MANAGERS, None),
    ("governance:forward_new", "post", lambda w: f"{G}/boards/{w['board'].pk}/forward-plan/new/", MANAGERS,
     lambda w: {"title": "The next 100 days", **_day("expected", timezone.localdate() + dt.timedelta(days=40))}),
    ("governance:meeting_new", "get", lambda w: f"{G}/boards/{w['board'].pk}/meetings/new/", MANAGERS, None),
    ("governance:meeting_new", "post", lambda w: f"{G}/boards/{w['board'].pk}/meetings/new/", MANAGERS,
     lambda w: _day("date", timezone.localdate() + dt.timedelta(days=40))),
    ("governance:meeting", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/", ALL, None),
    ("governance:meeting_edit", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/edit/", MANAGERS, None),
    ("governance:meeting_edit", "post", lambda w: f"{G}/meetings/{w['meeting'].pk}/edit/", MANAGERS,
     lambda w: {"status": "held", "location": "Council Chamber", **_day("date", w["meeting"].date)}),
    ("governance:item_new", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/items/new/", MANAGERS, None),
    ("governance:item_new", "post", lambda w: f"{G}/meetings/{w['meeting'].pk}/items/new/", MANAGERS,
     lambda w: {"title": "Recruitment and retention", "is_public": "on"}),
    ("governance:attendance", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/attendance/", MANAGERS, None),
    ("governance:attendance", "post", lambda w: f"{G}/meetings/{w['meeting'].pk}/attendance/", MANAGERS,
     lambda w: {f"member_{w['board_member'].pk}": "present"}),
    ("governance:decision_new", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/decisions/new/", MANAGERS, None),
    ("governance:decision_new", "post", lambda w: f"{G}/meetings/{w['meeting'].pk}/decisions/new/", MANAGERS,
     lambda w: {"kind": "decision", "text": "Agreed the recovery plan"}),
    ("governance:approve_minutes", "post", lambda w: f"{G}/meetings/{w['held'].pk}/approve-minutes/", MANAGERS,
     dict),
    ("governance:pack", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/public-pack/", ALL, None),
    ("governance:pack_pdf", "get", lambda w: f"{G}/meetings/{w['meeting'].pk}/public-pack.pdf", ALL, None),
    ("governance:item_minutes", "get", lambda w: f"{G}/items/{w['item'].pk}/minutes/", MANAGERS, None),
    ("governance:item_minutes", "post", lambda w: f"{G}/items/{w['item'].pk}/minutes/", MANAGERS,
     lambda w: {"minutes": "The committee discussed the backlog."}),
    ("governance:tracker", "get", lambda w: f"{G}/recommendations/", ALL, None),
    ("governance:recommendation_new", "get", lambda w: f"{G}/recommendations/new/", MANAGERS, None),
    ("governance:recommendation_new", "get",
     lambda w: f"{G}/recommendations/new/?decision={w['decision'].pk}", MANAGERS, None),
    ("governance:recommendation_new", "post", lambda w: f"{G}/recommendations/new/", MANAGERS,
     lambda w: {"source": "cqc", "source_document": "CQC assessment", "reference": "1", "text": "Improve waits",
                "priority": "high", "response": "pending", **_day("raised_on", timezone.localdate()),
                **_day("due_date", timezone.localdate() + dt.timedelta(days=90))}),
    ("governance:import", "get", lambda w: f"{G}/recommendations/import/", MANAGERS, None),
    ("governance:import", "post", lambda w: f"{G}/recommendations/import/", MANAGERS, dict),
    ("governance:export", "get", lambda w: f"{G}/recommendations/export.xlsx", ALL, None),
    ("governance:recommendation", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/", ALL, None),
    ("governance:recommendation_edit", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/edit/", MANAGERS, None),
    ("governance:recommendation_edit", "post", lambda w: f"{G}/recommendations/{w['rec'].pk}/edit/", MANAGERS,
     lambda w: {"source": "external_auditor", "source_document": "Auditor's report", "reference": "R1",
                "text": "Set clear milestones", "priority": "high", "response": "accepted",
                **_day("raised_on", w["rec"].raised_on)}),
    ("governance:recommendation_status", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/status/", OWNERS,
     None),
    ("governance:recommendation_status", "post", lambda w: f"{G}/recommendations/{w['rec'].pk}/status/", OWNERS,
     lambda w: {"status": "in_progress", "reason": "Work started"}),
    ("governance:link_action", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/link-action/", MANAGERS, None),
    ("governance:link_action", "post", lambda w: f"{G}/recommendations/{w['rec'].pk}/link-action/", MANAGERS,
     lambda w: {"action": str(w["action"].pk)}),
    ("governance:unlink_action", "post",
     lambda w: f"{G}/recommendations/{w['rec'].pk}/unlink-action/{w['action'].pk}/", MANAGERS, dict),
    ("governance:new_action", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/new-action/", MANAGERS, None),
    ("governance:new_action", "post", lambda w: f"{G}/recommendations/{w['rec'].pk}/new-action/", MANAGERS,
     lambda w: {"objective": str(w["objective"].pk), "title": "Publish milestone plans",
                **_day("due", timezone.localdate() + dt.timedelta(days=60))}),
    ("governance:extension_new", "get", lambda w: f"{G}/recommendations/{w['rec'].pk}/extensions/new/", OWNERS,
     None),
    ("governance:extension_new", "post", lambda w: f"{G}/recommendations/{w['rec'].pk}/extensions/new/", OWNERS,
     lambda w: {"reason": "More time", **_day("new_due_date", timezone.localdate() + dt.timedelta(days=90))}),
    ("governance:extension_decide", "get", lambda w: f"{G}/extensions/{w['extension'].pk}/decide/", MANAGERS, None),
    ("governance:extension_decide", "post", lambda w: f"{G}/extensions/{w['extension'].pk}/decide/", MANAGERS,
     lambda w: {"decision": "approve"}),
]

A = "/api/v1/organisations/demoshire/governance"
# Linking an action (POST .../recommendations/{id}/actions and .../new-action) takes ids in the
# body, which these static rows cannot name; test_api.py covers who may link and that another
# organisation's action is a 404.
API = [
    ("get", f"{A}/boards", ALL, None),
    ("post", f"{A}/boards", MANAGERS, {"name": "Care Quality Group", "kind": "care_quality"}),
    ("get", A + "/boards/{board.pk}", ALL, None),
    ("put", A + "/boards/{board.pk}", MANAGERS, {"name": "Scrutiny Committee", "kind": "scrutiny",
                                                 "frequency": "quarterly"}),
    ("get", A + "/boards/{board.pk}/meetings", ALL, None),
    ("post", A + "/boards/{board.pk}/meetings", MANAGERS, {"date": "2031-01-14"}),
    ("get", A + "/meetings/{meeting.pk}", ALL, None),
    ("put", A + "/meetings/{meeting.pk}", MANAGERS, {"date": "2031-01-14", "status": "scheduled"}),
    ("post", A + "/meetings/{meeting.pk}/items", MANAGERS, {"title": "Recruitment and retention"}),
    ("put", A + "/items/{item.pk}/minutes", MANAGERS, {"minutes": "Discussed."}),
    ("put", A + "/meetings/{meeting.pk}/attendance", MANAGERS, []),
    ("post", A + "/meetings/{meeting.pk}/decisions", MANAGERS, {"text": "Agreed"}),
    ("post", A + "/meetings/{held.pk}/approve-minutes", MANAGERS, None),
    ("get", f"{A}/recommendations", ALL, None),
    ("get", f"{A}/recommendations/counts", ALL, None),
    ("post", f"{A}/recommendations", MANAGERS, {"source": "cqc", "source_document": "CQC", "reference": "9",
                                                "raised_on": "2026-01-01", "due_date": "2031-01-01", "text": "Do"}),
    ("get", A + "/recommendations/{rec.pk}", ALL, None),
    ("patch", A + "/recommendations/{rec.pk}", MANAGERS, {"priority": "high"}),
    ("post", A + "/recommendations/{rec.pk}/status", OWNERS, {"status": "in_progress", "reason": "Started"}),
    ("post", A + "/recommendations/{rec2.pk}/extensions", OWNERS, {"new_due_date": "2031-01-01",
                                                                    "reason": "Awaiting validated figures"}),
    ("post", A + "/extensions/{extension.pk}/decision", MANAGERS, {"approve": True}),
]


def plant(org, admin, mark):
    """A marked board, meeting and recommendation, for the matrix's check that no list of one
    council's names another's records."""
    a = access_for(admin, org)
    today = timezone.localdate()
    board = services.create_board(a, name=f"{mark} board", kind="scrutiny")
    services.schedule_meeting(a, board, date=today + dt.timedelta(days=30), location=f"{mark} room")
    services.create_recommendation(a, source="internal_audit", source_document=f"{mark} audit",
                                   reference=f"{mark[:3]}-1", raised_on=today, text=f"{mark} recommendation",
                                   due_date=today + dt.timedelta(days=60))
