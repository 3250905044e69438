"""Backlog forecasts for operational work, from the case events in the analytics store.

The method lives in carestat.analytics.forecast; this module picks the data, names the
scenarios people asked for, saves forecasts unchanged and compares them with what happened.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from carestat.analytics.forecast import (
    STALE_AFTER_DAYS,
    Scenario,
    compare_with_actuals,
    covered_until,
    events_end,
    forecast_backlog,
    weekly_history,
)
from carestat.analytics.work_types import work_type_label
from carestat.casedata.models import SavedForecast, Submission, SubmissionStatus
from carestat.casedata.stores import reading, summary
from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import InvalidInput
from carestat.core.permissions import Perm

CURRENT = "Current capacity"
EXTRA = "With extra capacity"


def _events(store):
    tables = store.current_tables()
    events = tables.get("case_events")
    if events is None:
        raise InvalidInput("No case events have been loaded yet; load a case-event file first", field="work_type")
    return events


def work_types(org) -> list[str]:
    """Work types with case events loaded, from the store's summary (no store is opened)."""
    found = summary(org)
    return list(found.work_types) if found else []


def data_ends(org) -> dt.date | None:
    """The last date the organisation's loaded case events cover (None when none are loaded)."""
    found = summary(org)
    return found.case_events_end if found else None


def data_status(org) -> dict | None:
    """What the forecast page says before anyone asks: where the data ends and whether that
    is stale today (more than STALE_AFTER_DAYS ago)."""
    ends = data_ends(org)
    if ends is None:
        return None
    today = timezone.localdate()
    return {"data_ends": ends, "days_old": (today - ends).days, "stale": (today - ends).days > STALE_AFTER_DAYS,
            "starts": covered_until(ends)}


def _number(value, field: str, *, minimum: float = 0, maximum: float | None = None) -> Decimal:
    try:
        d = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise InvalidInput(f"‘{value}’ is not a number", field=field) from None
    if d < minimum or (maximum is not None and d > maximum):
        raise InvalidInput(f"Enter a number from {minimum:g} to {maximum:g}" if maximum is not None
                           else f"Enter a number of {minimum:g} or more", field=field)
    return d


def run_forecast(
    access: Access, work_type: str, *, as_of: dt.date | None = None, extra_per_week=0,
    extra_from: dt.date | None = None, extra_weeks: int | None = None, seed: int = 0,
) -> dict:
    """Forecast a work type's backlog under current capacity and, when extra completions
    are given, under that scenario too.

    ``as_of`` (default today) is the date asked for; the forecast starts from it or from the
    last week the loaded case events cover, whichever is earlier, and the result says which
    (``as_of``, ``data_ends``, ``warnings``)."""
    access.require(Perm.VIEW)
    org = access.organisation
    if not work_type:
        raise InvalidInput("Choose a work type", field="work_type")
    extra = _number(extra_per_week, "extra_per_week", maximum=100000)
    if extra_weeks is not None and not 1 <= int(extra_weeks) <= 520:
        raise InvalidInput("Enter a number of weeks from 1 to 520", field="extra_weeks")
    today = timezone.localdate()
    if as_of is not None and as_of > today:
        raise InvalidInput(f"The forecast date cannot be after today ({today:%-d %B %Y}): a forecast starts from "
                           "data already loaded", field="as_of")
    as_of = as_of or today
    if extra_from is not None and extra_from < as_of - dt.timedelta(days=7 * 520):
        raise InvalidInput("The extra capacity cannot start more than 10 years before the forecast", field="extra_from")
    scenarios = []  # current capacity is always projected first
    if extra:
        scenarios.append(Scenario(EXTRA, float(extra), extra_from, int(extra_weeks) if extra_weeks else None))
    known = work_types(org)
    if work_type not in known:
        raise InvalidInput(f"No case events of work type ‘{work_type}’ are loaded"
                           + (f"; known work types: {', '.join(known)}" if known else ""), field="work_type")
    with reading(org) as store:
        if store is None:
            raise InvalidInput("No case events have been loaded yet; load a case-event file first",
                               field="work_type")
        events = _events(store)
        try:
            result = forecast_backlog(store.backend, events, work_type, as_of=as_of, scenarios=scenarios, seed=seed)
        except ValueError:
            mine = events.filter(events.work_type == work_type)
            first = store.backend.to_pyarrow(mine.aggregate(first=mine.received_date.min())).to_pylist()[0]["first"]
            raise InvalidInput(f"No complete week of ‘{work_type}’ case events comes before {as_of:%-d %B %Y}"
                               + (f"; the events start on {first:%-d %B %Y}" if first else "")
                               + ". Choose a later date.", field="as_of") from None
    return result


