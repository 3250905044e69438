import os
import signal
import time
from pathlib import Path

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from carestat.core.errors import Conflict, InvalidInput
from carestat.core.jobs import INTERRUPTED, MAX_ATTEMPTS, enqueue_job, job_task, recover_after_restart, retry_job
from carestat.core.models import AuditEntry, Job, JobStatus

# Named tasks for these tests, registered like an app's tasks.py registers its own.


@job_task("test.steps")
def three_steps(job, progress, *, where: str) -> str:
    for i in range(1, 4):
        progress(i, 3, f"step {i}")
    return where


@job_task("test.bad_file")
def bad_file(job, progress) -> str:
    raise InvalidInput("episodes.csv row 7, DECOM: '31/13/2024' is not a date")


@job_task("test.fails_first_time")
def fails_first_time(job, progress) -> str:
    if job.attempts == 1:
        raise InvalidInput("The measures store was busy")
    return "/done/"


@job_task("test.reads_upload")
def reads_upload(job, progress, *, stop_after: float = 0) -> str:
    from carestat.core.jobs import upload_path

    assert (upload_path(job) / "children.csv").read_text() == "child,dob\n"
    if stop_after:  # a long load, during which the server is restarted
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(1, 100, "Reading children")
            time.sleep(0.01)
    return "/loaded/"


@pytest.fixture
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


# Tests of the queue commit for real, as the web process and the worker do (``queued_jobs``
# is in the top conftest.py).
queued = pytest.mark.django_db(transaction=True)


def _upload(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "children.csv").write_text("child,dob\n")
    return folder


def test_a_job_records_its_progress_and_result(inline_jobs, demoshire, admin):
    job = enqueue_job(demoshire, admin, "test.steps", "Three steps", params={"where": "/somewhere/"})
    assert job.status == JobStatus.DONE and job.result_url == "/somewhere/"
    assert job.done == 3 and job.total == 3 and job.percent == 100  # the last step is always saved
    assert job.attempts == 1


def test_a_failing_job_says_why(inline_jobs, demoshire, admin):
    job = enqueue_job(demoshire, admin, "test.bad_file", "Bad file")
    assert job.status == JobStatus.FAILED
    assert job.error == "episodes.csv row 7, DECOM: '31/13/2024' is not a date"


def test_an_unknown_kind_of_job_is_refused_before_anything_is_queued(inline_jobs, demoshire, admin):
    with pytest.raises(LookupError, match="test.nothing"):
        enqueue_job(demoshire, admin, "test.nothing", "Nothing")
    assert not Job.objects.exists()


@queued
def test_a_queued_job_waits_in_the_database_until_the_worker_runs_it(queued_jobs, demoshire, admin):
    job = enqueue_job(demoshire, admin, "test.steps", "Three steps", params={"where": "/somewhere/"})
    assert job.status == JobStatus.QUEUED
    queued = DBTaskResult.objects.get(pk=job.task_result_id)
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "carestat.core.tests.test_jobs.three_steps"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}

    queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_url == "/somewhere/" and job.percent == 100
    assert job.started_at is not None and job.finished_at is not None
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == TaskResultStatus.SUCCESSFUL


@queued
def test_the_worker_deletes_a_jobs_upload_when_it_succeeds_and_when_it_fails(queued_jobs, demoshire, admin,
                                                                             settings):
    root = Path(settings.UPLOADS_DIR) / "demoshire"
    ok = enqueue_job(demoshire, admin, "test.reads_upload", "Loading", upload_dir=_upload(root / "a1"))
    bad = enqueue_job(demoshire, admin, "test.bad_file", "Loading", upload_dir=_upload(root / "b2"))
    assert ok.upload_dir == "demoshire/a1" and (root / "a1" / "children.csv").is_file()

    queued_jobs()

    ok.refresh_from_db(), bad.refresh_from_db()
    assert (ok.status, bad.status) == (JobStatus.DONE, JobStatus.FAILED)
    assert list(root.iterdir()) == []


