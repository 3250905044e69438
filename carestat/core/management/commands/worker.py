import signal

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker

from carestat.core.jobs import recover_after_restart
from carestat.core.management.base import CareStatCommand


class Worker(QueueWorker):
    """django-tasks' database worker, told to give up on a job that outlasts the grace period
    after a stop signal: the job is marked failed ("interrupted by a restart; retry it") and its
    uploaded files deleted, rather than being cut off mid-way by the SIGKILL that follows."""

    def __init__(self, *, grace: float, **kwargs):
        super().__init__(**kwargs)
        self.grace = grace

    def shutdown(self, signum, frame) -> None:
        super().shutdown(signum, frame)  # exits at once unless a job is running
        if self.grace > 0:
            signal.signal(signal.SIGALRM, self._abandon)
            signal.setitimer(signal.ITIMER_REAL, self.grace)
        else:
            self._abandon(signum, frame)

    def _abandon(self, signum, frame) -> None:
        # SystemExit unwinds the job: carestat.core.jobs marks it failed and deletes its upload.
        raise SystemExit(1)


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
            self.stdout.write(f"Marked {failed} interrupted job(s) failed (retryable); "
                              f"deleted {folders} leftover upload folder(s).")
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
