"""The analytics store: one DuckDB file per organisation.

Tables
------
``submissions``: one row per loaded submission (id, format, sha256 of its content, period
covered, loaded_at, status ``current``/``superseded``, superseded_by, files, row counts,
quarantined count and reasons, warning count, jurisdiction).

``quarantine``: records excluded from a submission loaded with errors accepted (submission id,
pseudonymised record key, rule, file, location, field, message).

Data tables (every row keyed by ``submission_id``; see ``DATA_TABLES`` for columns): CIN
census ``cin_children``, ``cin_referrals``, ``cin_assessments``, ``cin_section47``,
``cin_cp_plans``; SSDA903 ``lac_children``, ``lac_episodes``; ``population``.

``current_<table>`` (same columns): the current submissions' rows, one per natural key
(``NATURAL_KEYS``), the latest collection year's winning; rebuilt inside each load's
transaction. Measures read these.

Person keys are pseudonymised (HMAC) at ingest; dates of birth are kept as a year-month
number (``birth_ym = year * 12 + month - 1``), which gives exact ages at any month end.

``working_days_<jurisdiction>`` (date, wd_index) is the working-day index: wd_index is the
number of working days from 1 January 1950 up to and including the date, so "working days
after A up to and including B" is ``wd_index(B) - wd_index(A)``: a join and a subtraction,
identical on DuckDB and Spark.

Public API: ``Store(path)``, ``Store.current_tables()``, ``Store.refresh_current()``,
``Store.working_days_table(j)``,
``Store.submissions()``, ``Store.exclusions(format)``, ``Store.copy_current_to(backend, j)``,
``build_working_day_index(jurisdiction)``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from carestat.analytics.calendar import calendar_for

INDEX_START = dt.date(1950, 1, 1)
INDEX_END = dt.date(2060, 12, 31)

DATA_TABLES: dict[str, dict[str, str]] = {
    "cin_children": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "upn_key": "VARCHAR", "sex": "VARCHAR", "birth_ym": "INTEGER",
    },
    "cin_referrals": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "referral_date": "DATE", "referral_date_less_12m": "DATE", "closure_date": "DATE",
        "primary_need": "VARCHAR", "referral_nfa": "BOOLEAN",
    },
    "cin_assessments": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "referral_date": "DATE", "primary_need": "VARCHAR", "start_date": "DATE",
        "authorised_date": "DATE",
    },
    "cin_section47": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "referral_date": "DATE", "primary_need": "VARCHAR", "s47_start_date": "DATE",
        "icpc_date": "DATE", "icpc_not_required": "BOOLEAN",
    },
    "cin_cp_plans": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "referral_date": "DATE", "primary_need": "VARCHAR", "start_date": "DATE",
        "end_date": "DATE", "second_anniversary": "DATE", "initial_category": "VARCHAR",
    },
    "lac_children": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "sex": "VARCHAR", "birth_ym": "INTEGER",
    },
    "lac_episodes": {
        "submission_id": "INTEGER", "collection_year": "INTEGER", "child_key": "VARCHAR",
        "decom": "DATE", "dec": "DATE", "rne": "VARCHAR", "ls": "VARCHAR",
        "cin": "VARCHAR", "place": "VARCHAR", "rec": "VARCHAR",
    },
    "population": {
        "submission_id": "INTEGER", "year": "INTEGER", "age_band": "VARCHAR", "sex": "VARCHAR",
        "population": "BIGINT",
    },
}

# natural keys: the same referral, plan or episode appears in each year's return it was
# open in; the current_* tables keep one row per key, the latest collection year's
NATURAL_KEYS = {
    "cin_children": ("child_key",),
    "cin_referrals": ("child_key", "referral_date"),
    "cin_assessments": ("child_key", "start_date"),
    "cin_section47": ("child_key", "s47_start_date"),
    "cin_cp_plans": ("child_key", "start_date"),
    "lac_children": ("child_key",),
    "lac_episodes": ("child_key", "decom"),
    "population": ("year", "age_band", "sex"),
}

UNIQUE_WITHIN_SUBMISSION: set[str] = set()  # see register_tables
STORED_ORDER: dict[str, str] = {}  # table -> ORDER BY its current rows are rebuilt in (register_tables)

FORMAT_TABLES = {
    "cin": ("cin_children", "cin_referrals", "cin_assessments", "cin_section47",
            "cin_cp_plans"),
    "ssda903": ("lac_children", "lac_episodes"),
    "population": ("population",),
}



def register_tables(format: str, tables: dict[str, dict[str, str]],
                    natural_keys: dict[str, tuple[str, ...]] | None = None,
                    unique_within_submission: set[str] | frozenset[str] = frozenset(),
                    stored_order: dict[str, str] | None = None) -> None:
    """Declare another format's data tables (column -> DuckDB type, without submission_id).

    For formats outside this module (CLD, case events, workforce): every Store opened
    afterwards creates the tables and their ``current_`` versions. Tables without natural
    keys keep every current row in ``current_<table>``. ``unique_within_submission`` names
    tables whose natural key never repeats within one submission (the reader makes sure):
    while one current submission holds all their rows, ``current_<table>`` is a view of it
    rather than a copy. ``stored_order`` gives a table's ORDER BY for the rows its reader
    stores; a ``current_`` table rebuilt from several submissions keeps that order, so
    DuckDB's zone maps skip the same row groups in it as in the stored rows.
    """
    for name, cols in tables.items():
        declared = {"submission_id": "INTEGER", **cols}
        if DATA_TABLES.get(name, declared) != declared:
            raise ValueError(f"table {name} is already declared with other columns")
        DATA_TABLES[name] = declared
        if natural_keys and name in natural_keys:
            NATURAL_KEYS[name] = tuple(natural_keys[name])
        if name in unique_within_submission:
            UNIQUE_WITHIN_SUBMISSION.add(name)
        if stored_order and name in stored_order:
            STORED_ORDER[name] = stored_order[name]
    FORMAT_TABLES[format] = tuple(dict.fromkeys((*FORMAT_TABLES.get(format, ()), *tables)))


_ARROW_TYPES = {
    "INTEGER": pa.int32(), "BIGINT": pa.int64(), "VARCHAR": pa.string(), "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"), "DOUBLE": pa.float64(),
    "DECIMAL(18, 6)": pa.decimal128(18, 6),
}

_DDL = """
CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY DEFAULT nextval('submission_ids'),
    format VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL UNIQUE,
    period_label VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    files VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    superseded_by INTEGER,
    row_counts VARCHAR NOT NULL,
    quarantined_count INTEGER NOT NULL,
    quarantine_reasons VARCHAR NOT NULL,
    warning_count INTEGER NOT NULL,
    jurisdiction VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine (
    submission_id INTEGER NOT NULL,
    record_key VARCHAR,
    rule VARCHAR NOT NULL,
    file VARCHAR,
    location VARCHAR,
    field VARCHAR,
    message VARCHAR
);
"""


def arrow_schema(table: str, *, current: bool = False) -> pa.Schema:
    """The Arrow schema of a data table, or with ``current`` of its ``current_`` table."""
    cols = current_columns(table) if current else DATA_TABLES[table]
    return pa.schema([(c, _ARROW_TYPES[t]) for c, t in cols.items()])


# The current tables hold each child's key as a number: the first 15 hex digits (60 bits) of
# the pseudonymised key, which is itself a keyed hash. Measures only join and count on it,
# and DuckDB joins integers about half again as fast as 20-character strings (bench/). Two
# children share a number only if their keys share 15 hex digits: for a million children,
# a chance of about one in two million. The data tables keep the full key.
NUMERIC_KEYS = frozenset({"child_key"})


def current_columns(table: str) -> dict[str, str]:
    """Columns and DuckDB types of ``current_<table>``."""
    return {c: "BIGINT" if c in NUMERIC_KEYS else t for c, t in DATA_TABLES[table].items()}


def _current_select(table: str) -> str:
    return ", ".join(f"try_cast('0x' || left({c}, 15) AS BIGINT) AS {c}"
                     if c in NUMERIC_KEYS else c for c in DATA_TABLES[table])


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple[Any, ...]:
    """The single row of a query that always returns one (an aggregate, ``nextval``).

    DuckDB types ``fetchone()`` as possibly None; for these queries None would mean the
    query is not what it should be, so it is an error naming the query rather than a None
    that fails later with "not subscriptable".
    """
    row = con.execute(sql, params).fetchone() if params is not None else con.execute(sql).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from the query, got none: {sql}")
    return row


def working_days_table_name(jurisdiction: str) -> str:
    """``working_days_england`` etc.: the index table's name in a store or Spark."""
    return f"working_days_{calendar_for(jurisdiction).jurisdiction.value}"