@queued
def test_a_stop_signal_during_a_long_load_leaves_a_failed_retryable_job_and_no_upload(queued_jobs, demoshire,
                                                                                       admin, settings):
    folder = _upload(Path(settings.UPLOADS_DIR) / "demoshire" / "c3")
    job = enqueue_job(demoshire, admin, "test.reads_upload", "Loading children", params={"stop_after": 10},
                      upload_dir=folder)

    started = time.monotonic()
    queued_jobs(grace=0.2)  # the job signals the worker to stop, then runs on past the grace period

    job.refresh_from_db()
    assert time.monotonic() - started < 5  # abandoned after the grace period, not run to its end
    assert job.status == JobStatus.FAILED and job.error == INTERRUPTED == "Interrupted by a restart; retry it."
    assert not folder.exists()
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == TaskResultStatus.FAILED
    # Its files are gone, so the retry it offers is to load them again.
    assert "Load them again" in job.retry_problem


@queued
def test_the_worker_starting_up_fails_jobs_a_dead_worker_left_running_and_deletes_stray_uploads(
        queued_jobs, demoshire, admin, settings):
    root = Path(settings.UPLOADS_DIR) / "demoshire"
    left_running = enqueue_job(demoshire, admin, "test.steps", "Computing measures", params={"where": "/m/"})
    loading = enqueue_job(demoshire, admin, "test.reads_upload", "Loading", upload_dir=_upload(root / "d4"))
    waiting = enqueue_job(demoshire, admin, "test.reads_upload", "Loading later", upload_dir=_upload(root / "e5"))
    claimed = enqueue_job(demoshire, admin, "test.steps", "Computing again", params={"where": "/m/"})
    _upload(root / "f6")  # a folder whose request died before its job was recorded
    # A worker claimed the first two and was killed (SIGKILL, power cut) part-way through them,
    # and had claimed the third from the queue but not yet started it.
    Job.objects.filter(pk__in=[left_running.pk, loading.pk]).update(status=JobStatus.RUNNING)
    DBTaskResult.objects.filter(pk__in=[left_running.task_result_id, loading.task_result_id,
                                        claimed.task_result_id]).update(status=TaskResultStatus.RUNNING)

    assert recover_after_restart() == (3, 2)

    for job in (left_running, loading, waiting, claimed):
        job.refresh_from_db()
    assert left_running.status == loading.status == claimed.status == JobStatus.FAILED
    assert left_running.error == "Interrupted by a restart; retry it." and left_running.retry_problem is None
    assert sorted(p.name for p in root.iterdir()) == ["e5"]  # only the waiting job's files are kept
    assert waiting.status == JobStatus.QUEUED
    queued_jobs()
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.DONE and not (root / "e5").exists()


@queued
def test_a_failed_job_can_be_retried_and_the_retry_is_queued_and_run(queued_jobs, demoshire, manager):
    job = enqueue_job(demoshire, manager, "test.fails_first_time", "Computing measures")
    queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "The measures store was busy"

    job = retry_job(job.pk, user=manager)
    assert job.status == JobStatus.QUEUED and job.attempts == 2 and job.error == ""
    queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_url == "/done/"
    entry = AuditEntry.objects.get(action="core.job.retried")
    assert entry.message == "Priya Shah retried ‘Computing measures’ (attempt 2 of 3)"


def test_a_job_is_tried_at_most_three_times(inline_jobs, demoshire, manager):
    job = enqueue_job(demoshire, manager, "test.bad_file", "Bad file")
    for attempt in range(2, MAX_ATTEMPTS + 1):
        job = retry_job(job.pk, user=manager)
        assert job.status == JobStatus.FAILED and job.attempts == attempt
    with pytest.raises(Conflict, match="has been tried 3 times, the most allowed"):
        retry_job(job.pk, user=manager)
    assert Job.objects.get(pk=job.pk).attempts == 3


def test_only_a_failed_job_can_be_retried(inline_jobs, demoshire, manager):
    job = enqueue_job(demoshire, manager, "test.steps", "Three steps", params={"where": "/x/"})
    with pytest.raises(Conflict, match="has not failed"):
        retry_job(job.pk, user=manager)


def test_the_job_page_refreshes_itself_until_finished(client, viewer, demoshire):
    job = Job.objects.create(organisation=demoshire, kind="t", title="Loading", status="running", done=1, total=4,
                             message="reading children")
    client.force_login(viewer)
    page = client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "reading children: 25% done" in page
    Job.objects.filter(pk=job.pk).update(status="done", result_url="/o/demoshire/")
    page = client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page and 'href="/o/demoshire/"' in page


