"""Risk scoring: likelihood x impact on an organisation's matrix, bands, appetite and the
flags a register sorts by (above appetite, worsening, review overdue). No Django.

A matrix has named likelihood and impact levels (numbered from 1) and bands: each band
starts at a score and runs up to the next band's start. An assessment stores the names,
score and band as they were, so changing the matrix never rescores history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ScoreError(ValueError):
    """A likelihood, impact or score that the matrix cannot hold; ``field`` names which."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Band:
    label: str
    min_score: int
    rag: str  # "green", "yellow", "amber" or "red": the colour pages and charts use


@dataclass(frozen=True)
class Matrix:
    likelihood: tuple[str, ...]  # names of levels 1..n
    impact: tuple[str, ...]
    bands: tuple[Band, ...]  # ascending by min_score; the first starts at 1

    @property
    def max_score(self) -> int:
        return len(self.likelihood) * len(self.impact)

    def check_level(self, value: int, field: str) -> int:
        names = self.likelihood if field == "likelihood" else self.impact
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScoreError(f"The {field} must be a whole number from 1 to {len(names)}", field)
        if not 1 <= value <= len(names):
            raise ScoreError(f"The {field} must be from 1 ({names[0]}) to {len(names)} ({names[-1]}); "
                             f"{value} is outside the matrix", field)
        return value

    def score(self, likelihood: int, impact: int, claimed: int | None = None) -> int:
        """likelihood x impact, refusing levels outside the matrix and a ``claimed`` score
        that is not their product."""
        likelihood = self.check_level(likelihood, "likelihood")
        impact = self.check_level(impact, "impact")
        product = likelihood * impact
        if claimed is not None and claimed != product:
            raise ScoreError(f"A likelihood of {likelihood} and an impact of {impact} score {product}, "
                             f"not {claimed}", "score")
        return product

    def band_for(self, score: int) -> Band:
        if not 1 <= score <= self.max_score:
            raise ScoreError(f"A score must be from 1 to {self.max_score}", "score")
        found = self.bands[0]
        for band in self.bands:
            if score >= band.min_score:
                found = band
        return found

    def likelihood_name(self, level: int) -> str:
        return self.likelihood[level - 1]

    def impact_name(self, level: int) -> str:
        return self.impact[level - 1]


DEFAULT_LIKELIHOOD = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
DEFAULT_IMPACT = ("Negligible", "Minor", "Moderate", "Major", "Catastrophic")
DEFAULT_BANDS = (Band("Low", 1, "green"), Band("Medium", 5, "yellow"), Band("High", 10, "amber"),
                 Band("Very high", 15, "red"))
DEFAULT_MATRIX = Matrix(DEFAULT_LIKELIHOOD, DEFAULT_IMPACT, DEFAULT_BANDS)
RAGS = ("green", "yellow", "amber", "red")


def build_matrix(likelihood: Sequence[str], impact: Sequence[str], bands: Sequence[Band]) -> Matrix:
    """A matrix from names and bands, refusing blank or repeated names, fewer than 3 or more
    than 10 levels, and bands that do not start at 1, ascend, or fit the scores."""
    names: dict[str, tuple[str, ...]] = {}
    for field, given in (("likelihood", likelihood), ("impact", impact)):
        cleaned = tuple((n or "").strip() for n in given)
        if not 3 <= len(cleaned) <= 10:
            raise ScoreError(f"The {field} scale needs from 3 to 10 levels", field)
        if any(not n for n in cleaned):
            raise ScoreError(f"Name every {field} level", field)
        if len({n.lower() for n in cleaned}) != len(cleaned):
            raise ScoreError(f"Each {field} level needs a different name", field)
        names[field] = cleaned
    matrix = Matrix(names["likelihood"], names["impact"], tuple(bands))
    if not bands:
        raise ScoreError("Give at least one band", "bands")
    if bands[0].min_score != 1:
        raise ScoreError("The first band must start at a score of 1", "bands")
    for before, after in zip(bands, bands[1:], strict=False):
        if after.min_score <= before.min_score:
            raise ScoreError(f"Band ‘{after.label}’ must start above ‘{before.label}’ ({before.min_score})",
                             "bands")
    for band in bands:
        if not band.label.strip():
            raise ScoreError("Name every band", "bands")
        if band.rag not in RAGS:
            raise ScoreError(f"Band ‘{band.label}’ needs a colour: green, yellow, amber or red", "bands")
        if band.min_score > matrix.max_score:
            raise ScoreError(f"Band ‘{band.label}’ starts at {band.min_score}, above the highest score "
                             f"({matrix.max_score})", "bands")
    return matrix


class ReviewFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "six_monthly": 6, "annual": 12}[self.value]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_review(after: dt.date, frequency: str) -> dt.date:
    return add_months(after, ReviewFrequency(frequency).months)


def above_appetite(current_score: int | None, appetite_max: int | None) -> bool:
    """A risk is above appetite when its current score exceeds its category's target maximum."""
    return current_score is not None and appetite_max is not None and current_score > appetite_max


def review_overdue(next_review_on: dt.date | None, today: dt.date, *, is_open: bool = True) -> bool:
    return is_open and next_review_on is not None and next_review_on < today


class Movement(StrEnum):
    NEW = "new"
    UP = "up"
    DOWN = "down"
    SAME = "same"

    @property
    def label(self) -> str:
        return {"new": "New", "up": "Worse", "down": "Better", "same": "No change"}[self.value]


def movement(previous: int | None, current: int | None) -> Movement | None:
    """How a score moved: a higher score is worse."""
    if current is None:
        return None
    if previous is None:
        return Movement.NEW
    if current > previous:
        return Movement.UP
    if current < previous:
        return Movement.DOWN
    return Movement.SAME


def worsening(current_scores: Sequence[int]) -> bool:
    """Worsening: the latest current score (oldest first in ``current_scores``) is above the one before."""
    return len(current_scores) >= 2 and current_scores[-1] > current_scores[-2]


@dataclass(frozen=True)
class Flags:
    above_appetite: bool
    worsening: bool
    review_overdue: bool
    indicator_alert: bool

    @property
    def needs_review(self) -> bool:
        return self.review_overdue or self.indicator_alert

    def words(self) -> list[str]:
        out = []
        if self.above_appetite:
            out.append("Above appetite")
        if self.worsening:
            out.append("Worsening")
        if self.review_overdue:
            out.append("Review overdue")
        if self.indicator_alert:
            out.append("Indicator alert")
        return out


def flags(*, current_scores: Sequence[int], appetite_max: int | None, next_review_on: dt.date | None,
          today: dt.date, is_open: bool, indicator_alert: bool = False) -> Flags:
    current = current_scores[-1] if current_scores else None
    return Flags(above_appetite=is_open and above_appetite(current, appetite_max),
                 worsening=is_open and worsening(current_scores),
                 review_overdue=review_overdue(next_review_on, today, is_open=is_open),
                 indicator_alert=is_open and indicator_alert)
