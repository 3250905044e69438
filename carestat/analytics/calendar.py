"""Working-day calendars per jurisdiction.

Weekends and the jurisdiction's bank holidays come from the ``holidays`` package, never a
hard-coded list. Statutory timescales ("assessment within 45 working days") count working
days *after* the start date, so ``working_days_between(d, d)`` is 0 and a Friday-to-Monday
gap is 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

import holidays as holidays_lib


class Jurisdiction(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"
    JERSEY = "jersey"
    GUERNSEY = "guernsey"
    ISLE_OF_MAN = "isle_of_man"

    @property
    def label(self) -> str:
        """The jurisdiction's name as people write it, e.g. "Isle of Man"."""
        return _LABELS[self]


# A lookup rather than a two-argument enum ``__new__``: with that, type checkers read
# ``Jurisdiction("jersey")`` as a call missing its label, although it is a value lookup.
_LABELS: dict[Jurisdiction, str] = {
    Jurisdiction.ENGLAND: "England",
    Jurisdiction.WALES: "Wales",
    Jurisdiction.SCOTLAND: "Scotland",
    Jurisdiction.NORTHERN_IRELAND: "Northern Ireland",
    Jurisdiction.JERSEY: "Jersey",
    Jurisdiction.GUERNSEY: "Guernsey",
    Jurisdiction.ISLE_OF_MAN: "Isle of Man",
}


# (country code, subdivision) in the holidays package
_HOLIDAY_SOURCES: dict[Jurisdiction, tuple[str, str | None]] = {
    Jurisdiction.ENGLAND: ("GB", "ENG"),
    Jurisdiction.WALES: ("GB", "WLS"),
    Jurisdiction.SCOTLAND: ("GB", "SCT"),
    Jurisdiction.NORTHERN_IRELAND: ("GB", "NIR"),
    Jurisdiction.JERSEY: ("JE", None),
    Jurisdiction.GUERNSEY: ("GG", None),
    Jurisdiction.ISLE_OF_MAN: ("IM", None),
}


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Working days for one jurisdiction: Monday to Friday less its bank holidays."""

    jurisdiction: Jurisdiction
    _cache: dict[int, holidays_lib.HolidayBase] = field(default_factory=dict, compare=False, repr=False)

    def _holidays_for(self, year: int) -> holidays_lib.HolidayBase:
        if year not in self._cache:
            country, subdiv = _HOLIDAY_SOURCES[self.jurisdiction]
            self._cache[year] = holidays_lib.country_holidays(country, subdiv=subdiv, years=year)
        return self._cache[year]

    def holiday_name(self, day: dt.date) -> str | None:
        return self._holidays_for(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._holidays_for(day.year)

    def holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Bank holidays falling on weekdays in [start, end]."""
        days: list[dt.date] = []
        for year in range(start.year, end.year + 1):
            days.extend(d for d in self._holidays_for(year) if start <= d <= end and d.weekday() < 5)
        return sorted(days)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``; negative if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        weeks, extra = divmod((end - start).days, 7)
        count = weeks * 5
        for i in range(1, extra + 1):
            if (start + dt.timedelta(days=i)).weekday() < 5:
                count += 1
        after_start = start + dt.timedelta(days=1)
        return count - len(self.holidays_between(after_start, end)) if after_start <= end else 0

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (n >= 0)."""
        if n < 0:
            raise ValueError("n must be zero or more")
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


@cache
def calendar_for(jurisdiction: str | Jurisdiction) -> WorkingDayCalendar:
    """The working-day calendar for a jurisdiction value such as ``"jersey"``."""
    try:
        return WorkingDayCalendar(Jurisdiction(jurisdiction))
    except ValueError:
        known = ", ".join(j.value for j in Jurisdiction)
        raise ValueError(f"Unknown jurisdiction {jurisdiction!r}; expected one of: {known}") from None
