"""What report pages, the API, the jobs and the command line read: the list of reports, what
a report covers (its scope), and the latest published report for a scope, each written once.

Each reads one organisation's rows only; none changes anything."""

from __future__ import annotations

from django.db.models import QuerySet

from carestat.core.access import Access, get_unit_for_user
from carestat.core.models import Organisation, ReportingPeriod
from carestat.reports.access import can_see_drafts, get_remit_for_user
from carestat.reports.models import Report, ReportStatus

SCOPE_OBJECTS = ("plan", "unit", "remit")


def reports(org: Organisation, *, status: str = "") -> QuerySet[Report]:
    """The organisation's current reports (a version replaced by a later one is read from its
    report's version history instead); only those of one status (draft, approved, published)
    when ``status`` names one. Drafts included: see ``visible_reports`` for what a person sees."""
    rows = (Report.objects.filter(organisation=org, superseded_at__isnull=True)
            .select_related("period", "approved_by", "published_by", "reopened_by"))
    return rows.filter(status=status) if status in ReportStatus.values else rows


def visible_reports(access: Access, *, status: str = "") -> QuerySet[Report]:
    """The current reports this person may read, as the list page, the API, search and the
    home page show them: drafts only to those who may see drafts (``can_see_drafts``)."""
    rows = reports(access.organisation, status=status)
    return rows if can_see_drafts(access) else rows.exclude(status=ReportStatus.DRAFT)


def latest_published_reports(org: Organisation, limit: int = 3) -> QuerySet[Report]:
    """The most recently published reports, newest first."""
    return reports(org, status=ReportStatus.PUBLISHED).order_by("-published_at", "-pk")[:limit]


def covers(scope: str, pk: int | str | None = None) -> str:
    """The ‘covers’ value for a scope and the id of its plan, unit or remit: ``plan:12``,
    or ``organisation``. Jobs carry it, and ``scope_from`` reads it back."""
    return f"{scope}:{pk}" if scope in SCOPE_OBJECTS else "organisation"


def scope_from(access: Access, covers: str) -> dict:
    """Turn a ‘covers’ value into the scope arguments of the report services, through the
    scoped getters: another organisation's plan, unit or remit is a 404."""
    from carestat.plans.access import get_plan_for_user

    kind, _, pk = covers.partition(":")
    if kind == "plan":
        return {"scope": "plan", "plan": get_plan_for_user(access, pk)}
    if kind == "unit":
        return {"scope": "unit", "unit": get_unit_for_user(access, pk)}
    if kind == "remit":
        return {"scope": "remit", "remit": get_remit_for_user(access, pk)}
    return {"scope": "organisation"}


def latest_published(org: Organisation, period: ReportingPeriod, *, scope: str, plan=None, unit=None, remit=None,
                     earlier_too: bool = False, excluding: Report | None = None,
                     excluding_ids: list[int] | None = None) -> Report | None:
    """The latest published report on this scope for ``period``, or (``earlier_too``) for it
    or the latest period before it; ``excluding`` a report that is not to count (itself), and
    ``excluding_ids`` (its earlier versions). A published version since corrected never counts."""
    qs = Report.objects.filter(organisation=org, status=ReportStatus.PUBLISHED, scope=scope, plan=plan, unit=unit,
                               remit=remit, superseded_at__isnull=True)
    if excluding_ids:
        qs = qs.exclude(pk__in=excluding_ids)
    qs = qs.filter(period__start__lte=period.start) if earlier_too else qs.filter(period=period)
    if excluding is not None and excluding.pk:
        qs = qs.exclude(pk=excluding.pk)
    return qs.select_related("period").order_by("-period__start", "-published_at", "-pk").first()
