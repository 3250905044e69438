"""A finance business partner imports a ledger extract: the summary matches hand arithmetic,
bad rows are named by file, row and column and store nothing, and the same file twice changes nothing."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from carestat.core import services as core_services
from carestat.core.errors import NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry, ReportingPeriod
from carestat.finance import ledger, services
from carestat.finance.models import Budget, LedgerImport, PeriodFigure
from carestat.finance.summary import year_position
from carestat.finance.tests.builders import EXTRACT, ledger_csv
from conftest import access_for

D = Decimal


def _import(world, rows, name="ledger-2026-08.csv"):
    return ledger.import_ledger(world["access"], ledger_csv(rows), filename=name)


def test_an_imported_extract_gives_the_summary_worked_out_by_hand(world):
    result = _import(world, EXTRACT)
    assert not result.already_loaded and result.ledger_import.rows == 6
    assert result.ledger_import.changed == 3 + 6  # three budgets, six period figures
    pos = year_position(world["access"].organisation, "2026-27")
    by_code = {p.line.cost_code: p for p in pos.flat()}
    assert (by_code["CS110"].budget, by_code["CS110"].forecast) == (D("4000000"), D("4300000"))
    assert by_code["CS110"].variance.amount == D("300000") and by_code["CS110"].variance.percent == D("7.5")
    assert by_code["CS110"].variance.rag.value == "red" and by_code["CS110"].forecast_as_at == "2026-08"
    assert by_code["CS120"].variance.amount == D("-10000") and by_code["CS120"].variance.percent == D("-0.5")
    assert by_code["CS120"].variance.rag.value == "green"
    assert by_code["CS200"].variance.amount == D("60000") and by_code["CS200"].variance.percent == D("2.0")
    assert by_code["CS200"].variance.rag.value == "amber"
    parent = by_code["CS100"]
    assert (parent.budget, parent.forecast, parent.variance.percent) == (D("6000000"), D("6290000"), D("4.8"))
    assert (pos.budget, pos.forecast, pos.variance.amount, pos.variance.percent) == (
        D("9000000"), D("9350000"), D("350000"), D("3.9"))
    assert pos.actual == D("1510000") and pos.variance.rag.value == "red"
    assert pos.without_forecast == 0


def test_the_same_file_twice_changes_nothing_and_says_so(world):
    _import(world, EXTRACT)
    entries = AuditEntry.objects.count()
    again = _import(world, EXTRACT, name="renamed.csv")
    assert again.already_loaded and "already loaded" in again.summary
    assert AuditEntry.objects.count() == entries and LedgerImport.objects.count() == 1


def test_a_new_file_restating_the_same_figures_records_no_changes(world):
    _import(world, EXTRACT)
    restated = _import(world, [*EXTRACT, ("CS200", "2026-09", "", "", "")])  # a blank row for September
    assert not restated.already_loaded and restated.ledger_import.changed == 0


@pytest.mark.parametrize("bad_row,column,words", [
    (("CS999", "2026-07", "100", "1", "100"), "Cost code", "'CS999' is not the cost code of any service line"),
    (("CS200", "2026-08", "-3000000", "330000", "3000000"), "Budget", "is negative; a budget cannot be below zero"),
    (("CS200", "2026-08", "3000000", "three hundred", "3000000"), "Actual", "'three hundred' is not an amount"),
    (("CS200", "2026-13", "3000000", "1", "3000000"), "Period", "is not a month (2026-09) or a quarter"),
])
def test_a_bad_row_is_named_by_file_row_and_column_and_nothing_is_stored(world, bad_row, column, words):
    rows = [EXTRACT[0], EXTRACT[2], bad_row]
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, rows, name="august.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("august.csv", 4, column)
    assert words in problem.message
    assert str(problem).startswith(f"august.csv row 4, column '{column}': ")
    assert not Budget.objects.exists() and not PeriodFigure.objects.exists() and not LedgerImport.objects.exists()


def test_a_duplicate_period_names_both_rows(world):
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, [EXTRACT[0], EXTRACT[1], EXTRACT[0]])
    [problem] = caught.value.problems
    assert problem.row == 4 and problem.column == "Period"
    assert "CS110 2026-07 is also on row 2" in problem.message
    assert not PeriodFigure.objects.exists()


def test_every_problem_in_a_file_is_reported_at_once(world):
    content = ('Cost code,Period,Budget,Actual,Forecast\nCS999,2026-07,1,1,1\n'
               'CS110,2026-07,"£4,000,000","(1,000)",x\n').encode()
    with pytest.raises(ledger.LedgerInvalid) as caught:
        ledger.import_ledger(world["access"], content, filename="x.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "Cost code"), (3, "Forecast")]


def test_two_budgets_for_one_line_and_year_in_a_file_are_refused(world):
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, [EXTRACT[0], ("CS110", "2026-08", "4100000", "1", "1")])
    assert caught.value.problems[0].column == "Budget" and "on row 2" in caught.value.problems[0].message


def test_a_missing_column_is_named_with_the_header_found(world):
    content = b"Cost code,Period,Budget,Spend,Forecast\nCS110,2026-07,1,1,1\n"
    with pytest.raises(ledger.LedgerInvalid) as caught:
        ledger.import_ledger(world["access"], content, filename="x.csv")
    assert caught.value.problems[0].column == "Actual" and "Spend" in caught.value.problems[0].message


def test_an_excel_extract_imports_with_the_column_names_the_organisation_saved(world):
    services.save_settings(world["access"], amber_from_percent="1", red_from_percent="3",
                           cost_code_column="Cost Centre", period_column="Month", budget_column="Annual Budget",
                           actual_column="Actual in month", forecast_column="Projected outturn")
    wb = Workbook()
    ws = wb.active
    ws.append(["Cost Centre", "Month", "Annual Budget", "Actual in month", "Projected outturn", "Notes"])
    ws.append(["CS110", "2026-07", 4000000, 330000.5, 4200000, "ignored"])
    out = io.BytesIO()
    wb.save(out)
    ledger.import_ledger(world["access"], out.getvalue(), filename="ledger.xlsx")
    f = PeriodFigure.objects.get()
    assert (f.period.identifier, f.actual, f.forecast) == ("2026-07", D("330000.50"), D("4200000"))


def test_a_closed_periods_figures_are_frozen(world, admin):
    _import(world, EXTRACT)
    july = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2026-07")
    core_services.close_period(world["access"], july)
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, [("CS110", "2026-07", "4000000", "999", "4200000")])
    assert "2026-07 is closed" in caught.value.problems[0].message
    with pytest.raises(PeriodClosed):
        services.set_figures(world["access"], world["residential"], july, actual="1")
    with pytest.raises(PeriodClosed):
        services.add_comment(world["access"], world["residential"], july, text="Two new residential placements")
    assert PeriodFigure.objects.get(line=world["residential"], period=july).actual == D("330000")


def test_months_and_quarters_are_not_mixed_for_one_line_in_a_year(world):
    _import(world, [EXTRACT[0]])
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, [("CS110", "2026-27-Q3", "", "1", "")])
    assert "monthly figures for 2026-27" in caught.value.problems[0].message


def test_only_managers_and_admins_import(world, viewer, demoshire):
    with pytest.raises(NotAllowed):
        ledger.import_ledger(access_for(viewer, demoshire), ledger_csv(EXTRACT), filename="x.csv")


def test_every_change_is_audited_in_words_on_the_line(world):
    _import(world, EXTRACT[:1])
    services.set_budget(world["access"], world["residential"], year="2026-27", amount_="4100000")
    messages = list(AuditEntry.objects.filter(record_type="serviceline", record_id=str(world["residential"].pk))
                    .order_by("id").values_list("message", flat=True))
    assert "Priya Shah set the 2026-27 budget of Residential placements to £4,000,000.00 from ledger-2026-08.csv" \
        in messages
    assert "Priya Shah changed the 2026-27 budget of Residential placements from £4,000,000.00 to £4,100,000.00" \
        in messages
    assert any("set Residential placements for 2026-07: actual £330,000.00, forecast outturn £4,200,000.00" in m
               for m in messages)


def test_the_export_is_formula_safe_and_carries_the_summary(world):
    services.add_line(world["access"], name="=HYPERLINK(\"http://x\",\"y\")", cost_code="CS300")
    _import(world, EXTRACT)
    wb = load_workbook(io.BytesIO(ledger.export_year(world["access"], "2026-27")))
    summary = [list(r) for r in wb["Summary"].iter_rows(values_only=True)]
    assert ["CS110", "  Residential placements", 4000000, 4300000, 300000, 7.5, "red", 675000, "2026-08"] in summary
    assert any(r[1] == "'=HYPERLINK(\"http://x\",\"y\")" for r in summary)
    assert summary[-1][1:5] == ["Total", 9000000, 9350000, 350000]
    assert len(list(wb["Periods"].iter_rows(values_only=True))) == 7


def test_a_month_in_a_closed_quarter_is_frozen_too(world):
    q2 = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2026-27-Q2")
    core_services.close_period(world["access"], q2)
    with pytest.raises(ledger.LedgerInvalid) as caught:
        _import(world, [EXTRACT[0]])
    assert caught.value.problems[0].message == ("2026-07 falls in 2026-27-Q2, which is closed, so its figures "
                                                "cannot be changed; a manager can reopen it with a reason")
