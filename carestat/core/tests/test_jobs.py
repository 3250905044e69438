import pytest

from carestat.core.jobs import start_job
from carestat.core.models import Job, JobStatus


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


def test_a_job_records_its_progress_and_result(demoshire, admin):
    seen = []

    def work(job, progress):
        for i in range(1, 4):
            progress(i, 3, f"step {i}")
            seen.append(Job.objects.get(pk=job.pk).done)
        return "/somewhere/"

    job = start_job(demoshire, admin, "test", "Three steps", work)
    assert job.status == JobStatus.DONE and job.result_url == "/somewhere/"
    assert job.done == 3 and job.total == 3 and job.percent == 100
    assert seen[-1] == 3  # the last step is always saved


def test_a_failing_job_says_why(demoshire, admin):
    from carestat.core.errors import InvalidInput

    def work(job, progress):
        raise InvalidInput("episodes.csv row 7, DECOM: '31/13/2024' is not a date")

    job = start_job(demoshire, admin, "test", "Bad file", work)
    assert job.status == JobStatus.FAILED
    assert job.error == "episodes.csv row 7, DECOM: '31/13/2024' is not a date"


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