def test_a_manager_retries_a_failed_job_from_its_page_and_a_viewer_sees_no_button(inline_jobs, client, manager,
                                                                                   viewer, demoshire):
    job = enqueue_job(demoshire, manager, "test.fails_first_time", "Computing measures")
    client.force_login(viewer)
    assert "Retry" not in client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    client.force_login(manager)
    page = client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    assert "The measures store was busy" in page and f'action="/o/demoshire/jobs/{job.pk}/retry/"' in page
    assert "This was attempt 1; 3 are allowed." in page
    response = client.post(f"/o/demoshire/jobs/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/o/demoshire/jobs/{job.pk}/"
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_load_whose_files_were_deleted_offers_to_load_them_again_not_to_retry(client, manager, demoshire):
    job = Job.objects.create(organisation=demoshire, kind="casedata.ingest", title="Loading cin.csv",
                             status="failed", error=INTERRUPTED, attempts=1, upload_dir="demoshire/0a1b")
    client.force_login(manager)
    page = client.get(f"/o/demoshire/jobs/{job.pk}/").content.decode()
    assert "/retry/" not in page and 'href="/o/demoshire/data/load/"' in page
    assert "were deleted when it stopped, because returns hold personal data" in page


def test_the_api_gives_a_jobs_status_and_retries_it(inline_jobs, client, manager, viewer, demoshire):
    from carestat.core import services

    job = enqueue_job(demoshire, manager, "test.fails_first_time", "Computing measures")
    _, token = services.create_api_token(manager, "t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = client.get(f"/api/v1/organisations/demoshire/jobs/{job.pk}", **h).json()
    assert body["status"] == "failed" and body["error"] == "The measures store was busy"
    assert body["retryable"] is True and body["attempts"] == 1 and body["result_url"] == ""
    r = client.post(f"/api/v1/organisations/demoshire/jobs/{job.pk}/retry", **h)
    assert r.status_code == 202 and r.json()["status"] == "done" and r.json()["result_url"] == "/done/"
    again = client.post(f"/api/v1/organisations/demoshire/jobs/{job.pk}/retry", **h)
    assert again.status_code == 409 and "has not failed" in again.json()["detail"]
    _, viewer_token = services.create_api_token(viewer, "v")
    assert client.post(f"/api/v1/organisations/demoshire/jobs/{job.pk}/retry",
                       HTTP_AUTHORIZATION=f"Bearer {viewer_token}").status_code == 403


def test_a_worker_that_gives_up_on_a_stuck_job_records_it_as_interrupted_and_deletes_its_upload(
        inline_jobs, demoshire, admin, settings):
    from carestat.core.jobs import abandon_job

    folder = _upload(Path(settings.UPLOADS_DIR) / "demoshire" / "g7")
    queue_row = DBTaskResult.objects.create(task_path="carestat.casedata.tasks.load_returns", backend_name="default",
                                            status=TaskResultStatus.RUNNING, args_kwargs={"args": [], "kwargs": {}})
    job = Job.objects.create(organisation=demoshire, kind="casedata.ingest", title="Loading", status="running",
                             upload_dir="demoshire/g7", task_result_id=str(queue_row.pk), attempts=1)

    abandon_job(str(queue_row.pk))  # what the watchdog does when the job never returns to Python

    job.refresh_from_db(), queue_row.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == INTERRUPTED
    assert queue_row.status == TaskResultStatus.FAILED and not folder.exists()


def test_the_demo_stopping_a_worker_that_will_not_stop_kills_it_and_fails_its_job(demoshire, admin):
    import subprocess
    import sys

    from carestat.core.management.commands.demo import stop_worker

    job = Job.objects.create(organisation=demoshire, kind="casedata.recompute", title="Computing", status="running")
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
                                 "signal.SIG_IGN); print(flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    stubborn.stdout.readline()  # it ignores SIGTERM from here on

    stop_worker(stubborn, grace=-9.5)  # waits half a second, then kills it
    stubborn.stdout.close()

    assert stubborn.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == INTERRUPTED
