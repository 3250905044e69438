"""Reporting period identifiers.

- ``2024-25``: financial year, 1 April 2024 to 31 March 2025
- ``2024-25-H1`` / ``H2``: half years (April-September, October-March)
- ``2024-25-Q2``: quarter of a financial year (Q1 April-June ... Q4 January-March)
- ``2024-09``: calendar month
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    CUSTOM = "custom"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive date range with its CareStat identifier."""

    label: str
    start: dt.date
    end: dt.date
    kind: PeriodKind = PeriodKind.CUSTOM

    @property
    def title(self) -> str:
        """How people say it: "2024-25 Q2 (July to September 2024)"."""
        if self.kind is PeriodKind.MONTH:
            return self.start.strftime("%B %Y")
        span = f"{self.start:%B %Y} to {self.end:%B %Y}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.label} (April {self.start.year} to March {self.end.year})"
        fy, part = self.label.rsplit("-", 1)
        return f"{fy} {part} ({span})"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


_FY = re.compile(r"^(\d{4})-(\d{2})$")
_PART = re.compile(r"^(\d{4})-(\d{2})-(Q[1-4]|H[12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    pass


def _fy_start(first: str, second: str, identifier: str) -> int:
    year = int(first)
    if int(second) != (year + 1) % 100:
        raise PeriodError(
            f"{identifier!r} is not a financial year: the second part should be "
            f"{(year + 1) % 100:02d} (e.g. {year}-{(year + 1) % 100:02d})"
        )
    return year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(identifier: str) -> Period:
    """Parse an identifier such as ``2024-25``, ``2024-25-Q2`` or ``2024-09``."""
    identifier = (identifier or "").strip()
    if m := _PART.match(identifier):
        year = _fy_start(m[1], m[2], identifier)
        part = m[3]
        if part[0] == "Q":
            q = int(part[1])
            first_month = 4 + 3 * (q - 1)
            y = year if first_month <= 12 else year + 1
            first_month = (first_month - 1) % 12 + 1
            start = dt.date(y, first_month, 1)
            end = _month_end(y, first_month + 2)
            return Period(identifier, start, end, PeriodKind.QUARTER)
        if part == "H1":
            return Period(identifier, dt.date(year, 4, 1), dt.date(year, 9, 30), PeriodKind.HALF)
        return Period(identifier, dt.date(year, 10, 1), dt.date(year + 1, 3, 31), PeriodKind.HALF)
    if (m := _FY.match(identifier)) and int(m[2]) == (int(m[1]) + 1) % 100 and int(m[2]) > 12:
        year = int(m[1])
        return Period(identifier, dt.date(year, 4, 1), dt.date(year + 1, 3, 31), PeriodKind.YEAR)
    if (m := _MONTH.match(identifier)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        return Period(identifier, dt.date(year, month, 1), _month_end(year, month), PeriodKind.MONTH)
    if m := _FY.match(identifier):
        # "2012-13" would be a financial year but 13 is no month; say so plainly.
        _fy_start(m[1], m[2], identifier)
        year = int(m[1])
        return Period(identifier, dt.date(year, 4, 1), dt.date(year + 1, 3, 31), PeriodKind.YEAR)
    raise PeriodError(
        f"{identifier!r} is not a reporting period: use a financial year (2024-25), "
        "a quarter (2024-25-Q2), a half year (2024-25-H1) or a month (2024-09)"
    )


def financial_year_start(day: dt.date) -> int:
    """The year in which the financial year holding ``day`` began on 1 April: 2024 for any
    day from 1 April 2024 to 31 March 2025."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    """``2024-25`` for the financial year that begins on 1 April 2024."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 April ``start_year`` and 31 March the year after."""
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def financial_year_of(day: dt.date) -> Period:
    return parse_period(financial_year_label(financial_year_start(day)))


def quarter_of(day: dt.date) -> Period:
    fy = financial_year_of(day)
    q = ((day.month - 4) % 12) // 3 + 1
    return parse_period(f"{fy.label}-Q{q}")


def month_of(day: dt.date) -> Period:
    return parse_period(f"{day.year}-{day.month:02d}")


def previous_period(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    if period.kind is PeriodKind.CUSTOM:
        raise PeriodError("a custom period has no previous period")
    day = period.start - dt.timedelta(days=1)
    return _same_kind(period.kind, day)


def same_period_last_year(period: Period) -> Period:
    if period.kind is PeriodKind.CUSTOM:
        raise PeriodError("a custom period has no same period last year")
    return _same_kind(period.kind, period.start.replace(year=period.start.year - 1))


def _same_kind(kind: PeriodKind, day: dt.date) -> Period:
    if kind is PeriodKind.YEAR:
        return financial_year_of(day)
    if kind is PeriodKind.QUARTER:
        return quarter_of(day)
    if kind is PeriodKind.MONTH:
        return month_of(day)
    fy = financial_year_of(day)
    return parse_period(f"{fy.label}-{'H1' if day.month in range(4, 10) else 'H2'}")


def periods_within(year: Period, kind: PeriodKind) -> list[Period]:
    """The quarters, halves or months of a financial year, in order."""
    out: list[Period] = []
    day = year.start
    while day <= year.end:
        p = _same_kind(kind, day)
        out.append(p)
        day = p.end + dt.timedelta(days=1)
    return out
