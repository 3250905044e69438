"""Long work in one durable queue, with visible progress.

Each kind of long work is a named task function, registered with ``@job_task("casedata.ingest")``
in its app's ``tasks.py``: ``fn(job, progress, **params)`` where ``params`` are ids and plain
values only, kept on the Job so a failed job can be queued again. ``enqueue_job`` records a Job and
queues it in the database (django-tasks' database backend); the ``carestat worker`` process runs
it. When ``CARESTAT_JOBS_INLINE`` is true (tests) the work runs at once in the calling process.

``progress(done, total, message)`` saves how far it has got; the job page refreshes itself (a meta
refresh, so no JavaScript is needed) until the job finishes, then links to the result.

Uploaded files a job reads live in ``job.upload_dir`` and are deleted when the job ends, whatever
the outcome: raw returns hold personal data. A job a restart interrupted is marked failed with
"interrupted by a restart; retry it" by the next worker to start (see ``recover_after_restart``).
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from carestat.core.changes import name_of
from carestat.core.errors import Conflict
from carestat.core.models import Job, JobStatus, Organisation, User
from carestat.core.tenancy import activate, scoped_to

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

# A job is tried at most this many times (the first run and two retries): a fault that fails three
# times is not going to pass on the fourth, and somebody should look at it.
MAX_ATTEMPTS = 3

INTERRUPTED = "Interrupted by a restart; retry it."

_TASKS: dict[str, object] = {}


def job_task(kind: str):
    """Register ``fn(job, progress, **params) -> result url`` as the named task for ``kind``.

    The task queued is ``fn``'s own module path (``carestat.casedata.tasks.load_returns``), taking
    only the job's id: everything else is on the Job row, so a retry needs nothing but the row."""

    def register(fn):
        @functools.wraps(fn)
        def run(job_id: int) -> str:
            return _run(job_id, fn)

        t = task()(run)
        _TASKS[kind] = t
        return t

    return register


def task_for(kind: str):
    if not _TASKS:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
    try:
        return _TASKS[kind]
    except KeyError:
        raise LookupError(f"No task is registered for jobs of kind {kind!r}; is its app's tasks.py imported?") from None


def job_access(user_id: int, org_slug: str):
    """The access of the person who started a job, checked again as it runs. A job queued from
    the command line without --as acts as the command line, as the command itself would."""
    from carestat.core.access import Access, get_access
    from carestat.core.models import Membership, Role
    from carestat.core.services import COMMAND_LINE_USERNAME

    user = User.objects.get(pk=user_id)
    if user.username == COMMAND_LINE_USERNAME:
        org = Organisation.objects.get(slug=org_slug)
        access = Access(user=user, organisation=org, membership=Membership(role=Role.ADMIN, organisation=org))
    else:
        access = get_access(user, org_slug)
    # The job runner already scopes the task to its job's organisation; a task whose person
    # names another (which the queue never records) then finds nothing of it.
    activate(access.organisation)
    return access


def upload_path(job: Job) -> Path | None:
    return Path(settings.UPLOADS_DIR) / job.upload_dir if job.upload_dir else None


