"""Reports, as search finds them (carestat.core.search): by title and main messages."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.search import Searchable, SearchHit, register_searchable
from carestat.reports import selectors


def _report(r) -> SearchHit:
    return SearchHit(title=r.title, href=reverse("reports:report", args=[r.organisation.slug, r.pk]),
                     detail=f"Report for {r.period.identifier}, {r.get_status_display().lower()}")


def _reports(access):
    return selectors.visible_reports(access)


def register() -> None:
    register_searchable(Searchable(key="reports", label="Report", order=70, words=["title", "main_messages"],
                                   queryset=_reports, describe=_report))
