"""The measure registry and the runner that turns definitions into results.

A definition is a function ``(ctx, by) -> ibis.Table`` returning one row per combination of
the ``by`` columns with integer ``numerator`` and ``denominator`` columns, and optionally a
``value`` column where the value is not a plain ratio (a median wait, say). The runner calls
it once with ``by=[]`` for the headline figure and once per declared breakdown. Values are
derived from numerator and denominator in Python, so every engine gives identical figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carestat.analytics.periods import Period


@dataclass(frozen=True)
class MeasureContext:
    period: Period
    tables: Mapping[str, Any]  # table name -> ibis.Table of current, non-quarantined records
    working_days: Any = None  # ibis.Table(date, wd_index): cumulative working-day number
    settings: Mapping[str, Any] = field(default_factory=dict)
    backend: Any = None
    # One-row Ibis table of the period's dates (see measures.children.period_parameters):
    # when set, definitions read the period from it, so their SQL does not change with the
    # period and can be compiled once. None: the period's dates are literals.
    params: Any = None


@dataclass(frozen=True)
class MeasureResult:
    code: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    method_version: str
    breakdown: tuple[tuple[str, str], ...] = ()  # () is the headline figure
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. p90 and longest wait

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "period": self.period,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "method_version": self.method_version,
            "breakdown": dict(self.breakdown),
            "extra": dict(self.extra),
        }


Compute = Callable[[MeasureContext, list[str]], Any]


@dataclass(frozen=True)
class MeasureDefinition:
    code: str
    unit: str  # percent, count, rate_per_10000, ratio, days, ...
    method_version: str
    needs: tuple[str, ...]
    compute: Compute
    breakdowns: tuple[str, ...] = ()


REGISTRY: dict[str, MeasureDefinition] = {}


def measure(
    code: str,
    *,
    unit: str,
    version: str,
    needs: Iterable[str],
    breakdowns: Iterable[str] = (),
) -> Callable[[Compute], Compute]:
    """Register a measure definition under its catalogue code."""

    def register(fn: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"measure {code} is defined twice")
        REGISTRY[code] = MeasureDefinition(
            code=code,
            unit=unit,
            method_version=version,
            needs=tuple(needs),
            compute=fn,
            breakdowns=tuple(breakdowns),
        )
        return fn

    return register


def _derive_value(unit: str, numerator, denominator) -> float | None:
    if numerator is None:
        return None
    if unit == "count":
        return float(numerator)
    if not denominator:
        return None
    if unit == "percent":
        return round(100.0 * numerator / denominator, 6)
    if unit == "rate_per_10000":
        return round(10000.0 * numerator / denominator, 6)
    return round(numerator / denominator, 6)


def _clean(x):
    if x is None:
        return None
    try:
        if x != x:  # NaN
            return None
    except TypeError:
        pass
    if hasattr(x, "item"):
        x = x.item()
    return x


def compute_measures(
    backend: Any, ctx: MeasureContext, codes: Iterable[str] | None = None
) -> list[MeasureResult]:
    """Compute the named measures (all whose tables are present, by default) for ctx.period."""
    wanted = list(codes) if codes is not None else sorted(REGISTRY)
    results: list[MeasureResult] = []
    for code in wanted:
        try:
            definition = REGISTRY[code]
        except KeyError:
            raise KeyError(f"no measure is defined with code {code!r}") from None
        if codes is None and not all(t in ctx.tables for t in definition.needs):
            continue
        for by in ([], *([b] for b in definition.breakdowns)):
            expr = definition.compute(ctx, by)
            frame = backend.execute(expr)
            for row in frame.to_dict("records"):
                numerator = _clean(row.get("numerator"))
                denominator = _clean(row.get("denominator"))
                value = _clean(row.get("value")) if "value" in row else None
                if value is None:
                    value = _derive_value(definition.unit, numerator, denominator)
                extra = {
                    k: _clean(v)
                    for k, v in row.items()
                    if k not in {"numerator", "denominator", "value", *by}
                }
                results.append(
                    MeasureResult(
                        code=code,
                        period=ctx.period.label,
                        value=float(value) if value is not None else None,
                        numerator=numerator,
                        denominator=denominator,
                        unit=definition.unit,
                        method_version=definition.method_version,
                        breakdown=tuple((b, str(_clean(row[b]))) for b in by),
                        extra=extra,
                    )
                )
    return results


def empty_group(table, by: list[str]):
    """``table.group_by(by)`` or the whole table when there is no breakdown."""
    return table.group_by(by) if by else table



