"""The public version of a report, figure by figure against the full one: each measure shows
the full version's period with the same figure and RAG, or "fewer than 5" and no RAG for that
same period; never another period's figure. Its summary counts and sentence agree."""

import copy

import pytest

from carestat.measures import services as measures
from carestat.reports import services
from carestat.reports.render import view
from carestat.reports.tests.helpers import assert_public_agrees_with_full, pdf_text

Q1, Q2 = "2026-27-Q1", "2026-27-Q2"


@pytest.fixture
def carers(world):
    """A public count of carers leaving Shared Lives: 5 in Q1 (red against a target of 4), 3 in Q2
    (green, and suppressed in public)."""
    admin, manager = world["admin_access"], world["manager_access"]
    m = measures.add_local_measure(admin, code="SL-CARERS-LEFT", title="Carers leaving the Shared Lives scheme",
                                   domain="adults", unit="count", polarity="lower_is_better", tolerance=0,
                                   is_public=True)
    measures.enter_value(manager, m, period=Q1, value=5)
    measures.enter_value(manager, m, period=Q2, value=3)
    measures.set_target(admin, m, period="2026-27", value=4)
    measures.link_objective(admin, m, world["objective"])
    return m


@pytest.fixture
def report(world, carers):
    return services.create_report(world["manager_access"], period=world["q2"], scope="plan", plan=world["plan"])


def test_a_suppressed_latest_figure_is_fewer_than_5_for_q2_not_q1s_figure(world, carers, report):
    entry = next(m for m in report.snapshot["measures"] if m["code"] == "SL-CARERS-LEFT")
    assert (entry["period"], entry["value"], entry["rag"]) == (Q2, "3", "green")
    assert {k: entry["public"][k] for k in ("period", "value", "suppressed", "rag")} == {
        "period": Q2, "value": "fewer than 5", "suppressed": True, "rag": "none"}
    assert [p["period"] for p in entry["public"]["series"]] == [Q1]


def test_the_public_summary_counts_no_red_measure_the_full_version_does_not_have(world, carers, report):
    summary = report.snapshot["summary"]
    assert summary["counts"]["measures"] == {"red": 1, "amber": 0, "green": 1, "none": 0}  # OT28 red, carers green
    assert summary["public_measure_counts"] == {"red": 1, "amber": 0, "green": 0, "none": 1}
    public = view(report.snapshot, public=True)
    assert public["measure_counts"] == summary["public_measure_counts"]
    assert "1 measures are red, 0 amber and 0 green against their targets." in public["facts"]
    assert "1 measures are red, 0 amber and 1 green against their targets." not in public["facts"]
    assert [e["title"] for e in public["exceptions"] if e["kind"] == "measure"] == [
        "OT28: OT assessments within 28 days"]


def test_every_public_figure_is_the_full_one_or_suppressed_for_the_same_period(world, carers, report):
    full, public = assert_public_agrees_with_full(report.snapshot)
    assert sorted(m["code"] for m in public.values() if m["suppressed"]) == ["SL-CARERS-LEFT"]


def test_the_public_pdf_says_fewer_than_5_for_q2_and_not_q1s_5_or_red(world, carers, report):
    text = pdf_text(services.render(report, "pdf", public=True))
    # the measure's heading, then its figures (the chart's data table repeats the title later)
    section = text.split("SL-CARERS-LEFT: Carers leaving the Shared Lives scheme")[1][:400]
    assert "fewer than 5" in section and Q2 in section
    assert "Red" not in section


def test_a_report_frozen_with_the_old_public_figures_renders_them_suppressed(world, carers, report):
    """Reports already published hold the old public entry: Q1's 5 and Red standing in for
    Q2, with no public period. Rendering holds them to the full version, so they read right."""
    old = copy.deepcopy(report.snapshot)
    for m in old["measures"]:
        p = m["public"]
        for key in ("period", "rag_explanation", "variation", "assurance"):
            p.pop(key)
        if m["code"] == "SL-CARERS-LEFT":
            p.update(value="5", suppressed=True, rag="red", rag_label="Red")
    old["summary"]["public_measure_counts"] = {"red": 2, "amber": 0, "green": 0, "none": 0}
    for e in old["exceptions"]:
        e.pop("measure_id", None)
    old["exceptions"].append({"kind": "measure", "section": "Measures", "rag": "green", "owner": "",
                              "title": "SL-CARERS-LEFT: Carers leaving the Shared Lives scheme", "status": "Green",
                              "milestones": [], "commentary": "", "recovery": "", "public_rag": "red"})
    full, public = assert_public_agrees_with_full(old)
    carers_public = next(m for m in public.values() if m["code"] == "SL-CARERS-LEFT")
    assert (carers_public["period"], carers_public["value"], carers_public["rag"]) == (Q2, "fewer than 5", "none")
    assert view(old, public=True)["measure_counts"] == {"red": 1, "amber": 0, "green": 0, "none": 1}


def test_a_rag_move_is_left_out_of_the_public_changes_when_it_rests_on_a_suppressed_figure(world, carers, report):
    manager, admin = world["manager_access"], world["admin_access"]
    services.publish_report(manager, services.approve_report(manager, report))
    measures.set_target(admin, carers, period="2026-27", value=2)  # Q2's 3 (suppressed) goes from green to red
    measures.set_target(admin, world["measure"], period=Q2, value=60)  # OT28's 64% goes from red to green
    again = services.create_report(manager, period=world["q2"], scope="plan", plan=world["plan"])
    full_changes = dict(view(again.snapshot)["changes"]["groups"])["Measures"]
    public_changes = dict(view(again.snapshot, public=True)["changes"]["groups"])["Measures"]
    assert sorted(full_changes) == [
        "OT28: OT assessments within 28 days: RAG moved from Red to Green",
        "SL-CARERS-LEFT: Carers leaving the Shared Lives scheme: RAG moved from Green to Red"]
    # publishing the carers' move would say Q2's hidden figure lies above 2
    assert public_changes == ["OT28: OT assessments within 28 days: RAG moved from Red to Green"]
    assert_public_agrees_with_full(again.snapshot)
