import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

from carestat.core.management.base import CareStatCommand


class Command(CareStatCommand):
    help = (
        "Set up the demo: apply migrations, load the fictional Demoshire County Council if it is "
        "not there yet (through the real import paths), print the demo sign-ins, then serve, with a "
        "`carestat worker` beside the server to run the queued jobs (stopped when the server stops)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only load the demo; do not serve")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **opts):
        from carestat import demo

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        loaded = demo.load(progress=lambda msg: self.stdout.write(f"  {msg}"))
        done = "Loaded the demo council." if loaded else "The demo council is already loaded."
        self.stdout.write(self.style.SUCCESS(done))
        self.stdout.write("\nDemo sign-ins (every demo account's password is " + demo.PASSWORD + "):")
        for email, name, role, org in demo.SIGN_INS:
            self.stdout.write(f"  {role:<12} {email:<36} {name} ({org})")
        self.stdout.write("")
        if not opts["no_serve"]:
            # The sign-in page lists the demo accounts while the demo is served (and the worker,
            # started below, inherits the environment).
            os.environ["CARESTAT_DEMO"] = "true"
            settings.CARESTAT_DEMO = True
            worker = start_worker()
            # SIGTERM (a service manager, `kill`) must stop the worker too, not orphan it: turn it
            # into an ordinary exit so the `finally` below runs.
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
            try:
                call_command("serve", port=opts["port"])
            finally:
                stop_worker(worker)


def start_worker() -> subprocess.Popen:
    # Its own session, so Ctrl+C at the terminal reaches only the server; the worker is then
    # stopped with SIGTERM and given its grace period to finish the job it is running.
    return subprocess.Popen([sys.executable, "-m", "carestat.cli", "worker"], start_new_session=True)


def stop_worker(worker: subprocess.Popen, *, grace: float = 5.0) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=grace + 10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        # Killed mid-job: do now what the next worker would do as it starts, so no job is left
        # "running" and no uploaded return is left on disk.
        from carestat.core.jobs import recover_after_restart

        recover_after_restart()
