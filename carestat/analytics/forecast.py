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

The result is plain JSON-serialisable data so it can be saved and later compared with what
happened (``compare_with_actuals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_LOOKBACK_WEEKS = 12
DEFAULT_HORIZON_WEEKS = 52
DEFAULT_SAMPLES = 1000
BAND = (10, 90)


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
        if clearance:
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
    backlog = np.empty(np.broadcast_shapes(arrivals.shape, completions.shape))
    level = np.full(backlog.shape[0], float(start))
    for k in range(backlog.shape[1]):
        level = np.maximum(0.0, level + arrivals[:, k] - completions[:, k])
        backlog[:, k] = level
    return backlog[0] if backlog.shape[0] == 1 else backlog


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

    History runs to the last complete week before ``as_of``'s week; the projection starts on
    the Monday of ``as_of``'s week. See the module docstring for the method.
    """
    history = weekly_history(backend, events, work_type, until=as_of)
    result = project_backlog(
        history,
        scenarios=scenarios,
        lookback_weeks=lookback_weeks,
        horizon_weeks=horizon_weeks,
        samples=samples,
        seed=seed,
        work_type=work_type,
    )
    result["as_of"] = as_of.isoformat()
    return result


def compare_with_actuals(
    saved_forecast: Mapping, actual_weekly_backlog: Mapping | Iterable, *, scenario: str | None = None
) -> dict:
    """A saved forecast against what happened, week by week.

    ``actual_weekly_backlog`` maps week start (date or ISO string) to the backlog at that
    week's end, or is an iterable of such pairs or of ``weekly_history`` Weeks. ``scenario``
    names the scenario to compare (default: the last one, usually the plan adopted).
    Error = actual - central; ``within_band`` says whether the actual fell in [low, high].
    """
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
