"""The report jobs the queue runs: drafting, refreshing, and making a published report's files.

Each takes only ids and plain values, and checks the person's access again when it starts, so
it can wait in the queue and run in the worker process."""

from django.urls import reverse

from carestat.core.access import get_period_for_user
from carestat.core.jobs import job_access as _access
from carestat.core.jobs import job_task
from carestat.reports import services
from carestat.reports.access import get_report_for_user
from carestat.reports.selectors import scope_from


@job_task("reports.draft")
def draft_report(job, progress, *, user_id: int, org_slug: str, period: str, covers: str, title: str,
                 main_messages: str = "") -> str:
    access = _access(user_id, org_slug)
    report = services.create_report(access, period=get_period_for_user(access, period), title=title,
                                    main_messages=main_messages, progress=progress,
                                    **scope_from(access, covers))
    return reverse("reports:report", args=[org_slug, report.pk])


@job_task("reports.refresh")
def refresh_report(job, progress, *, user_id: int, org_slug: str, report_id: int) -> str:
    access = _access(user_id, org_slug)
    report = services.refresh_report(access, get_report_for_user(access, report_id), progress=progress)
    return reverse("reports:report", args=[org_slug, report.pk])


@job_task("reports.files")
def make_report_files(job, progress, *, user_id: int, org_slug: str, report_id: int) -> str:
    access = _access(user_id, org_slug)
    services.prepare_files(access, get_report_for_user(access, report_id), progress=progress)
    return reverse("reports:report", args=[org_slug, report_id])
