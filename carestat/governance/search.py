"""Meeting decisions, as search finds them (carestat.core.search): by their words."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.governance.models import Decision


def _decision(d) -> SearchHit:
    text = " ".join(d.text.split())
    meeting = d.meeting
    return SearchHit(title=f"{text[:120]}{'…' if len(text) > 120 else ''}",
                     href=reverse("governance:meeting", args=[d.organisation.slug, meeting.pk]),
                     detail=f"{d.get_kind_display()} of {meeting.board.name}, {meeting.date:%-d %B %Y}")


def register() -> None:
    register_searchable(Searchable(
        key="decisions", label="Decision", order=75, words=["text"],
        queryset=lambda access: Decision.objects.filter(organisation=access.organisation)
        .select_related("meeting__board").order_by("-meeting__date", "pk"),
        describe=_decision))
