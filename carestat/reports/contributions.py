"""What reports add to the home page, by role: a manager sees the drafts awaiting approval; a
viewer (a director, a councillor) the latest published reports."""

from __future__ import annotations

from django.urls import reverse

from carestat.core.contributions import Tile
from carestat.core.models import Role
from carestat.core.permissions import Perm
from carestat.reports import selectors
from carestat.reports.models import ReportStatus


def home_tiles(access, period) -> list[Tile]:
    org = access.organisation
    listing = reverse("reports:list", args=[org.slug])
    tiles: list[Tile] = []
    if access.can(Perm.MANAGE):
        drafts = selectors.reports(org, status=ReportStatus.DRAFT).count()
        approved = selectors.reports(org, status=ReportStatus.APPROVED).count()
        tiles.append(Tile("Reports to approve", str(drafts),
                          f"{approved} approved and not yet published" if approved else "",
                          f"{listing}?status=draft", rag="amber" if drafts else "", order=12, group="you"))
    if access.role in (Role.VIEWER, Role.AUDITOR):
        for report in selectors.latest_published_reports(org):
            tiles.append(Tile(report.title, report.period.title,
                              f"published {report.published_at:%-d %B %Y}" if report.published_at else "published",
                              reverse("reports:report", args=[org.slug, report.pk]), order=35, group="you"))
    return tiles
