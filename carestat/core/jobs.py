"""Running long work in the background with visible progress.

``start_job`` records a Job and runs ``work(job, progress)`` in a background thread of the
web process (or at once when ``CARESTAT_JOBS_INLINE`` is true, as in tests). ``progress(done,
total, message)`` saves how far it has got; the job page refreshes itself (a meta refresh, so
no JavaScript is needed) until the job finishes, then links to the result.

A thread is enough for a self-hosted council instance; the work functions take only ids and
plain values so a proper queue can replace this without changing them.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from carestat.core.models import Job, JobStatus, Organisation, User

log = logging.getLogger(__name__)

Work = Callable[[Job, Callable[[int, int, str], None]], str | None]


def _progress_saver(job: Job) -> Callable[[int, int, str], None]:
    last = [0.0]

    def progress(done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        # Saving every call would slow a large load; twice a second is plenty for a person.
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        Job.objects.filter(pk=job.pk).update(done=max(0, done), total=max(0, total), message=message[:300])

    return progress


def _run(job_id: int, work: Work, *, own_connection: bool) -> None:
    if own_connection:
        close_old_connections()
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    try:
        result_url = work(job, _progress_saver(job)) or ""
    except Exception as exc:  # the job page shows what went wrong; nothing else is lost
        log.exception("job %s failed", job_id)
        message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=message[:5000],
                                             finished_at=timezone.now())
        if getattr(settings, "CARESTAT_JOBS_INLINE", False) and not getattr(exc, "message", None):
            traceback.print_exc()
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, result_url=result_url,
                                             finished_at=timezone.now(), message="Finished")
    finally:
        if own_connection:
            close_old_connections()


def start_job(organisation: Organisation, user: User | None, kind: str, title: str, work: Work) -> Job:
    job = Job.objects.create(organisation=organisation, started_by=user if user and user.pk else None,
                             kind=kind, title=title)
    if getattr(settings, "CARESTAT_JOBS_INLINE", False):
        _run(job.pk, work, own_connection=False)
    else:
        threading.Thread(target=_run, args=(job.pk, work), kwargs={"own_connection": True},
                         name=f"carestat-job-{job.pk}", daemon=True).start()
    job.refresh_from_db()
    return job


def cli_progress(stream) -> Callable[[int, int, str], None]:
    """Progress for the command line: one line per message, with a percentage when known."""
    last = {"message": None, "pct": -1}

    def progress(done: int, total: int, message: str = "") -> None:
        pct = int(100 * done / total) if total else None
        if message != last["message"] or (pct is not None and pct // 10 != last["pct"] // 10):
            stream.write(f"  {message}" + (f" ({pct}%)" if pct is not None else "") + "\n")
            stream.flush()
            last["message"], last["pct"] = message, pct if pct is not None else -1

    return progress
