"""The measure registry and the runner that turns definitions into results.

A definition is a function ``(ctx, by) -> ibis.Table`` returning one row per combination of
the ``by`` columns with integer ``numerator`` and ``denominator`` columns, and optionally a
``value`` column where the value is not a plain ratio (a median wait, say). The runner calls
it once with ``by=[]`` for the headline figure and once per declared breakdown. Values are
derived from numerator and denominator in Python, so every engine gives identical figures.

A definition may instead be run once, at the finest grain (grouped by every breakdown at
once), and rolled up in Python: ``additive=True`` when every column is a count to be summed,
or ``finest`` and ``rollup`` for figures such as a median, rolled up from a histogram. One
pass over the rows then serves the headline and every breakdown
(docs/decisions/0032-measures-against-the-floor.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.operations as ops

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
# (column names, rows at the finest grain, the breakdown wanted, every breakdown)
# -> result rows as dicts
Rollup = Callable[[list[str], list[tuple], list[str], tuple[str, ...]], list[dict]]


@dataclass(frozen=True)
class MeasureDefinition:
    code: str
    unit: str  # percent, count, rate_per_10000, ratio, days, ...
    method_version: str
    needs: tuple[str, ...]
    compute: Compute
    breakdowns: tuple[str, ...] = ()
    # One query at the finest grain, rolled up in Python (None: one query per breakdown).
    finest: Callable[[MeasureContext], Any] | None = None
    rollup: Rollup | None = None


def summed(columns: list[str], rows: list[tuple], by: list[str],
           keys: tuple[str, ...]) -> list[dict]:
    """Roll additive columns (counts) of finest-grain rows up to ``by``.

    NULL keys stay a group of their own, as GROUP BY keeps them; the headline is one row
    even when there are no rows at all (every count 0), as an ungrouped aggregate is.
    """
    values = [i for i, c in enumerate(columns) if c not in keys]
    at = [columns.index(b) for b in by]
    sums: dict[tuple, list] = {} if by else {(): [0] * len(values)}
    for row in rows:
        acc = sums.setdefault(tuple(_clean(row[i]) for i in at), [0] * len(values))
        for j, i in enumerate(values):
            acc[j] += _clean(row[i]) or 0
    return [{**dict(zip(by, key, strict=True)),
             **{columns[i]: acc[j] for j, i in enumerate(values)}}
            for key, acc in sorted(sums.items(), key=_key_order)]


def _key_order(item) -> list[str]:
    """Breakdown rows in a stable order (by the keys' text; NULL keys allowed)."""
    return [str(k) for k in item[0]]


def _at_finest(fn: Compute, breakdowns: tuple[str, ...]) -> Callable[[MeasureContext], Any]:
    return lambda ctx: fn(ctx, list(breakdowns))


REGISTRY: dict[str, MeasureDefinition] = {}


def measure(
    code: str,
    *,
    unit: str,
    version: str,
    needs: Iterable[str],
    breakdowns: Iterable[str] = (),
    additive: bool = False,
    finest: Callable[[MeasureContext], Any] | None = None,
    rollup: Rollup | None = None,
) -> Callable[[Compute], Compute]:
    """Register a measure definition under its catalogue code.

    ``additive``: every column but the breakdowns is a count, so the runner groups once by
    every breakdown and sums. ``finest`` and ``rollup``: the runner executes
    ``finest(ctx)`` once and calls ``rollup(frame, by)`` for the headline and each breakdown.
    """
    breakdowns = tuple(breakdowns)

    def register(fn: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"measure {code} is defined twice")
        first, roll = finest, rollup
        if additive:
            first, roll = _at_finest(fn, breakdowns), summed
        REGISTRY[code] = MeasureDefinition(
            code=code,
            unit=unit,
            method_version=version,
            needs=tuple(needs),
            compute=fn,
            breakdowns=breakdowns,
            finest=first,
            rollup=roll,
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
        finest = None
        if definition.finest is not None and definition.rollup is not None:
            finest = _finest_rows(backend, definition, ctx)
        for by in ([], *([b] for b in definition.breakdowns)):
            if finest is not None and definition.rollup is not None:
                rows = definition.rollup(*finest, by, definition.breakdowns)
            else:
                rows = backend.execute(definition.compute(ctx, by)).to_dict("records")
            for row in rows:
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


# Finest-grain queries compiled to SQL, by (engine, code, tables, period, settings): Ibis
# takes longer to compile one of these than DuckDB takes to run it on a million rows.
_FINEST_SQL: dict[tuple, str] = {}
_FINEST_SQL_LIMIT = 512


def _finest_key(backend: Any, definition: MeasureDefinition, ctx: MeasureContext) -> tuple | None:
    if getattr(backend, "name", None) != "duckdb":
        return None
    used = [t for k, t in ctx.tables.items() if k in definition.needs]
    if ctx.working_days is not None:
        used.append(ctx.working_days)
    # only tables the connection holds: a memtable exists there only once Ibis's own
    # execute has registered it, and a derived table has no stable name
    if not all(isinstance(getattr(t, "op", lambda: None)(), ops.DatabaseTable) for t in used):
        return None
    try:
        tables = tuple(sorted((k, t.get_name(), tuple(t.schema().items()))
                              for k, t in ctx.tables.items() if k in definition.needs))
        wd = ctx.working_days.get_name() if ctx.working_days is not None else None
        settings = json.dumps(ctx.settings, sort_keys=True, default=str)
    except (AttributeError, ValueError, TypeError):  # derived tables: no stable SQL
        return None
    return (definition.code, tables, wd, ctx.period, settings)


def _finest_rows(backend: Any, definition: MeasureDefinition,
                 ctx: MeasureContext) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of the definition's finest-grain query, compiled once on DuckDB."""
    assert definition.finest is not None
    key = _finest_key(backend, definition, ctx)
    if key is None:
        frame = backend.execute(definition.finest(ctx))
        return list(frame.columns), list(frame.itertuples(index=False, name=None))
    sql = _FINEST_SQL.get(key)
    if sql is None:
        if len(_FINEST_SQL) >= _FINEST_SQL_LIMIT:
            _FINEST_SQL.clear()
        sql = _FINEST_SQL[key] = str(backend.compile(definition.finest(ctx)))
    cur = backend.con.execute(sql)
    return [d[0] for d in cur.description], cur.fetchall()


def empty_group(table, by: list[str]):
    """``table.group_by(by)`` or the whole table when there is no breakdown."""
    return table.group_by(by) if by else table



