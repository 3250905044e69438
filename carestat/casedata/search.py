"""Submissions (loaded returns), as search finds them (carestat.core.search): by file name,
period and format."""

from __future__ import annotations

from django.urls import reverse

from carestat.casedata import selectors
from carestat.core.search import Searchable, SearchHit, register_searchable


def _submission(s) -> SearchHit:
    return SearchHit(title=str(s), href=reverse("casedata:submission", args=[s.organisation.slug, s.pk]),
                     detail=f"Loaded {s.loaded_at:%-d %B %Y}, {s.get_status_display().lower()}")


def register() -> None:
    register_searchable(Searchable(
        key="submissions", label="Submission", order=80, codes=["format", "period_label", "files"],
        queryset=lambda access: selectors.submissions(access.organisation), describe=_submission))
