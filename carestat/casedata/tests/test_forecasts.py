"""Backlog forecasts through the pages, the API-free service and the command line.

The case events are built so the arithmetic is plain: 400 OT assessments waiting, then 14
weeks in which 50 arrive and 50 are completed each week. Current capacity never clears the
400; 40 extra completions a week clear it in 400 / 40 = 10 weeks.
"""

import csv
import datetime as dt
import json

import pytest
from django.core.management import call_command

from carestat.casedata import forecasting, services
from carestat.casedata.models import SavedForecast

AS_OF = dt.date(2026, 4, 8)  # a Wednesday; history runs to Sunday 5 April 2026
FIRST_MONDAY = dt.date(2025, 12, 29)  # 14 complete weeks before the week of AS_OF


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


def write_events(path, weeks=14, backlog=400, per_week=50):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "person_id", "work_type", "team", "priority", "received_at", "first_action_at",
                    "completed_at", "signed_off_at", "outcome"])
        n = 0
        start = FIRST_MONDAY - dt.timedelta(days=7)
        for _ in range(backlog):
            n += 1
            w.writerow([f"OT{n}", f"P{n}", "ot_assessment", "Occupational Therapy", "standard",
                        f"{start}T10:00:00", "", "", "", ""])
        for week in range(weeks):
            monday = FIRST_MONDAY + dt.timedelta(weeks=week)
            for _ in range(per_week):
                n += 1
                w.writerow([f"OT{n}", f"P{n}", "ot_assessment", "Occupational Therapy", "standard",
                            f"{monday}T09:00:00", f"{monday}T12:00:00", f"{monday + dt.timedelta(days=3)}T15:00:00",
                            f"{monday + dt.timedelta(days=4)}T10:00:00", "assessed"])
    return path


@pytest.fixture
def loaded(manager_access, tmp_path):
    submission = services.ingest(manager_access, [write_events(tmp_path / "ot_events.csv")], format="case_events")
    assert submission.status == "current", submission.rejection_reason
    return submission


def test_extra_capacity_clears_the_backlog_when_the_arithmetic_says(manager_access, loaded):
    result = forecasting.run_forecast(manager_access, "ot_assessment", as_of=AS_OF, extra_per_week=40)
    current, extra = result["scenarios"]
    assert result["starting_backlog"] == 400
    assert result["mean_weekly_arrivals"] == 50 and result["mean_weekly_completions"] == 50
    assert not current["clears"]
    # 400 waiting, 40 fewer a week: zero at the end of the 10th projected week (Mon 6 Apr + 9 weeks, Sunday)
    assert extra["clearance_date"] == "2026-06-14"


def test_saving_a_forecast_keeps_it_unchanged_and_audited(manager_access, loaded):
    saved = forecasting.save_forecast(manager_access, "ot_assessment", as_of=AS_OF, extra_per_week=40,
                                      extra_weeks=26)
    assert saved.result["scenarios"][-1]["clearance_date"] == "2026-06-14"
    assert saved.submissions == [f"S{loaded.pk}"]
    from carestat.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="casedata.forecast.saved", record_id=str(saved.pk)).exists()


def test_an_unknown_work_type_names_the_known_ones(manager_access, loaded):
    from carestat.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="known work types: ot_assessment"):
        forecasting.run_forecast(manager_access, "dols", as_of=AS_OF)


def test_the_forecast_page_shows_the_clearance_date_and_saves(client, manager, loaded):
    client.force_login(manager)
    page = client.get("/o/demoshire/data/forecasts/", {
        "work_type": "ot_assessment", "extra_per_week": "40", "extra_from-day": "", "extra_from-month": "",
        "extra_from-year": ""}).content.decode()
    assert "does not clear within 52 weeks" in page
    response = client.post("/o/demoshire/data/forecasts/", {"work_type": "ot_assessment", "extra_per_week": "40"})
    assert response.status_code == 302
    saved = SavedForecast.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert saved.title in page and "<svg" in page


