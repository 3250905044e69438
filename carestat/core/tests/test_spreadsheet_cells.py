import datetime as dt
from decimal import Decimal

import pytest

from carestat.core.spreadsheet_cells import safe_cell, safe_row, unquote_cell

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("text", [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_text_a_spreadsheet_would_run_gets_a_single_quote_in_front(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Clear the OT backlog", "", " =1+1", "64.0%", "-3", "+2.5%", "-1,234.50", 0, -3,
                                   Decimal("-2.5"), -1.5, dt.date(2026, 3, 31), None, True])
def test_plain_text_numbers_and_dates_are_left_alone(value):
    assert safe_cell(value) is value or safe_cell(value) == value


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row([HYPERLINK, 5, "ok"]) == ["'" + HYPERLINK, 5, "ok"]


def test_unquoting_gives_back_exactly_what_was_quoted():
    for text in [HYPERLINK, "-2+3", "'quoted already", "'-3", "plain"]:
        assert unquote_cell(safe_cell(text)) == text


def test_a_whole_number_in_a_column_of_figures_is_formatted_without_a_decimal_point():
    import io

    from openpyxl import load_workbook

    from carestat.core.exports import Column, Sheet, workbook

    data = workbook([Sheet("Measures", [Column("Code"), Column("Latest value", "number")],
                           [["LAC-COUNT", 57.0], ["CIN-REREF-12M", 22.6]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert (ws["B2"].number_format, ws["B3"].number_format) == ("#,##0", "#,##0.0##")
