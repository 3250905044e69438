"""The commissioning job the queue runs: loading a large payments file (a year of a council's
spend can be hundreds of thousands of rows). It takes only ids and plain values, and checks the
person's access again when it starts, so it can wait in the queue and run in the worker."""

from django.urls import reverse

from carestat.commissioning import services
from carestat.core.jobs import job_access, job_task, upload_path


@job_task("commissioning.payments")
def load_payments(job, progress, *, user_id: int, org_slug: str, file: str, name: str) -> str:
    """Load the uploaded payments file (in the job's upload folder; the queue deletes it after)."""
    access = job_access(user_id, org_slug)
    content = (upload_path(job) / file).read_bytes()
    services.import_payments(access, content, filename=name, progress=lambda msg: progress(0, 0, msg))
    return reverse("commissioning:payments", args=[org_slug])
