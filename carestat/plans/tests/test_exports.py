"""The plan's progress and delivery lists as CSV and Excel, with typed cells."""

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from carestat.plans import services
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for


def _plan(org, admin, contributor, manager):
    world = small_plan(org, admin, contributor)
    today = dt.date.today()
    period = quarter(org, "Q-now", today - dt.timedelta(days=30), today + dt.timedelta(days=30))
    update = services.save_update(access_for(contributor, org), world["action"], period, delivery="at_risk",
                                  percent_complete=40, commentary="Locum therapists started", submit=True)
    services.approve_update(access_for(manager, org), update)
    return world


def test_the_plan_progress_export_gives_each_actions_rag_status_and_latest_commentary(
        client, demoshire, admin, contributor, manager, viewer):
    world = _plan(demoshire, admin, contributor, manager)
    client.force_login(viewer)
    text = client.get(f"/o/demoshire/plans/{world['plan'].pk}/progress.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["Action"] == "Clear the OT assessment backlog"
    assert row["Percent complete"] == "40" and row["Milestones"] == "2"
    assert row["Latest commentary"] == "Locum therapists started" and row["Latest update period"] == "Q-now"
    assert row["RAG"] and row["Status"]


def test_the_plan_progress_workbook_has_typed_cells_a_frozen_header_and_a_filter(
        client, demoshire, admin, contributor, manager, viewer):
    world = _plan(demoshire, admin, contributor, manager)
    client.force_login(viewer)
    response = client.get(f"/o/demoshire/plans/{world['plan'].pk}/progress.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    due, percent = ws.cell(2, header.index("Due date") + 1), ws.cell(2, header.index("Percent complete") + 1)
    assert isinstance(due.value, dt.datetime) and due.number_format == "DD/MM/YYYY"
    assert percent.value == 0.4 and percent.number_format == "0.0%"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:N{ws.max_row}"


def test_the_delivery_export_lists_overdue_and_slipped_milestones(client, demoshire, admin, contributor, viewer):
    world = small_plan(demoshire, admin, contributor)
    m = world["m1"]
    services.redate_milestone(access_for(admin, demoshire), m, new_date=m.baseline_date + dt.timedelta(days=21),
                              reason="Agency supply late")
    client.force_login(viewer)
    text = client.get(f"/o/demoshire/plans/{world['plan'].pk}/delivery.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Milestone"], r["Slippage (days)"]) for r in rows] == [("Recruit agency OTs", "21")]