def build_working_day_index(jurisdiction: str, start: dt.date = INDEX_START,
                            end: dt.date = INDEX_END) -> pa.Table:
    """Arrow table (date, wd_index): working days after ``start`` up to and including date."""
    cal = calendar_for(jurisdiction)
    dates, index = [], []
    n = 0
    day = start
    one = dt.timedelta(days=1)
    while day <= end:
        if day != start and cal.is_working_day(day):
            n += 1
        dates.append(day)
        index.append(n)
        day += one
    return pa.table({"date": pa.array(dates, pa.date32()), "wd_index": pa.array(index, pa.int32())})


# How much memory DuckDB may hold for a store before it spills to disk beside the store
# (``<store>.tmp``): a 100-million-row extract then loads in a few gigabytes. Python's own
# objects (the keying of distinct identifiers, say) come on top, so the process peaks above it.
MEMORY_LIMIT = os.environ.get("CARESTAT_DUCKDB_MEMORY_LIMIT", "1500MB")


class Store:
    """One organisation's analytics store (a DuckDB file; in memory when path is None)."""

    def __init__(self, path: str | Path | None, *, read_only: bool = False,
                 memory_limit: str | None = None):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path) if self.path else ":memory:",
                                  read_only=read_only)
        # Ibis table handles, made once: each lookup asks DuckDB for the table's schema, and
        # the tables keep their names and columns when their rows are rebuilt.
        self._tables: dict[str, Any] = {}
        # Settings rather than connect(config=...): DuckDB refuses a second connection to an
        # open file with another configuration. They apply to the whole DuckDB instance.
        self.con.execute(f"SET memory_limit = '{_size(memory_limit or MEMORY_LIMIT)}'")
        if self.path is not None and not read_only:
            spill = self.path.with_name(self.path.name + ".tmp")
            self.con.execute(f"SET temp_directory = '{_quoted(str(spill))}'")
        if not read_only:
            self.con.execute(_DDL)
            for name, cols in DATA_TABLES.items():
                body = ", ".join(f"{c} {t}" for c, t in cols.items())
                self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
                body = ", ".join(f"{c} {t}" for c, t in current_columns(name).items())
                self.con.execute(f"CREATE TABLE IF NOT EXISTS current_{name} ({body})")
            self._add_new_columns()
        self.backend = ibis.duckdb.from_connection(self.con)

    def _add_new_columns(self) -> None:
        """Bring a store made by an earlier version up to the declared tables: columns a
        reader has since declared are added to its data table (empty in the rows already
        loaded: reloading a submission fills them), and the ``current_`` table or view is
        rebuilt so it has them too. Tables and columns are only ever added, never changed
        or dropped, so this is all a store needs as it evolves."""
        have: dict[str, set[str]] = {}
        for table, column in self.con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main'").fetchall():
            have.setdefault(table, set()).add(column)
        stale = []
        for name, cols in DATA_TABLES.items():
            for c, t in cols.items():
                if c not in have.get(name, set()):
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN {c} {t}")
            if set(cols) - have.get(f"current_{name}", set()):
                stale.append(name)
        if stale:
            self.refresh_current(stale)

    def _table(self, name: str):
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -------------------------------------------------------------------------
    def submissions(self, format: str | None = None) -> list[dict]:
        """Every submission, newest first, as dicts (JSON columns decoded)."""
        sql = "SELECT * FROM submissions"
        params: list[Any] = []
        if format:
            sql += " WHERE format = ?"
            params.append(format)
        cur = self.con.execute(sql + " ORDER BY id DESC", params)
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            rec = dict(zip(names, row, strict=True))
            for k in ("files", "row_counts", "quarantine_reasons"):
                rec[k] = json.loads(rec[k])
            out.append(rec)
        return out

    def refresh_current(self, tables=None) -> None:
        """Rebuild ``current_<table>``: current submissions' rows, one per natural key.

        Called by ingest inside its transaction after every load or supersession.
        """
        current = "SELECT id FROM submissions WHERE status = 'current'"
        for name in tables or DATA_TABLES:
            self._tables.pop(f"current_{name}", None)  # its columns' types may change
            cols = _current_select(name)
            if name in UNIQUE_WITHIN_SUBMISSION:
                holders = self.con.execute(
                    f"SELECT DISTINCT submission_id FROM {name} WHERE submission_id IN "
                    f"({current}) LIMIT 2").fetchall()
                if len(holders) <= 1:
                    # one submission's rows are already one per key: a view, not a copy
                    sid = holders[0][0] if holders else -1
                    self._replace_current(name, f"SELECT {cols} FROM {name} "
                                          f"WHERE submission_id = {int(sid)}", view=True)
                    continue
            if name not in NATURAL_KEYS:
                self._replace_current(name, f"SELECT {cols} FROM {name} "
                                      f"WHERE submission_id IN ({current})")
                continue
            keys = ", ".join(NATURAL_KEYS[name])
            order = "collection_year DESC, submission_id DESC" \
                if "collection_year" in DATA_TABLES[name] else "submission_id DESC"
            stored = f" ORDER BY {STORED_ORDER[name]}" if name in STORED_ORDER else ""
            self._replace_current(
                name, f"SELECT {cols} FROM ("
                f"SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS _rn "
                f"FROM {name} WHERE submission_id IN ({current})) WHERE _rn = 1{stored}")

    def _replace_current(self, name: str, select: str, *, view: bool = False) -> None:
        kinds = dict(self.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_name = ? AND table_schema = 'main'", [f"current_{name}"]).fetchall())
        kind = kinds.get(f"current_{name}")
        if kind == "VIEW" and not view:
            self.con.execute(f"DROP VIEW current_{name}")
        elif kind is not None and kind != "VIEW" and view:
            self.con.execute(f"DROP TABLE current_{name}")
        what = "VIEW" if view else "TABLE"
        self.con.execute(f"CREATE OR REPLACE {what} current_{name} AS {select}")

    def current_tables(self) -> dict[str, Any]:
        """Ibis tables of current, non-quarantined records, one row per natural key.

        Rows of superseded submissions are left out; a referral, plan or episode reported
        in several years' returns appears once, as the latest year reported it.
        """
        return {name: self._table(f"current_{name}") for name in DATA_TABLES}

    def current_arrow(self, tables=None) -> dict[str, pa.Table]:
        """The current records (as ``current_tables``) as Arrow tables, for other engines."""
        out = {}
        for name in tables or DATA_TABLES:
            cols = ", ".join(DATA_TABLES[name])
            result = self.con.execute(f"SELECT {cols} FROM current_{name}").arrow()
            # DuckDB 1.5 returns a RecordBatchReader here, earlier versions a Table
            table = result.read_all() if hasattr(result, "read_all") else result
            known = all(t in _ARROW_TYPES for t in current_columns(name).values())
            out[name] = table.cast(arrow_schema(name, current=True)) if known else table
        return out

    def working_days_table(self, jurisdiction: str):
        """The working-day index for a jurisdiction, created in the store on first use."""
        name = working_days_table_name(jurisdiction)
        if name in self._tables:
            return self._tables[name]
        exists = one_row(
            self.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        )[0]
        if not exists:
            self.con.register("_carestat_wd", build_working_day_index(jurisdiction))
            try:
                self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM _carestat_wd")
            finally:
                self.con.unregister("_carestat_wd")
        return self._table(name)

    def exclusions(self, format: str) -> tuple[int, dict[str, int]]:
        """Quarantined records in the current submissions of a format: (count, by rule)."""
        rows = self.con.execute(
            "SELECT quarantined_count, quarantine_reasons FROM submissions "
            "WHERE status = 'current' AND format = ?", [format]
        ).fetchall()
        total = 0
        reasons: Counter = Counter()
        for count, reasons_json in rows:
            total += count
            reasons.update(json.loads(reasons_json))
        return total, dict(sorted(reasons.items()))

    def copy_current_to(self, backend: Any, jurisdiction: str,
                        tables=None) -> tuple[dict[str, Any], Any]:
        """Copy current records and the working-day index into a Spark backend as temp views.

        ``tables`` defaults to the children's tables (CIN, SSDA903, population).
        Returns (tables by name, working-day table) on that backend. Rows travel through the
        driver, which suits tests and modest stores; for a cluster holding many councils'
        returns, write the tables to Parquet and read them there (docs/analytics/children.md).
        """
        session = backend._session
        children = (*FORMAT_TABLES["cin"], *FORMAT_TABLES["ssda903"], "population")
        arrow = dict(self.current_arrow(tables or children))
        wd_name = working_days_table_name(jurisdiction)
        arrow[wd_name] = build_working_day_index(jurisdiction)
        out = {}
        for name, data in arrow.items():
            schema = _spark_schema(data.schema)
            rows = [tuple(r.values()) for r in data.to_pylist()]
            session.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)
            out[name] = backend.table(name)
        wd = out.pop(wd_name)
        return out, wd


def _size(value: str) -> str:
    """A DuckDB memory size such as 1500MB or 4GB, refused if it is anything else."""
    import re

    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", value, re.IGNORECASE):
        raise ValueError(f"{value!r} is not a memory size such as 1500MB or 4GB "
                         "(CARESTAT_DUCKDB_MEMORY_LIMIT)")
    return value.strip()


def _quoted(value: str) -> str:
    return value.replace("'", "''")


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    kinds = {pa.int32(): T.IntegerType(), pa.int64(): T.LongType(), pa.string(): T.StringType(),
             pa.date32(): T.DateType(), pa.bool_(): T.BooleanType(),
             pa.timestamp("us"): T.TimestampNTZType(), pa.float64(): T.DoubleType(),
             pa.decimal128(18, 6): T.DecimalType(18, 6)}
    return T.StructType([T.StructField(f.name, kinds[f.type], True) for f in schema])
