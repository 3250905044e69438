import datetime as dt

from carestat.casedata.models import SavedForecast, Submission
from carestat.measures.models import MeasureValue
from carestat.reports import services
from carestat.reports.models import Remit
from carestat.reports.tests.helpers import pdf_text, xlsx_sheets


def test_an_organisation_report_covers_every_plan_and_every_measure(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="organisation")
    assert [s["title"] for s in report.snapshot["sections"]] == ["Backlog clearance"]
    assert [m["code"] for m in report.snapshot["measures"]] == ["OT28"]
    assert report.snapshot["scope"]["label"] == "Demoshire County Council"


def test_a_unit_report_covers_the_plans_the_unit_owns(world):
    report = services.create_report(world["manager_access"], period=world["q2"], scope="unit", unit=world["adults"])
    assert [s["plan"] for s in report.snapshot["sections"]] == ["Adult social care improvement"]
    other = services.create_report(world["manager_access"], period=world["q2"], scope="unit", unit=world["ot"])
    assert other.snapshot["sections"] == []


def test_a_board_remit_covers_its_chosen_plans_and_measures(world):
    remit = Remit.objects.create(organisation=world["org"], name="Health and Adult Social Care Scrutiny")
    remit.measures.add(world["measure"])
    report = services.create_report(world["manager_access"], period=world["q2"], scope="remit", remit=remit)
    assert report.snapshot["sections"] == [] and [m["code"] for m in report.snapshot["measures"]] == ["OT28"]
    text = pdf_text(services.render(report, "pdf"))
    assert "Other measures" in text and "OT28" in text


def test_a_saved_backlog_forecast_is_reported_with_its_clearance_dates(world):
    SavedForecast.objects.create(
        organisation=world["org"], title="OT assessment backlog", work_type="ot_assessment",
        as_of=dt.date(2026, 9, 28),
        result={"horizon_weeks": 1, "assumptions": [], "history": [
            {"week_start": "2026-09-21", "arrivals": 30, "completions": 25, "backlog": 412}],
            "scenarios": [{"name": "Current capacity", "clears": False, "clearance_date": None, "description": "",
                           "projection": [{"week_start": "2026-09-28", "week_end": "2026-10-04", "central": 417,
                                           "low": 400, "high": 430, "extra": 0}]},
                          {"name": "With 10 extra a week", "clears": True, "clearance_date": "2027-06-27",
                           "description": "", "projection": [{"week_start": "2026-09-28", "week_end": "2026-10-04",
                                                              "central": 407, "low": 390, "high": 420,
                                                              "extra": 10}]}]})
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    text = pdf_text(services.render(report, "pdf"))
    assert "OT assessment backlog" in text and "backlog 412" in text
    # the milestones table: scenario, clearance date, likely range, actual so far
    assert "With 10 extra a week 27 June 2027" in text
    assert "Current capacity Does not clear within the forecast" in text
    sheets = xlsx_sheets(services.render(report, "xlsx"))
    assert ["OT assessment backlog", dt.datetime(2026, 9, 28), 412, "Current capacity", "No", None, None,
            None] in sheets["Forecasts"]
    assert ["OT assessment backlog", "With 10 extra a week", "Yes", dt.datetime(2027, 6, 27)] in [
        [r[0], r[3], r[4], r[5]] for r in sheets["Forecasts"]]


def test_data_quality_lists_the_submissions_feeding_the_measures_and_records_excluded(world):
    sub = Submission.objects.create(organisation=world["org"], format="case_events", files=["events.csv"],
                                    status="current", period_label="2026-27-Q2", period_start=dt.date(2026, 7, 1),
                                    period_end=dt.date(2026, 9, 30), quarantined_records=3,
                                    quarantine_reasons={"missing referral date": 3})
    MeasureValue.objects.filter(measure=world["measure"], period="2026-27-Q2").update(submissions=[f"S{sub.pk}"])
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    row = report.snapshot["data_quality"]["submissions"][0]
    assert row["feeds_measures"] == ["OT28"] and row["quarantined"] == 3
    assert "3 (missing referral date: 3)" in pdf_text(services.render(report, "pdf"))
    public = pdf_text(services.render(report, "pdf", public=True))
    assert "missing referral date: fewer than 5" in public.replace("\n", " ")
