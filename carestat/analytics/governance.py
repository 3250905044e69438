"""Recommendation tracker rules with no Django: which statuses are live, what is overdue,
which status moves are allowed, and the counts per source a committee reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

OPEN = "open"
IN_PROGRESS = "in_progress"
IMPLEMENTED = "implemented"
CLOSED = "closed"
NOT_ACCEPTED = "not_accepted"

LIVE = frozenset({OPEN, IN_PROGRESS})  # still to be done: these can be overdue
DONE = frozenset({IMPLEMENTED, CLOSED})

# Where a recommendation may go from each status. Implemented awaits verification; verified
# closed is final unless reopened (to in progress) with a reason; not accepted may be revisited.
MOVES: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS, IMPLEMENTED, NOT_ACCEPTED}),
    IN_PROGRESS: frozenset({OPEN, IMPLEMENTED, NOT_ACCEPTED}),
    IMPLEMENTED: frozenset({IN_PROGRESS, CLOSED}),
    CLOSED: frozenset({IN_PROGRESS}),
    NOT_ACCEPTED: frozenset({OPEN}),
}


def can_move(old: str, new: str) -> bool:
    return new in MOVES.get(old, frozenset())


def is_overdue(status: str, due: dt.date, today: dt.date) -> bool:
    """Live and past its due date (due today is not yet overdue)."""
    return status in LIVE and due < today


@dataclass
class SourceCounts:
    source: str
    total: int = 0
    live: int = 0
    overdue: int = 0
    extended: int = 0
    implemented: int = 0
    closed: int = 0
    not_accepted: int = 0


@dataclass
class TrackerCounts:
    by_source: dict[str, SourceCounts] = field(default_factory=dict)

    @property
    def total(self) -> SourceCounts:
        out = SourceCounts("total")
        for c in self.by_source.values():
            for name in ("total", "live", "overdue", "extended", "implemented", "closed", "not_accepted"):
                setattr(out, name, getattr(out, name) + getattr(c, name))
        return out


@dataclass(frozen=True)
class Row:
    source: str
    status: str
    due: dt.date
    extended: bool = False


def tracker_counts(rows: Iterable[Row], today: dt.date) -> TrackerCounts:
    """Counts per source: live (open or in progress), overdue, extended, implemented, closed."""
    out = TrackerCounts()
    for r in rows:
        c = out.by_source.setdefault(r.source, SourceCounts(r.source))
        c.total += 1
        c.live += r.status in LIVE
        c.overdue += is_overdue(r.status, r.due, today)
        c.extended += r.extended
        c.implemented += r.status == IMPLEMENTED
        c.closed += r.status == CLOSED
        c.not_accepted += r.status == NOT_ACCEPTED
    return out


def dates_in_order(raised: dt.date | None, due: dt.date | None) -> bool:
    """A recommendation cannot be due before it was made."""
    return raised is None or due is None or due >= raised
