"""Importing an existing register from Excel, all or nothing, and exporting it."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from carestat.core.models import AuditEntry
from carestat.risks import excel
from carestat.risks.models import Assessment, Control, Mitigation, Risk
from carestat.risks.tests.builders import small_register

HEAD = ["Ref", "Title", "Owner", "L", "I", "Controls", "Actions", "Category", "Target L", "Target I",
        "Assessed on"]


def book(rows, history=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    if history is not None:
        h = wb.create_sheet("Assessments")
        h.append(["Ref", "Kind", "L", "I", "Assessed on", "Reason"])
        for r in history:
            h.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def world(demoshire, cast):
    return small_register(demoshire, cast["admin"], cast["contributor"])


GOOD = ["R10", "Provider failure of small care homes", "tom@demoshire.example", 3, 5,
        "Monthly provider sustainability checks [effective]; Contingency beds [partly]",
        "Clear the OT assessment backlog", "Workforce", 2, 4, dt.date(2026, 10, 1)]


def test_a_register_imports_with_scores_controls_links_and_history(world, admin_access):
    content = book([GOOD], history=[["R10", "Current", 2, 5, dt.date(2026, 7, 1), "Two homes gave notice"]])
    [risk] = excel.import_register(admin_access, content, filename="register.xlsx")
    scores = list(Assessment.objects.filter(risk=risk).values_list("kind", "score", "assessed_on"))
    assert scores == [("current", 10, dt.date(2026, 7, 1)), ("current", 15, dt.date(2026, 10, 1)),
                      ("target", 8, dt.date(2026, 10, 1))]
    assert list(Control.objects.filter(risk=risk).values_list("effectiveness", flat=True)) == ["effective", "partly"]
    assert Mitigation.objects.filter(risk=risk, action=world["action"]).exists()
    assert risk.owner.email == "tom@demoshire.example"
    assert AuditEntry.objects.filter(action="risks.register.imported", message__contains="imported 1 risks").exists()


def test_a_workbook_with_a_bad_row_imports_nothing_and_names_row_and_column(world, admin_access):
    bad = ["R11", "Agency cost pressure", "nobody@example.org", 6, 3, "Cap on rates [mostly]",
           "No such action", "Spending", None, None, None]
    with pytest.raises(excel.WorkbookInvalid) as exc:
        excel.import_register(admin_access, book([GOOD, bad]))
    problems = [str(p) for p in exc.value.problems]
    assert "Risks row 3, column 'Owner': 'nobody@example.org' is not a member of Demoshire County Council " \
           "(give their email)" in problems
    assert any(p.startswith("Risks row 3, column 'L': The likelihood must be from 1 (Rare) to 5") for p in problems)
    assert any(p.startswith("Risks row 3, column 'Controls': '[mostly]'") for p in problems)
    assert "Risks row 3, column 'Actions': ‘No such action’ is not an action in any plan of Demoshire County " \
           "Council" in problems
    assert any(p.startswith("Risks row 3, column 'Category': 'Spending' is not a risk category") for p in problems)
    assert not Risk.objects.filter(ref__in=["R10", "R11"]).exists()


def test_a_reference_already_on_the_register_is_refused(world, admin_access):
    with pytest.raises(excel.WorkbookInvalid, match="Risks row 2, column 'Ref': 'R01' is already on the register"):
        excel.import_register(admin_access, book([["R01", *GOOD[1:]]]))


def test_an_exported_register_imports_as_it_was(world, admin_access, westmarch):
    content = excel.export_register(admin_access)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Risks"]
    row = [c.value for c in ws[2]]
    assert row[:5] == ["R01", "Not enough occupational therapists to clear the backlog", "tom@demoshire.example",
                       4, 4]
    assert row[5] == "Weekly backlog triage by a senior OT [partly]"
    history = [[c.value for c in r] for r in wb["Assessments"].iter_rows(min_row=2)]
    assert [h[1:4] for h in history] == [["Inherent", 5, 4], ["Current", 3, 4], ["Target", 2, 3]]
    Risk.objects.filter(ref="R01").update(ref="R01-OLD")
    [again] = excel.import_register(admin_access, content)
    fields = ("assessed_on", "kind", "score", "band", "reason")
    assert sorted(again.assessments.values_list(*fields)) == \
        sorted(Risk.objects.get(ref="R01-OLD").assessments.values_list(*fields))
