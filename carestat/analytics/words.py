"""Counts in words, for messages and pages: "1 milestone", "3 entries", never "error(s)" or "4.0"."""

from __future__ import annotations

from decimal import Decimal


def plural(n: int | float | Decimal, singular: str, plural_form: str | None = None) -> str:
    """The noun that agrees with ``n``: ``plural(1, "column")`` is "column", ``plural(2, "entry")`` "entries"."""
    if n == 1:
        return singular
    if plural_form is not None:
        return plural_form
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        return singular[:-1] + "ies"
    if singular.endswith(("s", "x", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def figure(n: int | float | Decimal | None) -> str:
    """A count or a figure that may be one, as pages show it: ``figure(12.0)`` is "12", ``figure(1234)``
    "1,234", ``figure(10.5)`` "10.5" (a forecast's central estimate keeps its decimals)."""
    if n is None:
        return ""
    if (isinstance(n, float) and n.is_integer()) or (
            isinstance(n, Decimal) and n.is_finite() and n == n.to_integral_value()):
        n = int(n)
    return f"{n:,}"


def count_of(n: int | float | Decimal, singular: str, plural_form: str | None = None) -> str:
    """``count_of(1, "milestone")`` reads "1 milestone", ``count_of(3.0, "entry")`` "3 entries":
    a whole number without ".0" and the noun agreeing with it."""
    return f"{figure(n)} {plural(n, singular, plural_form)}"
