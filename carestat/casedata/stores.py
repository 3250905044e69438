"""Who opens an organisation's analytics store, and how.

DuckDB lets one process write a database file, or several processes read it, never both at
once. So the worker (and the command line, which runs the same jobs) is the only writer; web
processes read results from the Django database (measure values, saved forecasts, the store's
summary below) and open a store read-only only for what must be worked out from the rows, such
as a forecast someone asks for. Several web processes can therefore serve one deployment.

A writer that finds the file in use waits for the other writer or the readers to finish; a
reader that finds a load in progress waits a few seconds, then says so in words rather than
failing with DuckDB's lock error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carestat.analytics.forecast import events_end
from carestat.analytics.store import Store
from carestat.core.errors import Busy
from carestat.core.models import Organisation

# A forecast page waits this long for a load to let go of the file before saying it is busy.
READ_WAIT_SECONDS = 8.0
# A load or a computation waits this long for another to finish (a large return takes minutes).
WRITE_WAIT_SECONDS = 30 * 60.0

_process = {"web": False}


class StoreBusy(Busy):
    """The store is being written by a load or a computation running now; try again shortly."""


class WebProcessCannotWrite(RuntimeError):
    """A web process tried to write an analytics store: queue a job for the worker instead."""


def serving_web() -> None:
    """Mark this process as a web server: it never opens a store for writing (``carestat serve``)."""
    _process["web"] = True


def is_web_process() -> bool:
    return _process["web"]


def store_path(org: Organisation) -> Path:
    return Path(settings.ANALYTICS_DIR) / f"{org.slug}.duckdb"


def _locked(exc: Exception) -> bool:
    # Another process holds the file (IOException), or this one has it open the other way.
    return isinstance(exc, duckdb.IOException | duckdb.ConnectionException) and (
        "lock" in str(exc).lower() or "different configuration" in str(exc))


def _open(org: Organisation, *, read_only: bool, wait: float, on_wait: Callable[[], None] | None = None) -> Store:
    deadline = time.monotonic() + wait
    delay, told = 0.05, False
    while True:
        try:
            return Store(store_path(org), read_only=read_only)
        except duckdb.Error as exc:
            if not _locked(exc) or time.monotonic() >= deadline:
                if _locked(exc):
                    raise StoreBusy(
                        f"{org.name}'s case data is being updated by a load or a computation running now; "
                        "try again in a minute") from exc
                raise
        if on_wait and not told:
            on_wait()
            told = True
        time.sleep(delay)
        delay = min(1.0, delay * 2)


def open_store(org: Organisation, *, read_only: bool = False, wait: float | None = None,
               on_wait: Callable[[], None] | None = None) -> Store:
    """The store, for use in a ``with`` block: read-only, or for writing by the worker or the
    command line only (a web process is refused)."""
    if not read_only and is_web_process():
        raise WebProcessCannotWrite(
            f"A web process tried to write {org.slug}'s analytics store; loads and computations run as "
            "jobs on `carestat worker`")
    if wait is None:
        wait = READ_WAIT_SECONDS if read_only else WRITE_WAIT_SECONDS
    return _open(org, read_only=read_only, wait=wait, on_wait=on_wait)


@contextmanager
def reading(org: Organisation, *, wait: float = READ_WAIT_SECONDS) -> Iterator[Store | None]:
    """The store opened read-only, or None when nothing has been loaded yet."""
    if not store_path(org).exists():
        yield None
        return
    with open_store(org, read_only=True, wait=wait) as store:
        yield store


# What pages need to know about a store without opening it ---------------------------------

def summarise(org: Organisation, store: Store) -> None:
    """Record what pages show about the store (work types with case events, where the events
    end) in the Django database. Called by the writer after every change to the store."""
    from carestat.casedata.models import StoreSummary

    tables = store.current_tables()
    events = tables.get("case_events")
    kinds: list[str] = []
    ends = None
    if events is not None:
        rows = store.backend.to_pyarrow(events.select("work_type").distinct().order_by("work_type")).to_pylist()
        kinds = [r["work_type"] for r in rows if r["work_type"]]
        ends = events_end(store.backend, events)
    with transaction.atomic():
        summary, created = StoreSummary.objects.select_for_update().get_or_create(
            organisation=org, defaults={"work_types": kinds, "case_events_end": ends})
        if not created:
            summary.work_types, summary.case_events_end, summary.refreshed_at = kinds, ends, timezone.now()
            summary.save(update_fields=["work_types", "case_events_end", "refreshed_at"])


def summary(org: Organisation):
    """The store's summary; for a store loaded before summaries were kept, read it once,
    read-only, and keep it."""
    from carestat.casedata.models import StoreSummary

    found = StoreSummary.objects.filter(organisation=org).first()
    if found is not None or not store_path(org).exists():
        return found
    with reading(org) as store:
        summarise(org, store)
    return StoreSummary.objects.get(organisation=org)
