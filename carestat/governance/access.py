"""One scoped getter per governance object type: anything outside the organisation is a 404."""

from __future__ import annotations

from django.http import Http404

from carestat.core.access import Access, _int
from carestat.governance.models import (
    AgendaItem,
    Board,
    BoardMember,
    Decision,
    Extension,
    ForwardPlanItem,
    Meeting,
    Recommendation,
)


def _get(model, access: Access, pk, what: str, *related):
    row = model.objects.select_related(*related).filter(organisation=access.organisation, pk=_int(pk)).first()
    if row is None:
        raise Http404(f"No such {what}")
    return row


def get_board_for_user(access: Access, pk) -> Board:
    return _get(Board, access, pk, "board", "remit")


def get_member_for_user(access: Access, pk) -> BoardMember:
    return _get(BoardMember, access, pk, "board member", "board")


def get_forward_item_for_user(access: Access, pk) -> ForwardPlanItem:
    return _get(ForwardPlanItem, access, pk, "forward plan item", "board")


def get_meeting_for_user(access: Access, pk) -> Meeting:
    return _get(Meeting, access, pk, "meeting", "board")


def get_item_for_user(access: Access, pk) -> AgendaItem:
    return _get(AgendaItem, access, pk, "agenda item", "meeting__board")


def get_decision_for_user(access: Access, pk) -> Decision:
    return _get(Decision, access, pk, "decision", "meeting__board")


def get_recommendation_for_user(access: Access, pk) -> Recommendation:
    return _get(Recommendation, access, pk, "recommendation", "owner", "board")


def get_extension_for_user(access: Access, pk) -> Extension:
    return _get(Extension, access, pk, "extension", "recommendation")
