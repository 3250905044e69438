"""Approving and publishing a report each have a confirmation step, and the period picker is
grouped by kind with the current quarter chosen."""

import datetime as dt

from carestat.core.models import ReportingPeriod
from carestat.reports.forms import ReportForm
from carestat.reports.models import Report, ReportStatus


def _report(org, status="draft"):
    period = ReportingPeriod.objects.create(organisation=org, identifier="2026-27-Q2", kind="quarter",
                                           start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    return Report.objects.create(organisation=org, scope="organisation", period=period, title="Q2 report",
                                 status=status)


def test_opening_approve_asks_for_confirmation_and_changes_nothing(client, demoshire, manager):
    report = _report(demoshire)
    client.force_login(manager)
    page = client.get(f"/o/demoshire/reports/{report.pk}/approve/").content.decode()
    assert "Approve this report?" in page and "Yes, approve the report" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_opening_publish_asks_for_confirmation(client, demoshire, manager):
    report = _report(demoshire, status="approved")
    client.force_login(manager)
    page = client.get(f"/o/demoshire/reports/{report.pk}/publish/").content.decode()
    assert "Publish this report?" in page and "Yes, publish the report" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_the_period_picker_groups_periods_by_kind_and_chooses_the_current_quarter(demoshire, today):
    for identifier, kind, start, end in [
            ("2026-27", "year", dt.date(2026, 4, 1), dt.date(2027, 3, 31)),
            ("2026-27-H1", "half", dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
            ("2026-27-Q3", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
            ("2026-27-Q2", "quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
            ("2026-11", "month", dt.date(2026, 11, 1), dt.date(2026, 11, 30))]:
        ReportingPeriod.objects.create(organisation=demoshire, identifier=identifier, kind=kind, start=start, end=end)
    today("2026-12-04")
    form = ReportForm(demoshire)
    groups = [(label, [v for v, _ in options]) for label, options in form.fields["period"].choices[1:]]
    assert groups == [("Financial years", ["2026-27"]), ("Half years", ["2026-27-H1"]),
                      ("Quarters", ["2026-27-Q3", "2026-27-Q2"]), ("Months", ["2026-11"])]
    assert form["period"].value() == "2026-27-Q3"
    html = str(form["period"])  # Django's own rendering keeps the groups too
    assert '<optgroup label="Quarters">' in html
