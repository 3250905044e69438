import logging
import os
import signal
import threading

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker

from carestat.analytics.words import count_of
from carestat.core.jobs import abandon_job, recover_after_restart
from carestat.core.management.base import CareStatCommand

log = logging.getLogger(__name__)

WATCHDOG_AFTER = 3.0  # seconds after the grace period


class Worker(QueueWorker):
    """django-tasks' database worker, told to give up on a job that outlasts the grace period
    after a stop signal: the job is marked failed ("Interrupted by a restart; retry it.") and its
    uploaded files deleted, rather than being cut off mid-way by the SIGKILL that follows."""

    def __init__(self, *, grace: float, **kwargs):
        super().__init__(**kwargs)
        self.grace = grace
        self.current = None
        self.watchdog = None

    def run_task(self, db_task_result) -> None:
        self.current = db_task_result
        try:
            super().run_task(db_task_result)
        finally:
            self.current = None
            if self.watchdog is not None:
                self.watchdog.cancel()

    def shutdown(self, signum, frame) -> None:
        super().shutdown(signum, frame)  # exits at once unless a job is running
        signal.signal(signal.SIGALRM, self._abandon)
        signal.setitimer(signal.ITIMER_REAL, max(self.grace, 0.01))
        # A signal handler runs only when the main thread is back in Python; a job deep in
        # DuckDB or lxml may not be for a long time. If the clean way has not worked a few
        # seconds later, record the interruption from another thread and exit.
        self.watchdog = threading.Timer(max(self.grace, 0.01) + WATCHDOG_AFTER, self._abandon_hard)
        self.watchdog.daemon = True
        self.watchdog.start()

    def _abandon(self, signum, frame) -> None:
        # SystemExit unwinds the job: carestat.core.jobs marks it failed, rolls back its
        # transaction and deletes its upload.
        raise SystemExit(1)

    def _abandon_hard(self) -> None:
        current = self.current
        if current is None:  # the job ended in time after all
            return
        try:
            abandon_job(str(current.pk))
        except Exception:  # the database may be locked by the job itself; the next start tidies up
            log.exception("could not record the interrupted job; the next worker to start will")
        os._exit(1)


class Command(CareStatCommand):
    help = (
        "Run the queued jobs (loading returns, computing measures, drafting reports and making their "
        "files), one at a time, until stopped. Run one worker per CareStat database. On start it marks "
        "jobs a restart interrupted as failed, so they can be retried, and deletes uploaded files no "
        "waiting job needs. On SIGTERM or Ctrl+C it lets the current job finish for --grace seconds, "
        "then marks it failed (retryable) and deletes its upload."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait before looking again when the queue is empty (default 1)")
        parser.add_argument("--grace", type=float, default=5.0,
                            help="Seconds a running job may go on after a stop signal (default 5)")
        parser.add_argument("--batch", action="store_true", help="Run the jobs waiting now, then stop")

    def handle(self, *args, **opts):
        failed, folders = recover_after_restart()
        if failed or folders:
            self.stdout.write(f"Marked {count_of(failed, 'job')} a restart interrupted as failed; "
                              f"deleted {count_of(folders, 'leftover upload folder')}.")
        worker = make_worker(interval=opts["interval"], grace=opts["grace"], batch=opts["batch"])
        self.stdout.write(self.style.SUCCESS("CareStat worker is running queued jobs (Ctrl+C to stop)"))
        self.stdout.flush()
        worker.configure_signals()
        worker.run()


def make_worker(*, interval: float = 1.0, grace: float = 5.0, batch: bool = False,
                max_tasks: int | None = None) -> Worker:
    return Worker(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                  startup_delay=False, max_tasks=max_tasks, worker_id=get_random_string(32),
                  excluded_queue_names=[], grace=grace)
