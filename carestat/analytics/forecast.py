"""Backlog forecasts per work type from case events.

Weeks run Monday to Sunday on Europe/London calendar dates (``received_date`` and
``completed_date`` in the case-event table). The backlog at a week's end is the number of
items received before it and not completed before it, the same rule as OPS-BACKLOG.

The projection is deliberately simple, so a committee can check it by hand:

* capacity = mean weekly completions over the look-back window (default the last 12
  complete weeks: a quarter, long enough to smooth holiday weeks, short enough to reflect
  current staffing); demand = mean weekly arrivals over the same weeks;
* each projected week: backlog = max(0, backlog + arrivals - completions - extra), where
  ``extra`` is a scenario's added completions in that week;
* the band: ``samples`` simulated futures, each week drawing one past week (arrivals and
  completions together, keeping their correlation) from the look-back window with a seeded
  generator; low and high are the 10th and 90th percentiles of the simulated backlog;
* the clearance date is the last day of the first projected week whose central backlog is
  zero; if none within the horizon the backlog "does not clear" under that capacity.

The forecast starts where the data ends, never at a date the data does not reach: a week
after the last case event would count as a week with no arrivals and no completions, pulling
demand and capacity towards zero and drawing an actual backlog nobody measured. The data
covers a week when its last event falls on the week's Friday or later (the teams work
weekdays, so a week whose events reach Friday is complete); a forecast asked for a later
date starts after the last covered week and says so, with a warning when the data ends more
than ``STALE_AFTER_DAYS`` before the date asked for.

The result is plain JSON-serialisable data so it can be saved and later compared with what
happened (``compare_with_actuals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_LOOKBACK_WEEKS = 12
DEFAULT_HORIZON_WEEKS = 52
DEFAULT_SAMPLES = 1000
BAND = (10, 90)
STALE_AFTER_DAYS = 14  # two weeks: a fortnightly extract is normal, older data is stale


@dataclass(frozen=True)
class Scenario:
    """Extra completions a week from ``start`` for ``weeks`` weeks (None: to the horizon)."""

    name: str
    extra_per_week: float = 0.0
    start: dt.date | None = None
    weeks: int | None = None

    def extra_in(self, week_start: dt.date, first_week: dt.date) -> float:
        """Extra completions in the week starting ``week_start`` (a Monday).

        The extra runs from the week containing ``start`` (the first projected week when
        ``start`` is None) for ``weeks`` weeks.
        """
        begins = _monday(self.start) if self.start else first_week
        if not self.extra_per_week or week_start < begins:
            return 0.0
        if self.weeks is not None and week_start >= begins + dt.timedelta(weeks=self.weeks):
            return 0.0
        return float(self.extra_per_week)

    def describe(self) -> str:
        if not self.extra_per_week:
            return f"{self.name}: current capacity, no extra completions"
        when = f" from the week of {self.start.isoformat()}" if self.start else " from the first projected week"
        span = f" for {self.weeks} weeks" if self.weeks else " to the end of the horizon"
        return f"{self.name}: {self.extra_per_week:g} extra completions a week{when}{span}"


@dataclass(frozen=True)
class Week:
    start: dt.date
    arrivals: int
    completions: int
    backlog: int  # at the week's end


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def events_end(backend, events) -> dt.date | None:
    """The last date the case events cover: the latest dated event of any work type (receipt,
    first action, completion or sign-off), since one extract covers every work type to the
    same day."""
    columns = {"received_date": events.received_date, "completed_date": events.completed_date}
    for name in ("first_action_at", "signed_off_at"):  # timestamps; not every caller has them
        if name in events.columns:
            columns[name] = events[name].date()
    row = backend.to_pyarrow(events.aggregate(**{k: v.max() for k, v in columns.items()})).to_pylist()[0]
    days = [d for d in row.values() if d is not None]
    return max(days) if days else None


def covered_until(data_ends: dt.date) -> dt.date:
    """The Monday after the last week the data covers (see the module docstring)."""
    return _monday(data_ends) + dt.timedelta(weeks=1 if data_ends.weekday() >= 4 else 0)


def weekly_history(
    backend, events, work_type: str, *, until: dt.date, since: dt.date | None = None
) -> list[Week]:
    """Weekly arrivals, completions and end-of-week backlog for one work type.

    Covers complete weeks from the week of the first arrival (or ``since``) to the week
    before the one containing ``until``. Runs two small grouped queries on any Ibis backend.
    """
    t = events.filter(events.work_type == work_type)
    arr = t.group_by(day=t.received_date).aggregate(n=t.count())
    done = t.filter(t.completed_date.notnull())
    comp = done.group_by(day=done.completed_date).aggregate(n=done.count())
    arrivals = {r["day"]: int(r["n"]) for r in backend.to_pyarrow(arr).to_pylist()}
    completions = {r["day"]: int(r["n"]) for r in backend.to_pyarrow(comp).to_pylist()}
    return weeks_from_daily(arrivals, completions, until=until, since=since)


def weeks_from_daily(
    arrivals: Mapping[dt.date, int],
    completions: Mapping[dt.date, int],
    *,
    until: dt.date,
    since: dt.date | None = None,
) -> list[Week]:
    """Fold daily counts into complete Monday-to-Sunday weeks ending before ``until``'s week."""
    end = _monday(until)
    if not arrivals:
        return []
    first = _monday(since or min(arrivals))
    weekly_a: dict[dt.date, int] = {}
    weekly_c: dict[dt.date, int] = {}
    before_a = before_c = 0  # activity before the first week still counts in the backlog
    for day, n in arrivals.items():
        if day < first:
            before_a += n
        elif day < end:
            weekly_a[_monday(day)] = weekly_a.get(_monday(day), 0) + n
    for day, n in completions.items():
        if day < first:
            before_c += n
        elif day < end:
            weekly_c[_monday(day)] = weekly_c.get(_monday(day), 0) + n
    weeks = []
    backlog = before_a - before_c
    week = first
    while week < end:
        a, c = weekly_a.get(week, 0), weekly_c.get(week, 0)
        backlog += a - c
        weeks.append(Week(week, a, c, backlog))
        week += dt.timedelta(weeks=1)
    return weeks


