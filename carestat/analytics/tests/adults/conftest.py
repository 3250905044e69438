"""Shared fixtures for the adults, operational and workforce analytics tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carestat.analytics import engines
from carestat.analytics.measures.base import MeasureContext, Period
from carestat.analytics.pseudonymise import Pseudonymiser

SAFEGUARDING_TARGETS = {
    "safeguarding_concern": {
        "urgent": {"first_action_hours": 24},
        "standard": {"first_action_days": 3},
        "*": {"signoff_days": 5},
    }
}


@pytest.fixture
def pseudonymiser():
    return Pseudonymiser("test-secret-0123456789")


@pytest.fixture
def backend():
    return engines.duckdb_backend()


@pytest.fixture
def write_csv(tmp_path):
    def write(text: str, name: str = "events.csv") -> Path:
        path = tmp_path / name
        path.write_text(text.strip() + "\n")
        return path

    return write


def q4_2024_25() -> Period:
    return Period("2024-25-Q4", dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def context(tables: dict, period: Period, settings: dict | None = None, backend=None):
    return MeasureContext(period=period, tables=tables, settings=settings or {}, backend=backend)


# ibis 12 reads pandas' deprecated ``future.infer_string`` option whenever it turns a result
# into a DataFrame; pandas 3 warns about that. Nothing here can avoid it, so it alone is
# ignored (a mark, because -W error on the command line outranks ini settings).
_IBIS_PANDAS3 = (
    "ignore:The 'future.infer_string' option is deprecated:pandas.errors.Pandas4Warning"
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.filterwarnings(_IBIS_PANDAS3))
