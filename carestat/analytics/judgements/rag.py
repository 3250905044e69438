"""RAG against target: polarity-aware, with a tolerance band, explained in words.

Rules (the defaults a page shows under "how this is judged"):

- higher is better: at or above the target is green; below the target but no further below
  than the tolerance is amber (the tolerance edge itself is amber); further below is red.
- lower is better: the mirror image (at or below target green; up to target + tolerance amber).
- neither: only the distance from the target counts, either side. Exactly on the target is
  green; up to the tolerance away (inclusive) is amber; further away is red.

The tolerance is either ABSOLUTE, in the measure's own units (percentage points for a
percentage, days for a duration), or PERCENT_OF_TARGET (5 means 5% of the target's size, so a
target of 80% with 5% tolerance gives a band of 4 points). A missing target or value gives no
rating (``rating is None``) with an explanation saying which is missing.

All arithmetic is in ``Decimal``; floats are converted through ``str`` so 72.1 stays 72.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import overload

Number = Decimal | int | float | str


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"

    @property
    def sentence(self) -> str:
        return {
            Polarity.HIGHER_IS_BETTER: "Higher is better.",
            Polarity.LOWER_IS_BETTER: "Lower is better.",
            Polarity.NEITHER: "Neither higher nor lower is better.",
        }[self]


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class ToleranceKind(StrEnum):
    ABSOLUTE = "absolute"  # in the measure's units (percentage points for a percentage)
    PERCENT_OF_TARGET = "percent_of_target"  # a percentage of the target's size


@overload
def to_decimal(value: None) -> None: ...
@overload
def to_decimal(value: Number) -> Decimal: ...
@overload
def to_decimal(value: Number | None) -> Decimal | None: ...


def to_decimal(value: Number | None) -> Decimal | None:
    """Convert to Decimal without binary-float noise (72.1 -> Decimal('72.1'))."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a measure value cannot be a bool")
    if isinstance(value, int | str):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"cannot use {value!r} as a measure value")


# unit -> (suffix after a value, word after a difference)
UNIT_WORDS = {
    "percent": ("%", "points"),
    "count": ("", ""),
    "days": (" days", "days"),
    "rate per 10000": (" per 10,000", "per 10,000"),
    "rate per 100000": (" per 100,000", "per 100,000"),
}


# Which units can be set beside another place's figure. A share or a rate ("percent", "rate
# per 100000", "cases per FTE") does not grow with the size of the place; a count (people
# waiting, children looked after) does, so England's count is context, never a comparison.
SHARE_UNITS = frozenset({"percent"})


def compares_with_benchmarks(unit: str) -> bool:
    """Whether a value in ``unit`` may be compared with a national, regional or comparator
    figure: shares and rates (any "X per Y") yes; counts, days and other totals no."""
    words = unit.replace("_", " ").strip().lower()
    return words in SHARE_UNITS or " per " in f" {words} "


def unit_words(unit: str) -> tuple[str, str]:
    """(suffix after a value, word after a difference) for ``unit``. The catalogue writes
    "rate per 100000" where the analytics layer writes "rate_per_100000": both are one unit."""
    return UNIT_WORDS.get(unit.replace("_", " "), (f" {unit}", ""))


def default_places(unit: str) -> int:
    return 0 if unit == "count" else 1


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _grouped(value: Decimal, places: int) -> str:
    return f"{_round(value, places):,.{places}f}"


def format_value(value: Number, unit: str = "percent", places: int | None = None) -> str:
    """``72.0%``, ``1,204``, ``18.5 days``, ``12.3 cases per FTE``."""
    places = default_places(unit) if places is None else places
    d = to_decimal(value)
    suffix = unit_words(unit)[0]
    return f"{_grouped(d, places)}{suffix}"


def format_difference(diff: Number, unit: str = "percent", places: int | None = None) -> str:
    """An unsigned gap: ``3.0 points``, ``4 ``, ``2.5 days``.

    If a non-zero gap would round to zero at the usual places, more places are shown so the
    words never say "0.0 points below" about a value that is not on the target.
    """
    places = default_places(unit) if places is None else places
    d = abs(to_decimal(diff))
    while d != 0 and _round(d, places) == 0 and places < 6:
        places += 1
    word = unit_words(unit)[1]
    if word == "points" and d == 1:
        word = "point"
    text = _grouped(d, places)
    return f"{text} {word}" if word else text


