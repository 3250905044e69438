"""Operational measures from the CareStat case-event table (``case_events``).

Periods are Europe/London calendar dates; an item counts as received "in the period" when its
UTC ``received_at`` falls in [local midnight starting period.start, local midnight after
period.end). Target times come from ``ctx.settings["ops_targets"]`` (see ``target_for`` and
docs/analytics/adults.md). Percentiles use the nearest-rank method (the smallest wait with at
least p% of items at or below it) computed by ranking, so DuckDB and Spark agree exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from carestat.analytics.measures.base import MeasureContext, measure

LONDON = ZoneInfo("Europe/London")
TABLE = "case_events"
VERSION = "1.0"
DEFAULT_DOLS_WORK_TYPE = "dols_application"

_UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}


def period_bounds(ctx: MeasureContext) -> tuple[dt.datetime, dt.datetime]:
    """The period as naive UTC instants [start, end): local midnights, BST respected."""

    def utc_midnight(day: dt.date) -> dt.datetime:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=LONDON)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    return utc_midnight(ctx.period.start), utc_midnight(ctx.period.end + dt.timedelta(days=1))


def target_for(
    targets: Mapping[str, Any], work_type: str, priority: str, kind: str
) -> int | None:
    """Target in seconds for ``kind`` ("first_action" or "signoff"), or None when none is set.

    ``targets`` maps work type (or "*" for any) to priority (or "*" for any) to
    ``{"first_action_hours": 24, "signoff_days": 5, ...}``; units are minutes, hours or days.
    The most specific entry wins: (type, priority), (type, *), (*, priority), (*, *).
    """
    for wt in (work_type, "*"):
        for pr in (priority, "*"):
            entry = targets.get(wt, {}).get(pr, {})
            for unit, secs in _UNIT_SECONDS.items():
                value = entry.get(f"{kind}_{unit}")
                if value is not None:
                    return int(round(float(value) * secs))
    return None


def _target_seconds(t, targets: Mapping[str, Any], kind: str):
    """An Ibis CASE giving each row's target in seconds (NULL where none is configured).

    Cases run from most to least specific; each resolves its target with ``target_for`` so
    a key missing at one level falls back to the next exactly as the docstring there says.
    """
    other = "\x00other"  # a work type or priority named in no setting
    types = [w for w in targets if w != "*"]
    any_type_prios = [p for p in targets.get("*", {}) if p != "*"]
    cases = []
    for wt in types:
        for pr in dict.fromkeys([*(p for p in targets[wt] if p != "*"), *any_type_prios]):
            cases.append(((t.work_type == wt) & (t.priority == pr), target_for(targets, wt, pr, kind)))
        cases.append((t.work_type == wt, target_for(targets, wt, other, kind)))
    for pr in any_type_prios:
        cases.append((t.priority == pr, target_for(targets, other, pr, kind)))
    cases.append((ibis.literal(True), target_for(targets, other, other, kind)))
    null = ibis.null().cast("int64")
    cases = [(cond, null if secs is None else ibis.literal(secs, "int64")) for cond, secs in cases]
    return ibis.cases(*cases, else_=null)


def _seconds_between(later, earlier):
    return later.epoch_seconds().cast("int64") - earlier.epoch_seconds().cast("int64")


def _group(t, by):
    return t.group_by(by) if by else t


def _open_at(t, end):
    """Items received before ``end`` and not completed by it: those completed at or after
    it, then those never completed (UNION ALL of the two; they cannot overlap).

    Written as two filters rather than ``completed_at IS NULL OR completed_at >= end``:
    DuckDB evaluates that OR row by row over every row received before ``end``, while
    ``completed_at >= end`` alone skips each row group whose latest completion is earlier
    (most of them, as the rows are stored by receipt: see case_events.STORED_ORDER).
    "Never completed" reads ``completed_date``, NULL exactly where ``completed_at`` is (the
    reader derives one from the other): a date is half a timestamp's width to scan, and
    this filter, which no row group escapes, is most of a backlog's time.
    """
    late = t.filter((t.received_at < end) & (t.completed_at >= end))
    never = t.filter((t.received_at < end) & t.completed_date.isnull())
    return late.union(never)


def _backlog(t, end, by):
    open_at_end = _open_at(t, end)
    return _group(open_at_end, by).aggregate(numerator=open_at_end.count().cast("int64"))


@measure("OPS-BACKLOG", unit="count", version=VERSION, needs=(TABLE,),
         breakdowns=("work_type", "team", "priority"), additive=True)
def ops_backlog(ctx: MeasureContext, by: list[str]):
    """Work items received on or before the period end and not completed by it."""
    _, end = period_bounds(ctx)
    return _backlog(ctx.tables[TABLE], end, by)


@measure("DOLS-NOT-COMPLETED", unit="count", version=VERSION, needs=(TABLE,),
         breakdowns=("team", "priority"), additive=True)
def dols_not_completed(ctx: MeasureContext, by: list[str]):
    """DoLS applications received on or before the period end and not completed by it."""
    _, end = period_bounds(ctx)
    t = ctx.tables[TABLE]
    work_type = ctx.settings.get("dols_work_type", DEFAULT_DOLS_WORK_TYPE)
    return _backlog(t.filter(t.work_type == work_type), end, by)


def _nearest_rank(n, percent: int):
    """1-based nearest rank ceil(percent/100 * n), in integer arithmetic."""
    return (n * percent + 99) // 100


def _full_join(left, right, by: list[str]):
    if not by:
        return left.cross_join(right)
    joined = left.outer_join(right, by, rname="{name}_r")
    keys = {b: ibis.coalesce(joined[b], joined[f"{b}_r"]) for b in by}
    rest = [c for c in joined.columns if c not in by and not c.endswith("_r")]
    return joined.select(**keys, **{c: joined[c] for c in rest})


WAIT_BREAKDOWNS = ("work_type", "team", "priority")


def _wait_histogram(ctx: MeasureContext):
    """One pass for every breakdown of OPS-WAIT-MEDIAN: at the finest grain (every breakdown
    at once), the number of items completed in the period with each whole-day wait
    (``wait``, ``items``), and, in rows whose ``wait`` is NULL, the oldest open item's wait
    (``longest``). Waits are whole days, so a histogram holds every rank exactly."""
    start, end = period_bounds(ctx)
    t = ctx.tables[TABLE]
    keys = list(WAIT_BREAKDOWNS)
    done = t.filter((t.completed_at >= start) & (t.completed_at < end))
    done = done.mutate(wait=done.completed_date.delta(done.received_date, unit="day").cast("int64"))
    hist = done.group_by([*keys, "wait"]).aggregate(items=done.count().cast("int64"))
    hist = hist.mutate(longest=ibis.null().cast("int64"))
    waiting = _open_at(t, end)
    longest = waiting.group_by(keys).aggregate(
        longest=ibis.literal(ctx.period.end).delta(waiting.received_date, unit="day")
        .max().cast("int64"))
    longest = longest.mutate(wait=ibis.null().cast("int64"), items=ibis.null().cast("int64"))
    return hist.union(longest.select(hist.columns))


def _nearest_rank_from_histogram(counts: list[tuple[int, int]], n: int, percent: int):
    rank = _nearest_rank(n, percent)
    seen = 0
    for wait, items in counts:
        seen += items
        if seen >= rank:
            return wait
    return None


def _wait_rollup(columns: list[str], rows: list[tuple], by: list[str],
                 keys: tuple[str, ...]) -> list[dict]:
    """OPS-WAIT-MEDIAN's rows for ``by`` from ``_wait_histogram``'s: the nearest-rank
    median and 90th percentile, items completed and the longest current wait. A group with
    open items but none completed has no median (as the outer join of the two gave)."""
    at = [columns.index(b) for b in by]
    wait_i, items_i, longest_i = (columns.index(c) for c in ("wait", "items", "longest"))
    longest: dict[tuple, int | None] = {(): None} if not by else {}
    histograms: dict[tuple, dict[int, int]] = {}
    for row in rows:
        key = tuple(None if _missing(row[i]) else _plain(row[i]) for i in at)
        if _missing(row[wait_i]):
            value = None if _missing(row[longest_i]) else int(row[longest_i])
            known = longest.get(key)
            longest[key] = value if known is None or value is None else max(known, value)
        else:
            longest.setdefault(key, None)
            h = histograms.setdefault(key, {})
            h[int(row[wait_i])] = h.get(int(row[wait_i]), 0) + int(row[items_i])
    out = []
    for key, oldest in sorted(longest.items(), key=lambda item: [str(k) for k in item[0]]):
        counts = sorted(histograms.get(key, {}).items())
        n = sum(items for _, items in counts)
        out.append({**dict(zip(by, key, strict=True)),
                    "value": _nearest_rank_from_histogram(counts, n, 50),
                    "p90_days": _nearest_rank_from_histogram(counts, n, 90),
                    "items_completed": n,
                    "longest_current_wait_days": oldest})
    return out


def _plain(x):
    return x.item() if hasattr(x, "item") else x


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x)


@measure("OPS-WAIT-MEDIAN", unit="days", version=VERSION, needs=(TABLE,),
         breakdowns=WAIT_BREAKDOWNS, finest=_wait_histogram, rollup=_wait_rollup)
def ops_wait_median(ctx: MeasureContext, by: list[str]):
    """Median calendar days from receipt to completion for items completed in the period.

    Extra columns: ``p90_days`` (nearest-rank 90th percentile), ``items_completed`` and
    ``longest_current_wait_days`` (the oldest item still open at the period end, in
    calendar days from its receipt date to the period's last day).
    """
    start, end = period_bounds(ctx)
    t = ctx.tables[TABLE]
    done = t.filter((t.completed_at >= start) & (t.completed_at < end))
    done = done.mutate(wait=done.completed_date.delta(done.received_date, unit="day").cast("int64"))
    window = ibis.window(group_by=by or None, order_by=[done.wait])
    ranked = done.mutate(
        _rank=(ibis.row_number().over(window) + 1).cast("int64"),
        _n=done.count().over(ibis.window(group_by=by or None)).cast("int64"),
    )
    stats = _group(ranked, by).aggregate(
        value=ranked.wait.max(where=ranked._rank == _nearest_rank(ranked._n, 50)),
        p90_days=ranked.wait.max(where=ranked._rank == _nearest_rank(ranked._n, 90)),
        items_completed=ranked.count().cast("int64"),
    )
    waiting = t.filter((t.received_at < end) & (t.completed_at.isnull() | (t.completed_at >= end)))
    longest = _group(waiting, by).aggregate(
        longest_current_wait_days=ibis.literal(ctx.period.end)
        .delta(waiting.received_date, unit="day")
        .max()
        .cast("int64")
    )
    out = _full_join(stats, longest, by)
    return out.mutate(items_completed=ibis.coalesce(out.items_completed, 0))


def _received_in_period(ctx: MeasureContext):
    start, end = period_bounds(ctx)
    t = ctx.tables[TABLE]
    return t.filter((t.received_at >= start) & (t.received_at < end))


def _targeted_work_types(targets: Mapping[str, Any], kind: str) -> list[str] | None:
    """The work types that can have a ``kind`` target, or None when any work type can (a
    "*" work-type entry sets one). Only these rows can count, and a filter on them, unlike
    one on the CASE, is one DuckDB's scan applies itself and skips row groups by."""
    other = "\x00other"
    if any(target_for(targets, other, pr, kind) is not None
           for pr in [other, *targets.get("*", {})]):
        return None
    return sorted(wt for wt in targets if wt != "*" and any(
        target_for(targets, wt, pr, kind) is not None for pr in [other, *targets[wt]]))


def _within(ctx: MeasureContext, by: list[str], kind: str, column: str):
    targets = ctx.settings.get("ops_targets", {})
    t = _received_in_period(ctx)
    types = _targeted_work_types(targets, kind)
    if types is not None:  # the same rows as the CASE's NOT NULL below: no figure changes
        t = t.filter(t.work_type.isin(types) if types else ibis.literal(False))
    t = t.mutate(_target=_target_seconds(t, targets, kind))
    t = t.filter(t._target.notnull())
    met = t[column].notnull() & (_seconds_between(t[column], t.received_at) <= t._target)
    return _group(t, by).aggregate(
        numerator=met.cast("int64").sum().cast("int64"),
        denominator=t.count().cast("int64"),
        **{f"{kind}_missing": t[column].isnull().cast("int64").sum().cast("int64")},
    ).mutate(
        numerator=lambda x: ibis.coalesce(x.numerator, 0),
        **{f"{kind}_missing": lambda x: ibis.coalesce(x[f"{kind}_missing"], 0)},
    )


@measure("OPS-WITHIN-TARGET", unit="percent", version=VERSION, needs=(TABLE,),
         breakdowns=("work_type", "priority", "team"), additive=True)
def ops_within_target(ctx: MeasureContext, by: list[str]):
    """Items received in the period whose first action came within their target time.

    Only work types and priorities with a configured first-action target count; an item
    with no first action recorded has not met its target (extra: ``first_action_missing``).
    """
    return _within(ctx, by, "first_action", "first_action_at")


@measure("OPS-SIGNOFF-TARGET", unit="percent", version=VERSION, needs=(TABLE,),
         breakdowns=("work_type", "priority", "team"), additive=True)
def ops_signoff_target(ctx: MeasureContext, by: list[str]):
    """Items received in the period signed off within the sign-off target from receipt.

    Only work types with a configured sign-off target count; a missing sign-off has not met
    the target (extra: ``signoff_missing``).
    """
    return _within(ctx, by, "signoff", "signed_off_at")