def project_backlog(
    history: Sequence[Week],
    *,
    scenarios: Iterable[Scenario] = (),
    lookback_weeks: int = DEFAULT_LOOKBACK_WEEKS,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    work_type: str = "",
) -> dict:
    """Project the backlog after ``history`` under current capacity and each scenario."""
    if not history:
        raise ValueError("a forecast needs at least one complete week of history")
    lookback_weeks = max(1, min(lookback_weeks, len(history)))
    recent = history[-lookback_weeks:]
    arrivals = np.array([w.arrivals for w in recent], dtype=float)
    completions = np.array([w.completions for w in recent], dtype=float)
    mean_a, mean_c = float(arrivals.mean()), float(completions.mean())
    start_backlog = history[-1].backlog
    first_week = history[-1].start + dt.timedelta(weeks=1)
    weeks = [first_week + dt.timedelta(weeks=i) for i in range(horizon_weeks)]
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(recent), size=(samples, horizon_weeks))
    sim_a, sim_c = arrivals[draws], completions[draws]

    out_scenarios = []
    for scenario in [Scenario("Current capacity"), *scenarios]:
        extra = np.array([scenario.extra_in(w, first_week) for w in weeks])
        central = _run(start_backlog, np.full(horizon_weeks, mean_a), np.full(horizon_weeks, mean_c) + extra)
        sims = _run(start_backlog, sim_a, sim_c + extra)
        low, high = np.percentile(sims, BAND, axis=0)
        clear_week = _first_zero(central)
        sim_clear = [_first_zero(row) for row in sims]
        cleared = [c for c in sim_clear if c is not None]
        clear_share = len(cleared) / samples
        projection = [
            {
                "week_start": w.isoformat(),
                "week_end": (w + dt.timedelta(days=6)).isoformat(),
                "extra": float(e),
                "central": round(float(c), 1),
                "low": round(float(lo), 1),
                "high": round(float(hi), 1),
            }
            for w, e, c, lo, hi in zip(weeks, extra, central, low, high, strict=True)
        ]
        clearance = _week_end(weeks, clear_week)
        already_clear = start_backlog <= 0
        if already_clear:
            # nothing to clear: a clearance date would read "between 6 and 6 December"
            clearance = clear_week = None
            sim_clear = [None] * samples
            final = float(central[-1])
            summary = f"no backlog to clear: none was waiting on {first_week.isoformat()}" + (
                f"; under this capacity one builds to {final:.0f} by {weeks[-1] + dt.timedelta(days=6)}"
                if final > 0 else ", and under this capacity none builds up")
        elif clear_week is not None:
            summary = f"clears in week {clear_week + 1}, by {clearance}"
        else:
            summary = f"does not clear within {horizon_weeks} weeks under this capacity"
        out_scenarios.append(
            {
                "name": scenario.name,
                "extra_per_week": float(scenario.extra_per_week),
                "from": scenario.start.isoformat() if scenario.start else None,
                "weeks": scenario.weeks,
                "description": scenario.describe(),
                "clears": clearance is not None,
                "already_clear": already_clear,
                "clearance_date": clearance,
                # the band's dates: when 90% / 10% of simulated futures have cleared
                "clearance_early": _week_end(weeks, _quantile_week(sim_clear, 0.1)),
                "clearance_late": _week_end(weeks, _quantile_week(sim_clear, 0.9)),
                "share_of_simulations_clearing": round(clear_share, 3),
                "summary": summary,
                "projection": projection,
            }
        )
    return {
        "work_type": work_type,
        "week_starts_on": "Monday",
        "first_projected_week": first_week.isoformat(),
        "starting_backlog": int(start_backlog),
        "already_clear": start_backlog <= 0,
        "lookback_weeks": lookback_weeks,
        "horizon_weeks": horizon_weeks,
        "samples": samples,
        "seed": seed,
        "mean_weekly_arrivals": round(mean_a, 3),
        "mean_weekly_completions": round(mean_c, 3),
        "history": [
            {"week_start": w.start.isoformat(), "arrivals": w.arrivals,
             "completions": w.completions, "backlog": w.backlog}
            for w in history
        ],
        "scenarios": out_scenarios,
        "assumptions": [
            f"Backlog on {first_week.isoformat()}: {start_backlog} items (received and not "
            "completed before that Monday).",
            f"Demand: {mean_a:.1f} new items a week, the mean of the last {lookback_weeks} "
            "complete weeks.",
            f"Current capacity: {mean_c:.1f} completions a week, the mean of the same weeks.",
            "Scenarios add completions on top of current capacity; completions never exceed "
            "the items waiting, so the backlog does not go below zero.",
            f"The band shows the {BAND[0]}th to {BAND[1]}th percentile of {samples} futures "
            f"built by resampling those {lookback_weeks} weeks (seed {seed}).",
            "The clearance date is the last day of the first week the central projection "
            "reaches zero.",
        ],
    }