def test_nonsense_in_the_forecast_form_is_named(client, manager, loaded):
    client.force_login(manager)
    page = client.get("/o/demoshire/data/forecasts/", {"work_type": "ot_assessment", "extra_per_week": "lots",
                                                        "extra_weeks": "0"}).content.decode()
    assert "Enter a number, like 40" in page and "Enter 1 or more" in page
    assert not SavedForecast.objects.exists()


def test_the_forecast_command_prints_json(demoshire, admin, loaded, capsys):
    call_command("forecast", "--org", "demoshire", "--work-type", "ot_assessment", "--extra-per-week", "40",
                 "--as-of", "2026-04-08", "--json")
    result = json.loads(capsys.readouterr().out)
    assert [s["clears"] for s in result["scenarios"]] == [False, True]


def test_operational_measures_are_shown_by_team(client, viewer, loaded):
    # At 31 March 2026: the 400 never completed, plus the 50 received on Monday 30 March and
    # completed on Thursday 2 April, after the quarter ended.
    from carestat.measures.models import MeasureValue

    backlog = MeasureValue.objects.get(measure__code="OPS-BACKLOG", period="2025-26-Q4")
    assert backlog.value == 450 and backlog.submissions == [f"S{loaded.pk}"]
    client.force_login(viewer)
    page = client.get("/o/demoshire/data/operations/", {"period": "2025-26-Q4"}).content.decode()
    assert "By team" in page and "Occupational Therapy" in page
    assert client.get("/o/demoshire/data/operations/", {"period": "1999-00-Q1"}).status_code == 404


