"""Case data on the home page: the latest submission and those with data quality problems, for
an auditor, linked to the submissions list filtered to the problems."""

from carestat.casedata.models import Submission


def test_an_auditor_sees_the_latest_submissions_quality_and_the_problems_list(client, demoshire, auditor, viewer):
    Submission.objects.create(organisation=demoshire, format="cin", files=["cin.xml"], status="current",
                              period_label="2025-26", error_count=0, warning_count=0)
    Submission.objects.create(organisation=demoshire, format="cin", files=["bad.xml"], status="rejected",
                              rejection_reason="Not valid XML")
    client.force_login(auditor)
    html = client.get("/o/demoshire/").content.decode()
    tile = html.split('href="/o/demoshire/data/?quality=problems">Submissions with data quality problems</a>')[1]
    assert '<p class="app-tile__value">1</p>' in tile.split("</li>")[0]
    latest = html.split(">Latest submission</a>")[1].split("</li>")[0]
    # The figure is the day it was loaded; what it was (the refused return) reads beneath.
    assert '<p class="app-tile__value">CIN' not in latest
    assert "CIN census (XML), no period, rejected: not loaded, 0 errors, 0 warnings" in latest
    listed = client.get("/o/demoshire/data/?quality=problems").content.decode()
    assert "bad.xml" in listed and "cin.xml" not in listed
    client.force_login(viewer)
    assert "Submissions with data quality problems" not in client.get("/o/demoshire/").content.decode()