def _run(start: float, arrivals: np.ndarray, completions: np.ndarray) -> np.ndarray:
    """Backlog at each week's end, never below zero; works on one path or many (rows)."""
    arrivals, completions = np.atleast_2d(arrivals), np.atleast_2d(completions)
    rows, n_weeks = np.broadcast_shapes(arrivals.shape, completions.shape)
    backlog = np.empty((rows, n_weeks))
    level = np.full(rows, float(start))
    for k in range(n_weeks):
        level = np.maximum(0.0, level + arrivals[:, k] - completions[:, k])
        backlog[:, k] = level
    return backlog[0] if rows == 1 else backlog


def _first_zero(path: np.ndarray) -> int | None:
    zero = np.flatnonzero(path <= 1e-9)
    return int(zero[0]) if zero.size else None


def _quantile_week(clear_weeks: list[int | None], q: float) -> int | None:
    never = 10**9
    values = np.array([never if c is None else c for c in clear_weeks])
    k = int(np.ceil(q * len(values))) - 1  # nearest rank
    value = int(np.sort(values)[max(k, 0)])
    return None if value == never else value


def _week_end(weeks: list[dt.date], index: int | None) -> str | None:
    if index is None:
        return None
    return (weeks[index] + dt.timedelta(days=6)).isoformat()


