"""Small-number suppression for anything published.

Primary suppression: a count of 1 to 4 is shown as suppressed; 0 is shown (a true zero
reveals nothing about a person). A rate or percentage is suppressed when its numerator or
denominator is 1 to 4.

Secondary suppression, for a table whose cells add up to totals (a 2-D table with row and
column totals, or a 1-D breakdown that sums to a headline total): each "relation" is a set of
cells linked by addition (the cells of a row together with the row's total; likewise a
column). If exactly one cell of a relation is suppressed, it could be recovered by
subtraction, so another cell of that relation is suppressed too: the smallest unsuppressed
non-zero part (not the total; ties go to the earliest cell), then a zero part, and only then
the total. Zeros are avoided because a zero is often known to be structurally zero and so
protects little. Relations are checked in order (rows top to bottom, then columns left to
right, the totals row and column included) and the passes repeat until nothing changes,
because a secondary suppression can leave another row or column with a single suppressed cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .rag import Number, to_decimal

SMALLEST_SHOWN = 5


class SuppressionReason(StrEnum):
    PRIMARY = "primary"  # the value itself is 1 to 4 (or rests on a numerator/denominator of 1-4)
    SECONDARY = "secondary"  # suppressed so a primary value can't be recovered from totals


class Marker(StrEnum):
    WORDS = "fewer than 5"
    CODE = "[c]"  # the GSS symbol for confidential


def is_small(count: int | None) -> bool:
    """1 to 4 inclusive; 0 is not small (it is shown)."""
    return count is not None and 0 < count < SMALLEST_SHOWN


@dataclass(frozen=True)
class Published:
    """A value as it may be published: the number, or a suppression marker and why."""

    value: Decimal | int | None  # None when suppressed: never hand the hidden value onwards
    display: str
    reason: SuppressionReason | None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


def publish_count(count: int, marker: Marker | str = Marker.WORDS) -> Published:
    if count < 0:
        raise ValueError(f"a count cannot be negative (got {count})")
    if is_small(count):
        return Published(None, str(Marker(marker).value), SuppressionReason.PRIMARY)
    return Published(count, f"{count:,}", None)


def publish_rate(
    value: Number | None,
    numerator: int | None,
    denominator: int | None,
    marker: Marker | str = Marker.CODE,
    display: str | None = None,
) -> Published:
    """Suppress a rate or percentage whose numerator or denominator is 1 to 4.

    ``display`` is the already formatted value (e.g. "72.0%"); by default the plain number.
    """
    if is_small(numerator) or is_small(denominator):
        return Published(None, str(Marker(marker).value), SuppressionReason.PRIMARY)
    v = to_decimal(value)
    shown = display if display is not None else ("" if v is None else str(v))
    return Published(v, shown, None)


@dataclass(frozen=True)
class SuppressedTable:
    """The outcome of suppressing a table: every cell as publishable, and why each was hidden."""

    cells: dict[Hashable, Published]
    reasons: dict[Hashable, SuppressionReason]  # only the suppressed cells
    passes: int  # how many passes the secondary suppression needed to become stable

    def display(self, key: Hashable) -> str:
        return self.cells[key].display

    @property
    def primary(self) -> set[Hashable]:
        return {k for k, r in self.reasons.items() if r is SuppressionReason.PRIMARY}

    @property
    def secondary(self) -> set[Hashable]:
        return {k for k, r in self.reasons.items() if r is SuppressionReason.SECONDARY}


def _suppress(
    values: dict[Hashable, int],
    relations: list[tuple[list[Hashable], Hashable]],  # (parts, total)
    marker: Marker | str,
) -> SuppressedTable:
    for key, v in values.items():
        if v < 0:
            raise ValueError(f"cell {key!r} has a negative count ({v})")
    reasons = {k: SuppressionReason.PRIMARY for k, v in values.items() if is_small(v)}
    passes = 0
    changed = True
    while changed:
        changed = False
        passes += 1
        for parts, total in relations:
            members = [*parts, total]
            if sum(1 for k in members if k in reasons) != 1:
                continue
            open_parts = [k for k in parts if k not in reasons]
            nonzero = [k for k in open_parts if values[k] > 0]
            zero = [k for k in open_parts if values[k] == 0]
            if nonzero:
                choice = min(nonzero, key=lambda k: values[k])  # min() keeps the first of ties
            elif zero:
                choice = zero[0]
            elif total not in reasons:
                choice = total
            else:  # pragma: no cover - a relation always has a part and a total
                continue
            reasons[choice] = SuppressionReason.SECONDARY
            changed = True
    marker_text = str(Marker(marker).value)
    cells = {
        k: Published(None, marker_text, reasons[k])
        if k in reasons
        else Published(v, f"{v:,}", None)
        for k, v in values.items()
    }
    return SuppressedTable(cells, reasons, passes)


def suppress_breakdown(
    parts: Mapping[Hashable, int],
    total: int | None = None,
    total_key: Hashable = "Total",
    marker: Marker | str = Marker.WORDS,
) -> SuppressedTable:
    """Suppress a 1-D breakdown that sums to a headline total (the total is a cell too).

    ``total`` defaults to the sum of the parts; a headline that is larger (it includes
    records the breakdown leaves out) is allowed, since the difference is itself published.
    """
    if total_key in parts:
        raise ValueError(f"the total key {total_key!r} is also a part of the breakdown")
    total = sum(parts.values()) if total is None else total
    if total < sum(parts.values()):
        raise ValueError(f"the parts add up to {sum(parts.values())}, more than the total {total}")
    values = {**parts, total_key: total}
    return _suppress(values, [(list(parts), total_key)], marker)


def suppress_table(
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    counts: Sequence[Sequence[int]],
    total_label: str = "Total",
    marker: Marker | str = Marker.WORDS,
) -> SuppressedTable:
    """Suppress a 2-D table of counts; row, column and grand totals are added and protected.

    Cells are keyed ``(row, column)``; the margins use ``total_label`` as row or column,
    e.g. ``("Total", "Male")`` and ``("Total", "Total")``.
    """
    if len(counts) != len(rows) or any(len(r) != len(columns) for r in counts):
        raise ValueError(f"counts must be {len(rows)} rows of {len(columns)} columns")
    if total_label in rows or total_label in columns:
        raise ValueError(f"{total_label!r} is used for the totals; rename that row or column")
    values: dict[Hashable, int] = {}
    for r, row in zip(rows, counts, strict=True):
        for c, v in zip(columns, row, strict=True):
            values[(r, c)] = v
        values[(r, total_label)] = sum(row)
    for c in [*columns, total_label]:
        values[(total_label, c)] = sum(values[(r, c)] for r in rows)
    # (row, column) keys are Hashable cells, as _suppress takes them
    across: list[tuple[list[Hashable], Hashable]] = [
        ([(r, c) for c in columns], (r, total_label)) for r in [*rows, total_label]]
    down: list[tuple[list[Hashable], Hashable]] = [
        ([(r, c) for r in rows], (total_label, c)) for c in [*columns, total_label]]
    relations = across + down
    # put the keys in reading order so ties and output order are predictable
    ordered: dict[Hashable, int] = {
        (r, c): values[(r, c)] for r in [*rows, total_label] for c in [*columns, total_label]
    }
    return _suppress(ordered, relations, marker)