def plain_number(value: Number) -> str:
    """A number as written, without trailing zeros: 5 -> '5', 2.50 -> '2.5'."""
    d = to_decimal(value)
    text = format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))
    return text


@dataclass(frozen=True)
class RagJudgement:
    rating: Rating | None
    value: Decimal | None
    target: Decimal | None
    polarity: Polarity
    tolerance: Decimal
    tolerance_kind: ToleranceKind
    band: Decimal | None  # the tolerance in the measure's units
    difference: Decimal | None  # value - target, signed
    explanation: str

    @property
    def label(self) -> str:
        if self.rating:
            return self.rating.value.capitalize()
        return "No target" if self.target is None else "No value"


def tolerance_band(
    target: Number, tolerance: Number, kind: ToleranceKind = ToleranceKind.ABSOLUTE
) -> Decimal:
    """The tolerance expressed in the measure's own units."""
    t = to_decimal(tolerance)
    if t < 0:
        raise ValueError(f"tolerance must not be negative (got {t})")
    if ToleranceKind(kind) is ToleranceKind.PERCENT_OF_TARGET:
        return abs(to_decimal(target)) * t / 100
    return t


def _tolerance_words(tolerance: Decimal, kind: ToleranceKind, band: Decimal, unit: str) -> str:
    if kind is ToleranceKind.PERCENT_OF_TARGET:
        word = unit_words(unit)[1]
        exact = plain_number(band) + (f" {word}" if word else "")
        return f"{plain_number(tolerance)}% tolerance ({exact})"
    word = unit_words(unit)[1]
    if word == "points":
        return f"{plain_number(tolerance)}-point tolerance"
    if word:
        return f"{plain_number(tolerance)}-{word.rstrip('s')} tolerance"
    return f"tolerance of {plain_number(tolerance)}"


def judge_against_target(
    value: Number | None,
    target: Number | None,
    polarity: Polarity | str,
    tolerance: Number = 0,
    tolerance_kind: ToleranceKind | str = ToleranceKind.ABSOLUTE,
    unit: str = "percent",
    places: int | None = None,
) -> RagJudgement:
    """Rate a value against its target, respecting polarity and tolerance, and say why."""
    polarity = Polarity(polarity)
    kind = ToleranceKind(tolerance_kind)
    tol = to_decimal(tolerance)
    v, t = to_decimal(value), to_decimal(target)

    def without(reason: str) -> RagJudgement:
        return RagJudgement(None, v, t, polarity, tol, kind, None, None, reason)

    if t is None:
        return without("No target is set, so there is no RAG rating.")
    if v is None:
        return without("There is no value for this period, so there is no RAG rating.")

    band = tolerance_band(t, tol, kind)
    diff = v - t
    fv, ft = format_value(v, unit, places), format_value(t, unit, places)
    if diff == 0:
        position = f"{fv} is exactly on the target of {ft}"
    else:
        side = "above" if diff > 0 else "below"
        position = f"{fv} is {format_difference(diff, unit, places)} {side} the target of {ft}"

    if polarity is Polarity.NEITHER:
        shortfall = abs(diff)  # distance either side counts
        met = diff == 0
    elif polarity is Polarity.HIGHER_IS_BETTER:
        shortfall = -diff
        met = diff >= 0
    else:
        shortfall = diff
        met = diff <= 0

    tol_words = _tolerance_words(tol, kind, band, unit)
    if met:
        rating = Rating.GREEN
        reason = f"{position}, so the target is met: green."
    elif shortfall <= band:
        rating = Rating.AMBER
        reason = f"{position}; within the {tol_words}, so amber."
    else:
        rating = Rating.RED
        if band == 0:
            reason = f"{position}, with no tolerance, so red."
        else:
            reason = f"{position}; outside the {tol_words}, so red."
    tail = polarity.sentence
    if polarity is Polarity.NEITHER:
        tail += " The distance from the target counts either side."
    return RagJudgement(rating, v, t, polarity, tol, kind, band, diff, f"{reason} {tail}")