def forecast_backlog(
    backend,
    events,
    work_type: str,
    *,
    as_of: dt.date,
    scenarios: Iterable[Scenario] = (),
    lookback_weeks: int = DEFAULT_LOOKBACK_WEEKS,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
) -> dict:
    """Forecast one work type's backlog from case events, as JSON-serialisable data.

    History runs to the last complete week before ``as_of``'s week, or to the last week the
    data covers if that is earlier; the projection starts on the Monday after it. The result
    keeps the date asked for (``requested_as_of``), the date the forecast is made from
    (``as_of``), the data's last date (``data_ends``) and any warnings in words.
    """
    data_ends = events_end(backend, events)
    if data_ends is None:
        raise ValueError("a forecast needs case events with dates")
    effective = min(as_of, covered_until(data_ends))
    history = weekly_history(backend, events, work_type, until=effective)
    result = project_backlog(
        history,
        scenarios=scenarios,
        lookback_weeks=lookback_weeks,
        horizon_weeks=horizon_weeks,
        samples=samples,
        seed=seed,
        work_type=work_type,
    )
    result["requested_as_of"] = as_of.isoformat()
    result["as_of"] = effective.isoformat()
    result["data_ends"] = data_ends.isoformat()
    result["stale"] = (as_of - data_ends).days > STALE_AFTER_DAYS
    result["warnings"] = []
    if effective < as_of and _monday(effective) < _monday(as_of):
        late = (as_of - data_ends).days
        result["warnings"].append(
            f"The case events end on {_words(data_ends)}, {late} days before {_words(as_of)}, so the "
            f"forecast starts from the week of {_words(_monday(effective))}, after the last week they "
            "cover: the weeks since have no data and are not counted as weeks with nothing in them."
            + (" Load a newer case-event extract to forecast from now." if result["stale"] else "")
        )
    result["assumptions"].insert(0, f"Made from case events up to {data_ends.isoformat()}, the last date "
                                 "the loaded data covers.")
    return result


def _words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def compare_with_actuals(
    saved_forecast: Mapping, actual_weekly_backlog: Mapping | Iterable, *, scenario: str | None = None
) -> dict:
    """A saved forecast against what happened, week by week.

    ``actual_weekly_backlog`` maps week start (date or ISO string) to the backlog at that
    week's end, or is an iterable of such pairs or of ``weekly_history`` Weeks. ``scenario``
    names the scenario to compare (default: the last one, usually the plan adopted).
    Error = actual - central; ``within_band`` says whether the actual fell in [low, high].
    """
    pairs: Iterable[tuple[Any, ...]]
    if isinstance(actual_weekly_backlog, Mapping):
        pairs = actual_weekly_backlog.items()
    else:
        pairs = [
            (a.start, a.backlog) if isinstance(a, Week) else tuple(a) for a in actual_weekly_backlog
        ]
    actual = {(k.isoformat() if isinstance(k, dt.date) else str(k)): v for k, v in pairs}
    chosen = saved_forecast["scenarios"][-1]
    if scenario is not None:
        matches = [s for s in saved_forecast["scenarios"] if s["name"] == scenario]
        if not matches:
            raise KeyError(f"the saved forecast has no scenario named {scenario!r}")
        chosen = matches[0]
    weeks = []
    for point in chosen["projection"]:
        if point["week_start"] not in actual:
            continue
        value = actual[point["week_start"]]
        weeks.append(
            {
                "week_start": point["week_start"],
                "forecast": point["central"],
                "low": point["low"],
                "high": point["high"],
                "actual": value,
                "error": round(value - point["central"], 1),
                "within_band": point["low"] <= value <= point["high"],
            }
        )
    errors = [w["error"] for w in weeks]
    return {
        "work_type": saved_forecast.get("work_type", ""),
        "scenario": chosen["name"],
        "weeks": weeks,
        "mean_error": round(sum(errors) / len(errors), 2) if errors else None,
        "mean_absolute_error": round(sum(abs(e) for e in errors) / len(errors), 2) if errors else None,
        "share_within_band": round(sum(w["within_band"] for w in weeks) / len(weeks), 3) if weeks else None,
    }
