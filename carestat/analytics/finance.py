"""Money arithmetic: variance of forecast outturn against budget, and its financial RAG.

Plain Python with no Django import, so the pages, the API, the command line and the report all
judge a budget the same way. All amounts are ``Decimal``; floats are converted through ``str``
so 0.1 stays 0.1.

Conventions (what a council finance report says):

- variance = forecast outturn − budget. Positive is an overspend, negative an underspend.
- variance % = variance ÷ budget × 100, rounded half up to one decimal place; there is no
  percentage when the budget is zero (an overspend on a zero budget is red whatever its size).
- RAG, with the organisation's tolerances as percentages of the budget:
  an underspend, or an overspend of no more than ``amber_from`` %, is green;
  an overspend above ``amber_from`` % and no more than ``red_from`` % is amber;
  above ``red_from`` % is red. The edges belong to the kinder colour, so with tolerances 1 and
  3 an overspend of exactly 3% is amber. An underspend is never red: the money is not lost,
  although the commentary should say why it was not spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

Number = Decimal | int | float | str

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


class FinanceRag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Tolerances:
    """Overspend, as a percentage of budget, from which a line turns amber, and then red."""

    amber_from: Decimal = Decimal("1")
    red_from: Decimal = Decimal("3")

    def __post_init__(self):
        if self.amber_from < 0 or self.red_from < self.amber_from:
            raise ValueError("tolerances must satisfy 0 <= amber_from <= red_from")


DEFAULT_TOLERANCES = Tolerances()


def money(value: Number | None) -> Decimal | None:
    """``value`` as Decimal pounds and pence (None stays None)."""
    if value is None:
        return None
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Variance:
    budget: Decimal
    forecast: Decimal
    amount: Decimal  # forecast - budget; positive is an overspend
    percent: Decimal | None  # of budget, one decimal place; None when the budget is zero
    rag: FinanceRag

    @property
    def words(self) -> str:
        """"£120,000.00 overspend (2.4%)", "on budget" or "£5,000.00 underspend (0.5%)"."""
        return self.describe(format_money)

    def describe(self, show) -> str:
        """As ``words``, with amounts shown by ``show`` (e.g. ``format_thousands``)."""
        if self.amount == 0:
            return "on budget"
        kind = "overspend" if self.amount > 0 else "underspend"
        pct = f" ({abs(self.percent)}%)" if self.percent is not None else ""
        return f"{show(abs(self.amount))} {kind}{pct}"


def variance(budget: Number, forecast: Number, tolerances: Tolerances = DEFAULT_TOLERANCES) -> Variance:
    """The variance of ``forecast`` outturn against ``budget``, with its RAG."""
    b, f = money(budget), money(forecast)
    amount = f - b
    percent = None if b == 0 else (amount / b * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    return Variance(b, f, amount, percent, rate(b, amount, tolerances))


def rate(budget: Decimal, amount: Decimal, tolerances: Tolerances = DEFAULT_TOLERANCES) -> FinanceRag:
    """The RAG of an overspend ``amount`` on ``budget`` (see the module's rules).

    Compared exactly (amount × 100 against tolerance × budget), not on the rounded percentage,
    so an overspend of 3.04% is red with a red tolerance of 3."""
    if amount <= 0:
        return FinanceRag.GREEN
    if budget <= 0:
        return FinanceRag.RED
    if amount * 100 <= tolerances.amber_from * budget:
        return FinanceRag.GREEN
    if amount * 100 <= tolerances.red_from * budget:
        return FinanceRag.AMBER
    return FinanceRag.RED


def total(values: Iterable[Number | None]) -> Decimal:
    """The sum of the amounts given, blanks counting as nothing."""
    return sum((money(v) for v in values if v is not None), Decimal("0.00"))


def format_money(value: Number | None) -> str:
    """"£1,234.50"; "-£1,234.50" for a negative amount; "" for none."""
    if value is None:
        return ""
    v = money(value)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.2f}"


def format_thousands(value: Number | None) -> str:
    """"£1,235k": how a committee table shows money (rounded half up to the nearest thousand)."""
    if value is None:
        return ""
    v = (money(value) / 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,}k"


@dataclass(frozen=True)
class SavingsPosition:
    target: Decimal
    delivered: Decimal
    percent: Decimal | None  # delivered as a percentage of target, one decimal place
    shortfall: Decimal  # target not yet delivered (never negative)


def savings_position(target: Number, delivered: Number) -> SavingsPosition:
    """How much of a savings target has been delivered."""
    t, d = money(target), money(delivered)
    percent = None if t == 0 else (d / t * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
    return SavingsPosition(t, d, percent, max(t - d, Decimal("0.00")))