def test_operational_measures_download_with_their_breakdowns_as_numbers(client, viewer, loaded):
    import csv
    import io

    client.force_login(viewer)
    text = client.get("/o/demoshire/data/operations/", {"period": "2025-26-Q4", "format": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    overall = [r for r in rows if r["Code"] == "OPS-BACKLOG" and r["By"] == "Overall"]
    assert [r["Value"] for r in overall] == ["450"]
    assert any(r["By"] == "Team" and r["Group"] == "Occupational Therapy" for r in rows)


LATE = dt.date(2026, 6, 10)  # two months after the events end (last sign-off Friday 3 April 2026)


def test_a_forecast_asked_for_after_the_data_ends_starts_where_it_ends_and_warns(manager_access, loaded):
    result = forecasting.run_forecast(manager_access, "ot_assessment", as_of=LATE, extra_per_week=40)
    # the nine empty weeks after 5 April would have made demand (50 x 3 + 0 x 9) / 12 = 12.5
    assert result["mean_weekly_arrivals"] == 50 and result["mean_weekly_completions"] == 50
    assert result["data_ends"] == "2026-04-03" and result["requested_as_of"] == "2026-06-10"
    assert result["first_projected_week"] == "2026-04-06" and result["as_of"] == "2026-04-06"
    assert result["history"][-1]["week_start"] == "2026-03-30"  # no actual week without data
    assert result["scenarios"][1]["clearance_date"] == "2026-06-14"
    assert result["stale"] and "The case events end on 3 April 2026, 68 days before 10 June 2026" in \
        result["warnings"][0]


def test_the_forecast_page_says_where_the_data_ends_and_draws_no_actuals_after_it(client, manager, loaded):
    client.force_login(manager)
    page = client.get("/o/demoshire/data/forecasts/").content.decode()
    assert "The loaded case events end on 3 April 2026" in page and "Load a newer case-event extract" in page
    page = client.get("/o/demoshire/data/forecasts/", {
        "work_type": "ot_assessment", "as_of-day": "10", "as_of-month": "6", "as_of-year": "2026"}).content.decode()
    assert "From case events up to 3 April 2026" in page and "68 days before 10 June 2026" in page
    assert "Demand: 50.0 new items a week" in page
    rows = page[page.index("<tbody", page.index("The chart&#39;s figures as a table")):]
    rows = rows[:rows.index("</tbody>")].split("</tr>")
    actual = [r for r in rows if r.count("<td") > 1 and r.split("<td")[2].split(">", 1)[1].startswith("4")]
    assert actual and "5 Apr 2026" in actual[-1]  # the last actual is the last covered week's Sunday
    assert 'name="as_of-day" value="10"' in page  # the save form keeps the date asked for
    client.post("/o/demoshire/data/forecasts/", {"work_type": "ot_assessment", "as_of-day": "10",
                                                 "as_of-month": "6", "as_of-year": "2026"})
    saved = SavedForecast.objects.get()
    assert saved.as_of == dt.date(2026, 4, 6) and saved.title == "OT assessment backlog from 6 April 2026"
    assert client.get("/o/demoshire/data/forecasts/", {
        "work_type": "ot_assessment", "as_of-day": "1", "as_of-month": "1", "as_of-year": "2099"}
    ).content.decode().count("cannot be after today") == 2  # the summary and the field


def test_a_backlog_already_at_zero_says_so_rather_than_a_clearance_date(client, manager, manager_access, tmp_path):
    services.ingest(manager_access, [write_events(tmp_path / "ot_events.csv", backlog=0)], format="case_events")
    result = forecasting.run_forecast(manager_access, "ot_assessment", as_of=AS_OF)
    current = result["scenarios"][0]
    assert result["already_clear"] and current["already_clear"] and current["clearance_date"] is None
    assert current["summary"] == "no backlog to clear: none was waiting on 2026-04-06, and under this capacity " \
        "none builds up"
    client.force_login(manager)
    page = client.get("/o/demoshire/data/forecasts/", {"work_type": "ot_assessment"}).content.decode()
    assert "no backlog to clear: none was waiting on 6 April 2026" in page and "between" not in page


def test_a_saved_forecast_draws_what_actually_happened_over_its_projection(client, manager, manager_access, loaded):
    saved = forecasting.save_forecast(manager_access, "ot_assessment", as_of=dt.date(2026, 3, 11))
    assert saved.as_of == dt.date(2026, 3, 11) and saved.result["first_projected_week"] == "2026-03-09"
    comparison = forecasting.against_actuals(saved)
    # the weeks from 9 March to the last covered week (30 March), each ending with 400 waiting
    assert [(w["week_start"], w["actual"]) for w in comparison["weeks"]] == [
        ("2026-03-09", 400), ("2026-03-16", 400), ("2026-03-23", 400), ("2026-03-30", 400)]
    client.force_login(manager)
    page = client.get(f"/o/demoshire/data/forecasts/{saved.pk}/").content.decode()
    assert 'class="outturn"' in page and "Actual, before and since the forecast" in page
    assert "Actual since the forecast: 400 on 5 Apr 2026." in page
    assert "to the week of 30 March 2026, over the weeks both the forecast and the loaded case events (to " \
        "3 April 2026) cover" in page
    api = client.get(f"/api/v1/organisations/demoshire/forecasts/{saved.pk}").json()
    assert api["comparison"]["data_ends"] == "2026-04-03" and len(api["comparison"]["weeks"]) == 4


def test_the_api_and_command_line_say_where_the_data_ends(client, manager, admin, loaded, capsys):
    client.force_login(manager)
    api = client.get("/api/v1/organisations/demoshire/forecasts/run",
                     {"work_type": "ot_assessment", "as_of": "2026-06-10"}).json()
    assert api["data_ends"] == "2026-04-03" and api["as_of"] == "2026-04-06" and api["stale"] is True
    assert api["mean_weekly_arrivals"] == 50 and api["warnings"][0].startswith("The case events end on 3 April")
    call_command("forecast", "--org", "demoshire", "--work-type", "ot_assessment", "--as-of", "2026-06-10")
    out = capsys.readouterr()
    assert "From case events up to 2026-04-03, the last date the loaded data covers." in out.out
    assert "OT assessment: backlog 400 at 2026-04-06; 50.0 arrivals and 50.0 completions a week" in out.out
    assert "Warning: The case events end on 3 April 2026" in out.err
