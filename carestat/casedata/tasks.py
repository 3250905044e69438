"""The case-data jobs the queue runs: loading returns and computing measures from them.

Each takes only ids and plain values, and checks the person's access again when it starts, so
it can wait in the queue and run in the worker process."""

from django.urls import reverse

from carestat.casedata import services
from carestat.core.jobs import job_access, job_task, upload_path


@job_task("casedata.ingest")
def load_returns(job, progress, *, user_id: int, org_slug: str, files: list[str], names: list[str],
                 options: dict) -> str:
    """Load the uploaded return files (in the job's upload folder; the queue deletes them after)."""
    folder = upload_path(job)
    access = job_access(user_id, org_slug)
    submission = services.ingest(access, [folder / f for f in files], names=names, progress=progress, **options)
    return reverse("casedata:submission", args=[org_slug, submission.pk])


@job_task("casedata.recompute")
def compute_measures(job, progress, *, user_id: int, org_slug: str, back: str, period: str | None = None) -> str:
    services.recompute(job_access(user_id, org_slug), period=period, progress=progress)
    return back
