"""What case data adds to the home page: for those who load and check the data (an auditor,
a manager, an admin), the latest submissions and their data quality."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from carestat.analytics.words import count_of
from carestat.casedata import selectors
from carestat.core.contributions import Tile
from carestat.core.models import Role


def home_tiles(access, period) -> list[Tile]:
    if access.role not in (Role.AUDITOR, Role.MANAGER, Role.ADMIN):
        return []
    org = access.organisation
    listing = reverse("casedata:submissions", args=[org.slug])
    latest = list(selectors.submissions(org)[:5])
    if not latest:
        return []
    problems = selectors.submissions(org, quality="problems").count()
    newest = latest[0]
    # The day it was loaded is the figure; what it was reads beneath, so a long return's name
    # never fills the tile.
    tiles = [Tile("Latest submission", f"{timezone.localtime(newest.loaded_at):%-d %b}",
                  f"{newest.get_format_display()}, {newest.period_label or 'no period'}, "
                  f"{newest.get_status_display().lower()}, {count_of(newest.error_count, 'error')}, "
                  f"{count_of(newest.warning_count, 'warning')}",
                  reverse("casedata:submission", args=[org.slug, newest.pk]),
                  rag="red" if newest.error_count else ("amber" if newest.warning_count else "green"),
                  order=50, group="you"),
             Tile("Submissions with data quality problems", str(problems),
                  "refused, or loaded with errors, warnings or quarantined records",
                  f"{listing}?quality=problems", rag="amber" if problems else "", order=51, group="you")]
    waiting = selectors.awaiting_measures(org).count()
    if waiting:
        tiles.append(Tile("Submissions awaiting measures", str(waiting), "loaded; measures not yet computed",
                          listing, rag="amber", order=52, group="you"))
    return tiles