def delete_upload(job: Job) -> None:
    """Delete the files a job was given. Raw returns hold personal data; only the pseudonymised
    store keeps anything, so this happens whatever the outcome."""
    path = upload_path(job)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def _progress_saver(job: Job) -> Progress:
    last = [0.0]

    def progress(done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        # Saving every call would slow a large load; twice a second is plenty for a person.
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        Job.unscoped.filter(pk=job.pk).update(done=max(0, done), total=max(0, total), message=message[:300])

    return progress


def _fail(job_id: int, message: str) -> None:
    Job.unscoped.filter(pk=job_id).update(status=JobStatus.FAILED, error=message[:5000], finished_at=timezone.now())


def _run(job_id: int, fn) -> str:
    # The runner is handed only a job's id, so it reads the row before any organisation is in
    # scope; the task itself then runs inside the job's organisation and nowhere else.
    job = Job.unscoped.get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        # Run already (a worker that died after finishing), or given up on: never run work twice.
        log.warning("job %s is %s, not queued; not running it again", job_id, job.status)
        return job.result_url
    Job.unscoped.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        with scoped_to(job.organisation_id):
            result_url = fn(job, _progress_saver(job), **job.params) or ""
    except Exception as exc:  # the job page shows what went wrong; nothing else is lost
        log.exception("job %s failed", job_id)
        message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        _fail(job.pk, message)
        if getattr(settings, "CARESTAT_JOBS_INLINE", False) and not getattr(exc, "message", None):
            traceback.print_exc()
        return ""
    except BaseException:  # told to stop (SIGTERM twice, Ctrl+C): say so and let the worker go
        _fail(job.pk, INTERRUPTED)
        raise
    else:
        Job.unscoped.filter(pk=job.pk).update(status=JobStatus.DONE, result_url=result_url,
                                             finished_at=timezone.now(), message="Finished")
        return result_url
    finally:
        delete_upload(job)


def _queue(job: Job) -> None:
    t = task_for(job.kind)
    if getattr(settings, "CARESTAT_JOBS_INLINE", False):
        t.call(job.pk)
        return

    def send():
        result = t.enqueue(job.pk)
        Job.unscoped.filter(pk=job.pk).update(task_result_id=str(result.id))

    # A worker must not pick the job up before the row (and whatever the caller saved with it)
    # is committed.
    transaction.on_commit(send)


def enqueue_job(organisation: Organisation, user: User | None, kind: str, title: str, *,
                params: dict | None = None, upload_dir: Path | None = None) -> Job:
    """Record a Job of ``kind`` and queue its named task. ``params`` are the task's keyword
    arguments (ids and plain values, stored as JSON); ``upload_dir`` is a folder under
    ``settings.UPLOADS_DIR`` holding files the job reads, deleted when the job ends."""
    rel = str(Path(upload_dir).relative_to(settings.UPLOADS_DIR)) if upload_dir else ""
    task_for(kind)  # refuse an unknown kind here, not in the worker
    job = Job.objects.create(organisation=organisation, started_by=user if user and user.pk else None,
                             kind=kind, title=title, params=params or {}, upload_dir=rel, attempts=1)
    _queue(job)
    job.refresh_from_db()
    return job


def retry_problem(job: Job) -> str | None:
    """Why ``job`` cannot be retried, in words, or None when it can."""
    if job.status != JobStatus.FAILED:
        return f"‘{job.title}’ has not failed, so there is nothing to retry."
    if job.attempts >= MAX_ATTEMPTS:
        return (f"‘{job.title}’ has been tried {job.attempts} times, the most allowed. Look at the error, "
                "fix its cause, and start the work again from its page.")
    if job.upload_dir:
        return (f"The files of ‘{job.title}’ were deleted when it stopped, because returns hold personal data. "
                "Load them again from ‘Load a return’.")
    return None


def retry_job(job_id: int, *, user: User | None) -> Job:
    """Queue a failed job again, within ``MAX_ATTEMPTS``. Raises Conflict saying why when it cannot be."""
    from carestat.core.audit import log_action

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        problem = retry_problem(job)
        if problem:
            raise Conflict(problem)
        job.status, job.error, job.message = JobStatus.QUEUED, "", "Queued again"
        job.done = job.total = 0
        job.finished_at = job.started_at = None
        job.attempts += 1
        job.task_result_id = ""  # the new attempt's queue row is recorded once it is queued
        job.save(update_fields=["status", "error", "message", "done", "total", "finished_at", "started_at",
                                "attempts", "task_result_id"])
        who = name_of(user, "CareStat")
        log_action("core.job.retried", actor=user, organisation=job.organisation, record=job,
                   message=f"{who} retried ‘{job.title}’ (attempt {job.attempts} of {MAX_ATTEMPTS})")
        _queue(job)
    job.refresh_from_db()
    return job


def abandon_job(task_result_id: str) -> None:
    """Record that the worker gave up on the job running as ``task_result_id``, from outside the
    job (the worker's watchdog thread): failed, its upload deleted, its queue row failed."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    job = Job.unscoped.filter(task_result_id=task_result_id).first()
    if job is not None:
        delete_upload(job)
        _fail(job.pk, INTERRUPTED)
    DBTaskResult.objects.filter(pk=task_result_id).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())


def recover_after_restart() -> tuple[int, int]:
    """What a worker does as it starts: jobs left running by a worker that died are marked failed
    (retryable), and upload folders no queued or running job needs are deleted.

    It assumes one worker per CareStat database, as ``make demo`` and the deployment notes run it:
    at start-up nothing else can be running a job. Returns (jobs marked failed, folders deleted)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale = list(Job.unscoped.filter(status=JobStatus.RUNNING).values_list("pk", flat=True))
    for pk in stale:
        _fail(pk, INTERRUPTED)
    now = timezone.now()
    DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).update(status=TaskResultStatus.FAILED,
                                                                        finished_at=now)
    # A queued job whose queue row is no longer waiting (claimed by the worker that died before the
    # job started), or has none a minute after it was recorded (a crash between commit and
    # on_commit), would wait for ever. The minute leaves alone a job a request is queueing now.
    ready = [str(i) for i in DBTaskResult.objects.ready().values_list("id", flat=True)]
    lost = Job.unscoped.filter(status=JobStatus.QUEUED).filter(
        (~Q(task_result_id="") & ~Q(task_result_id__in=ready))
        | Q(task_result_id="", created_at__lt=now - timedelta(minutes=1)))
    lost = list(lost.values_list("pk", flat=True))
    for pk in lost:
        _fail(pk, INTERRUPTED)
    lost_count = len(lost)
    # The failed jobs' files go with the rest: only queued jobs still need theirs.
    return len(stale) + lost_count, _delete_orphaned_uploads()


def _delete_orphaned_uploads() -> int:
    root = Path(settings.UPLOADS_DIR)
    if not root.is_dir():
        return 0
    wanted = {root / d for d in Job.unscoped.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
              .exclude(upload_dir="").values_list("upload_dir", flat=True)}
    deleted = 0
    # Upload folders are UPLOADS_DIR/<organisation slug>/<random hex>.
    for org_dir in root.iterdir():
        if not org_dir.is_dir():
            continue
        for folder in org_dir.iterdir():
            if folder not in wanted:
                shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
                deleted += 1
    return deleted


def cli_progress(stream) -> Progress:
    """Progress for the command line: one line per message, with a percentage when known."""
    last = {"message": None, "pct": -1}

    def progress(done: int, total: int, message: str = "") -> None:
        pct = int(100 * done / total) if total else None
        if message != last["message"] or (pct is not None and pct // 10 != last["pct"] // 10):
            stream.write(f"  {message}" + (f" ({pct}%)" if pct is not None else "") + "\n")
            stream.flush()
            last["message"], last["pct"] = message, pct if pct is not None else -1

    return progress
