"""Text that spreadsheets would run as a formula, made inert in every export.

A plan title such as ``=HYPERLINK("http://x","y")`` typed by one person becomes a live
formula on another person's machine when a workbook or CSV export is opened (CSV or
formula injection): openpyxl writes any text starting with ``=`` as a formula, and
Excel and LibreOffice evaluate CSV cells starting with ``=``, ``+``, ``-`` or ``@``, or with
a tab or carriage return before one. Every export (plan workbooks, report workbooks, the
audit trail and validation problem CSVs) passes its cells through :func:`safe_cell`, which
puts a single quote in front of such text, the way a person types text that looks like a
formula. Numbers and dates are left alone, and so is text that is only a signed number
("-3", "+2.5%"), which a spreadsheet reads as that number and never as a formula.

The plan import takes the quote off again (:func:`unquote_cell`), so an exported plan
imports as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d+(,\d{3})*(\.\d+)?%?")


def _looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(text)


def safe_cell(value: Any) -> Any:
    """``value`` as it is safe to write to a spreadsheet cell or CSV field."""
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def unquote_cell(value: Any) -> Any:
    """Undo :func:`safe_cell` on a value read back from an exported workbook."""
    if isinstance(value, str) and value.startswith("'") and _looks_like_formula(value[1:]):
        return value[1:]
    return value
