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


def test_building_a_snapshot_tells_progress_of_each_priority_and_measure_then_the_rest(world):
    from carestat.reports.models import Report

    calls = []
    draft = Report(organisation=world["org"], period=world["q2"], scope="plan", plan=world["plan"], title="Draft")
    services.build_snapshot(draft, progress=lambda done, total, message: calls.append((done, total, message)))
    assert calls == [
        (0, 4, "Reading ‘Backlog clearance’ (Adult social care improvement)"),
        (1, 4, "Judging OT28: OT assessments within 28 days"),
        (2, 4, "Gathering backlog forecasts and data quality"),
        (3, 4, "Comparing with the last published report"),
        (4, 4, "Read 1 action, 2 milestones and 1 measure"),
    ]


def test_progress_counts_a_measure_outside_the_plans_as_a_step_too(world):
    from carestat.measures import services as measures
    from carestat.reports.models import Remit

    other = measures.add_local_measure(world["admin_access"], code="DOLS", title="DoLS applications waiting",
                                       domain="adults", unit="count", polarity="lower_is_better")
    remit = Remit.objects.create(organisation=world["org"], name="Scrutiny")
    remit.plans.add(world["plan"])
    remit.measures.add(other, world["measure"])
    totals = set()
    services.create_report(world["manager_access"], period=world["q2"], scope="remit", remit=remit,
                           progress=lambda done, total, message: totals.add(total))
    assert totals == {5}  # one priority, OT28 (linked and chosen), DOLS, and the two closing steps


def test_an_item_archived_again_after_a_restore_gives_its_latest_reason(world):
    from carestat.plans import services as plans
    from carestat.reports.snapshot import _reasons

    action, manager = world["action"], world["manager_access"]
    plans.archive(manager, action, reason="Merged into the reablement action")
    plans.unarchive(manager, action, reason="Merged by mistake")
    plans.archive(manager, action, reason="Funding withdrawn in September")
    reasons = _reasons(action.objective.priority.plan.organisation, "action", [action.pk])
    assert reasons == {f"action:{action.pk}": "Funding withdrawn in September"}
