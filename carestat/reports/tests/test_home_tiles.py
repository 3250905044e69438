"""Reports on the home page: drafts to approve for a manager, the latest published for a viewer."""

import datetime as dt

from django.utils import timezone

from carestat.core.models import ReportingPeriod
from carestat.reports.models import Report


def _reports(org):
    period = ReportingPeriod.objects.create(organisation=org, identifier="2026-27-Q2", kind="quarter",
                                            start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    Report.objects.create(organisation=org, scope="organisation", period=period, title="Q2 draft")
    Report.objects.create(organisation=org, scope="organisation", period=period, title="Q1 integrated report",
                          status="published", published_at=timezone.now())


def test_a_manager_sees_drafts_to_approve_linked_to_the_list_of_drafts(client, demoshire, manager):
    _reports(demoshire)
    client.force_login(manager)
    html = client.get("/o/demoshire/").content.decode()
    tile = html.split('href="/o/demoshire/reports/?status=draft">Reports to approve</a></h3>')[1].split("</li>")[0]
    assert '<p class="app-tile__value">1</p>' in tile
    drafts = client.get("/o/demoshire/reports/?status=draft").content.decode()
    assert "Q2 draft" in drafts and "Q1 integrated report" not in drafts


def test_a_viewer_sees_the_latest_published_report_and_no_drafts(client, demoshire, viewer):
    _reports(demoshire)
    client.force_login(viewer)
    html = client.get("/o/demoshire/").content.decode()
    assert "Q1 integrated report</a>" in html and "Reports to approve" not in html