@transaction.atomic
def save_forecast(access: Access, work_type: str, *, title: str = "", **options) -> SavedForecast:
    access.require(Perm.MANAGE)
    result = run_forecast(access, work_type, **options)
    subs = [f"S{s.pk}" for s in Submission.objects.filter(organisation=access.organisation, format="case_events",
                                                           status=SubmissionStatus.CURRENT)]
    as_of = dt.date.fromisoformat(result["as_of"])
    forecast = SavedForecast.objects.create(
        organisation=access.organisation, work_type=work_type, as_of=as_of,
        title=(title or f"{work_type_label(work_type)} backlog from {as_of:%-d %B %Y}")[:200],
        extra_per_week=_number(options.get("extra_per_week") or 0, "extra_per_week"),
        extra_from=options.get("extra_from"), extra_weeks=options.get("extra_weeks"),
        result=result, submissions=subs, created_by=access.user,
    )
    clears = [f"{s['name']}: " + ("no backlog to clear" if s.get("already_clear") else
                                  s.get("clearance_date") or "does not clear") for s in result["scenarios"]]
    log_action("casedata.forecast.saved", actor=access.user, organisation=access.organisation, record=forecast,
               message=f"{access.user.display_name} saved the forecast ‘{forecast.title}’ ({'; '.join(clears)})")
    return forecast


def against_actuals(forecast: SavedForecast) -> dict | None:
    """The saved forecast's last scenario against the backlog that actually followed, over
    the weeks the loaded data covers (never the weeks after it, which have no data)."""
    org = forecast.organisation
    with reading(org) as store:
        if store is None:
            return None
        tables = store.current_tables()
        if "case_events" not in tables:
            return None
        ends = events_end(store.backend, tables["case_events"])
        if ends is None:
            return None
        history = weekly_history(store.backend, tables["case_events"], forecast.work_type,
                                 until=min(timezone.localdate(), covered_until(ends)),
                                 since=forecast.as_of - dt.timedelta(weeks=1))
    comparison = compare_with_actuals(forecast.result, history)
    comparison["data_ends"] = ends.isoformat()
    return comparison if comparison["weeks"] else None


def forecast_chart(result: dict, title: str, comparison: dict | None = None):
    """The forecast as an SVG chart with its data table (carestat.charts); with a comparison
    (``against_actuals``), the actual backlog since the forecast is drawn over it."""
    from carestat.charts.backlog import Scenario as ChartScenario
    from carestat.charts.backlog import backlog_forecast_chart

    def day(s: str) -> dt.date:
        return dt.date.fromisoformat(s)

    history = [(day(w["week_start"]) + dt.timedelta(days=6), w["backlog"]) for w in result["history"][-52:]]
    scenarios = [
        ChartScenario(
            name=s["name"],
            projected=[(day(p["week_end"]), p["central"]) for p in s["projection"]],
            low=[(day(p["week_end"]), p["low"]) for p in s["projection"]],
            high=[(day(p["week_end"]), p["high"]) for p in s["projection"]],
            clearance_date=day(s["clearance_date"]) if s["clearance_date"] else None,
            already_clear=bool(s.get("already_clear")),
        )
        for s in result["scenarios"]
    ]
    outturn = [(day(w["week_start"]) + dt.timedelta(days=6), w["actual"]) for w in (comparison or {}).get("weeks", [])]
    return backlog_forecast_chart(history, scenarios, title, outturn=outturn)
