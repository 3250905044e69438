"""Counts in words, for messages and pages: "1 milestone", "3 entries", never "error(s)" or "4.0"."""

from __future__ import annotations


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
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


def count_of(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """``count_of(1, "milestone")`` reads "1 milestone", ``count_of(3.0, "entry")`` "3 entries":
    a whole number without ".0" and the noun agreeing with it."""
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    return f"{n:,} {plural(n, singular, plural_form)}"
