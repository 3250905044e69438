"""The reports list page and the API hold the same reports, and pages, API, jobs and the
command find a scope's latest published report alike (carestat.reports.selectors)."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from carestat.plans.tests.builders import quarter
from carestat.reports import selectors, services
from carestat.reports.models import Report, ReportStatus


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    # Publishing queues the files job; these tests read lists, so it is left in the queue.
    settings.CARESTAT_JOBS_INLINE = False


def _other_councils_report(westmarch):
    period = quarter(westmarch, "2026-27-Q2", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    return Report.objects.create(organisation=westmarch, scope="organisation", period=period,
                                 title="Westmarch: performance report", status=ReportStatus.PUBLISHED,
                                 published_at=timezone.now())


def test_the_reports_page_and_api_list_the_same_reports_and_none_of_another_council(client, world, westmarch):
    access = world["manager_access"]
    draft = services.create_report(access, period=world["q3"], scope="plan", plan=world["plan"])
    published = services.create_report(access, period=world["q2"], scope="organisation")
    services.approve_report(access, published)
    services.publish_report(access, published)
    _other_councils_report(westmarch)
    # a viewer sees no drafts (unless the organisation allows it); a manager sees them too
    for role, expected in (("viewer", {published.pk}), ("manager", {draft.pk, published.pk})):
        client.force_login(world["cast"][role])
        page = client.get("/o/demoshire/reports/").content.decode()
        on_page = {int(x) for x in re.findall(r'href="/o/demoshire/reports/(\d+)/"', page)}
        in_api = {row["id"] for row in client.get("/api/v1/organisations/demoshire/reports").json()}
        assert on_page == in_api == expected, role


def test_the_latest_published_report_is_the_one_the_command_uses_and_the_next_draft_compares_with(world,
                                                                                                   tmp_path,
                                                                                                   westmarch):
    access = world["manager_access"]
    first, second = (services.create_report(access, period=world["q2"], scope="plan", plan=world["plan"],
                                            title=t) for t in ("Q2 first", "Q2 corrected"))
    for r in (first, second):
        services.approve_report(access, r)
        services.publish_report(access, r)
    services.create_report(access, period=world["q2"], scope="plan", plan=world["plan"], title="Q2 draft")
    _other_councils_report(westmarch)
    latest = selectors.latest_published(world["org"], world["q2"], scope="plan", plan=world["plan"])
    assert latest == second
    assert selectors.latest_published(world["org"], world["q2"], scope="organisation") is None
    err = io.StringIO()
    call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(world["plan"].pk),
                 "--format", "html", "-o", str(tmp_path / "r.html"), stdout=io.StringIO(), stderr=err)
    assert f"Using the published report ‘Q2 corrected’ (id {second.pk}" in err.getvalue()
    q3 = services.create_report(access, period=world["q3"], scope="plan", plan=world["plan"])
    assert q3.snapshot["changes"]["previous"]["id"] == second.pk


def test_a_report_on_another_councils_plan_is_refused_by_the_api_and_the_command(client, world, westmarch):
    from carestat.plans.tests.builders import small_plan

    outsider = world["cast"]["outsider"]
    theirs = small_plan(westmarch, outsider, outsider)["plan"]
    client.force_login(world["cast"]["manager"])
    r = client.post("/api/v1/organisations/demoshire/reports", {"period": "2026-27-Q2", "scope": "plan",
                                                               "plan_id": theirs.pk}, content_type="application/json")
    assert r.status_code == 404
    with pytest.raises(CommandError, match=f"^Demoshire County Council has no plan with id {theirs.pk}$"):
        call_command("report", "--org", "demoshire", "--period", "2026-27-Q2", "--plan", str(theirs.pk),
                     "--format", "html", "-o", "/dev/null", stdout=io.StringIO(), stderr=io.StringIO())
