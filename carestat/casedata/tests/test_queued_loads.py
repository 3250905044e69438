"""Loading a return through the queue, as the web page and the worker do it (not inline)."""

import os
import signal
import time
from pathlib import Path

import pytest

from carestat.analytics.demo import write_children_demo
from carestat.casedata import tasks
from carestat.casedata.models import Submission
from carestat.core.jobs import INTERRUPTED
from carestat.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def cin_file(tmp_path_factory):
    files = write_children_demo(tmp_path_factory.mktemp("children"), seed=7, years=(2024,), cin_children=200,
                                lac_children=40)
    return files["cin"][0]


def _upload(client, path) -> Job:
    with path.open("rb") as fh:
        response = client.post("/o/demoshire/data/load/", {"return_files": fh})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    return Job.objects.get()


def test_an_uploaded_return_waits_in_the_queue_and_the_worker_loads_it_then_deletes_it(
        client, manager, cin_file, settings, queued_jobs):
    client.force_login(manager)
    job = _upload(client, cin_file)
    folder = Path(settings.UPLOADS_DIR) / job.upload_dir
    assert job.status == JobStatus.QUEUED and (folder / cin_file.name).is_file()
    assert "Waiting to start" in client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()

    queued_jobs()

    job.refresh_from_db()
    submission = Submission.objects.get()
    assert job.status == JobStatus.DONE, job.error
    assert job.result_url == f"/o/demoshire/data/{submission.pk}/"
    assert not folder.exists()


def test_a_restart_during_a_long_load_leaves_a_failed_retryable_job_and_no_upload(
        client, manager, cin_file, settings, queued_jobs, monkeypatch):
    real_ingest = tasks.services.ingest

    def ingest_until_restarted(access, paths, *, progress, **kwargs):
        def progress_then_restart(done, total, message=""):
            progress(done, total, message)
            # The service manager stops the worker part-way through the load, and the load runs
            # on past the worker's grace period.
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)

        return real_ingest(access, paths, progress=progress_then_restart, **kwargs)

    monkeypatch.setattr(tasks.services, "ingest", ingest_until_restarted)
    client.force_login(manager)
    job = _upload(client, cin_file)
    folder = Path(settings.UPLOADS_DIR) / job.upload_dir

    queued_jobs(grace=0.2)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == INTERRUPTED
    assert not folder.exists() and not any(Path(settings.UPLOADS_DIR).rglob("*.csv"))
    assert not Submission.objects.exists()  # nothing half-loaded
    page = client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    assert "Interrupted by a restart; retry it." in page
    assert "Load them again" in page and 'href="/o/demoshire/data/load/"' in page


def test_the_command_line_queues_the_same_load_on_a_copy_and_keeps_the_operators_file(
        demoshire, cin_file, settings, queued_jobs):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("ingest", str(cin_file), "--org", "demoshire", "--queue", stdout=out)
    job = Job.objects.get()
    assert f"Queued job {job.pk}: Loading {cin_file.name}" in out.getvalue()
    assert job.kind == "casedata.ingest" and job.status == JobStatus.QUEUED
    assert (Path(settings.UPLOADS_DIR) / job.upload_dir / cin_file.name).read_bytes() == cin_file.read_bytes()

    queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert Submission.objects.get().loaded_by.username == "command-line"
    assert not (Path(settings.UPLOADS_DIR) / job.upload_dir).exists() and cin_file.is_file()


def test_the_command_line_queues_a_recompute_for_the_worker(manager, client, cin_file, queued_jobs):
    from io import StringIO

    from django.core.management import call_command

    client.force_login(manager)
    _upload(client, cin_file)
    queued_jobs()
    call_command("recompute", "--org", "demoshire", "--queue", stdout=StringIO())
    job = Job.objects.get(kind="casedata.recompute")
    assert job.status == JobStatus.QUEUED and job.params["period"] is None
    queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_url == "/o/demoshire/data/", job.error
