import pytest

from carestat.core.models import AuditEntry
from carestat.reports import services
from carestat.reports.models import ReportStatus


@pytest.fixture
def report(world):
    return services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])


def test_a_draft_counts_actions_milestones_and_measures_by_rag(world, report):
    counts = report.snapshot["summary"]["counts"]
    assert counts["milestones"]["blue"] == 1 and counts["milestones"]["red"] == 1
    assert counts["actions"]["red"] == 1
    assert counts["measures"]["red"] == 1  # 64% against a target of 80% with a tolerance of 5 points
    assert report.status == ReportStatus.DRAFT and len(report.snapshot_hash) == 64


def test_milestones_show_their_original_and_revised_dates(world, report):
    ms = report.snapshot["sections"][0]["actions"][0]["milestones"]
    assert {m["title"]: m["baseline"] for m in ms} == {"Recruit agency OTs": "2026-08-31",
                                                       "Backlog under 100": "2026-09-20"}


def test_exceptions_carry_the_latest_approved_commentary_and_recovery_action(world, report):
    action = next(e for e in report.snapshot["exceptions"] if e["kind"] == "action")
    assert action["commentary"] == "Agency OTs started late in August."
    assert action["recovery"] == "Weekend clinics until the backlog is under 100."
    assert any(e["kind"] == "measure" and e["title"].startswith("OT28") for e in report.snapshot["exceptions"])


def test_the_measure_shows_value_target_and_chart_with_a_data_table(world, report):
    m = report.snapshot["measures"][0]
    assert (m["code"], m["period"], m["value"], m["target"]) == ("OT28", "2026-27-Q2", "64.0%", "80.0%")
    assert m["chart"]["svg"].startswith("<svg") and m["chart"]["rows"]
    assert report.snapshot["sections"][0]["measure_ids"] == [world["measure"].pk]


def test_with_no_saved_forecasts_the_report_says_none_are_held(world, report):
    assert report.snapshot["forecasts"] == []


def test_creating_a_report_is_audited(world, report):
    assert AuditEntry.objects.filter(action="reports.report.created", record_id=str(report.pk)).exists()


def test_a_measure_with_a_national_benchmark_shows_it_with_its_source(world):
    from carestat.measures import services as measures

    measures.add_benchmark(world["admin_access"], world["measure"], kind="national", value=72,
                           source="Synthetic national return", year="2025-26")
    report = services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])
    m = report.snapshot["measures"][0]
    assert (m["national"], m["national_source"]) == ("72.0%", "Synthetic national return (2025-26)")
