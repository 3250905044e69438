"""The CareStat case-event CSV: one row per operational work item (docs/analytics/case-events.md).

Reading streams through DuckDB: the CSV is scanned once (every column as text, parsed with
SQL) into a typed temporary table, validation runs as SQL over that table and reports row
numbers, and person identifiers are pseudonymised once per distinct person, in batches.
Ten million rows never become Python objects. (Re-reading the file for each step instead of
staging it was tried: it used about 70% more CPU, as every pass parses the timestamps again.
Under a DuckDB memory limit the staging table spills to disk rather than failing.)

Timestamps are ISO 8601. A value with an offset (``Z``, ``+01:00``, ``+0100``) means that
instant; a value without one is Europe/London wall-clock time (GMT or BST as in force then).
Everything is stored as naive UTC. Wall-clock times that occur twice (the hour before the
clocks go back) are read as the first occurrence (BST); times that do not exist (the hour
skipped when the clocks go forward) are read with the offset in force before the change
(GMT), so 01:30 on that morning is stored as 01:30 UTC. Both match Python's zoneinfo with
``fold=0``.
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from carestat.analytics.problems import Problem, Severity, UnreadableFile
from carestat.analytics.store import one_row
from carestat.analytics.words import count_of, plural

FORMAT = "case_events"
TABLE = "case_events"

REQUIRED = ("item_id", "person_id", "work_type", "team", "priority", "received_at")
OPTIONAL = ("first_action_at", "completed_at", "signed_off_at", "outcome")
COLUMNS = REQUIRED + OPTIONAL
TIMESTAMPS = ("received_at", "first_action_at", "completed_at", "signed_off_at")
DEFAULT_PRIORITIES = ("urgent", "high", "standard", "low")

# The stored table: the analytics store adds its submission column.
STORED_COLUMNS = {
    "item_id": "string",
    "person_key": "string",
    "work_type": "string",
    "team": "string",
    "priority": "string",
    "received_at": "timestamp",
    "first_action_at": "timestamp",
    "completed_at": "timestamp",
    "signed_off_at": "timestamp",
    "outcome": "string",
    "received_date": "date",  # Europe/London calendar date, for waits in calendar days
    "completed_date": "date",
}

_DUCKDB = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE"}
# In the analytics store's declaration style (column -> DuckDB type; it adds submission_id).
TABLES = {TABLE: {c: _DUCKDB[t] for c, t in STORED_COLUMNS.items()}}
# The order rows are stored in, so measures read few rows (docs/decisions/0032, second round):
# each work type's items by receipt, so DuckDB's zone maps (each row group's minimum and
# maximum) skip the row groups outside a measure's work type, or received or completed outside
# its period; and the open items (no completed_at) together after the closed ones, so the
# rows a backlog selects fill whole vectors, and vectors of closed items, none selected, are
# not read beyond the filtered columns. (DuckDB 1.5 skips row groups by ranges, not by IS NULL.)
STORED_ORDER = "completed_at IS NULL, work_type, received_at"

LONDON = ZoneInfo("Europe/London")
_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"
_OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)$"
MAX_PROBLEMS_PER_RULE = 1000  # beyond this a rule reports a count, not every row
KEYING_SLICE = 200_000  # distinct person identifiers keyed at a time


@dataclass
class CaseEventRead:
    """What reading one case-event file produced, staged in a DuckDB connection.

    The staged rows stay in temporary tables of ``con``, and the person keys in an Arrow table
    registered with it, until ``cleanup()``; the store copies them with ``select_sql()`` (one
    INSERT ... SELECT, so ten million rows move inside DuckDB).
    """

    file: str
    rows: int
    con: duckdb.DuckDBPyConnection
    problems: list[Problem] = field(default_factory=list)
    error_rows: int = 0  # rows with at least one error (left out if loaded with errors)
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    # seconds per stage: read, checks, keying (alongside the checks), checks_and_keying
    timings: dict[str, float] = field(default_factory=dict)
    # whether every date-time was a wall-clock one, read on the fast path (read_case_events)
    fast_path: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def select_sql(self, *, keep_errors: bool = False) -> str:
        """SELECT giving the pseudonymised rows to store (rows with errors left out)."""
        n = self._names
        cols = ", ".join(
            "k.person_key" if c == "person_key" else f"t.{c}" for c in STORED_COLUMNS
        )
        where = ""
        if not keep_errors and self.error_rows:
            # a row breaking a rule carries its flag; a repeated item id, found after reading,
            # is the only other error, and rare
            where = f" WHERE _err = 0 AND rowid NOT IN (SELECT r FROM {n['dup_rows']})"
        return (
            f"SELECT {cols} FROM (SELECT * FROM {n['stage']}{where}) t "
            f"LEFT JOIN {n['keys']} k ON k.person_id = t.person_id"
        )

    def cleanup(self) -> None:
        """Drop the staging tables and unregister the keys (they hold raw person identifiers)."""
        n = self._names
        self.con.execute(f"DROP TABLE IF EXISTS {n['stage']}")
        self.con.execute(f"DROP TABLE IF EXISTS {n['dup_rows']}")
        self.con.unregister(n["keys"])  # nothing to do if the read failed before keying


def london_to_utc(value: dt.datetime) -> dt.datetime:
    """Naive Europe/London wall-clock time to naive UTC, by zoneinfo (fold=0)."""
    return value.replace(tzinfo=LONDON).astimezone(dt.UTC).replace(tzinfo=None)


def _last_sunday(year: str, month: int) -> str:
    last = f"make_date({year}, {month}, 31)"
    return f"({last} - CAST(dayofweek({last}) AS INTEGER))"  # dayofweek: Sunday = 0


def _in_bst_wall(ts: str) -> str:
    """Whether naive Europe/London wall-clock ``ts`` reads as BST.

    BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
    October (the rule since 1996; CareStat applies it to every year). On the wall clock that is
    [02:00 on the March Sunday, 02:00 on the October Sunday): the skipped hour reads as GMT
    and the repeated hour as BST, as zoneinfo does with fold=0.
    """
    return _in_bst(ts, "INTERVAL 2 HOUR")


def _in_bst_utc(ts: str) -> str:
    """Whether naive UTC ``ts`` falls in BST (changes at 01:00 UTC)."""
    return _in_bst(ts, "INTERVAL 1 HOUR")


def _in_bst(ts: str, at: str) -> str:
    # Only March and October need the date arithmetic; the month decides the rest cheaply.
    y, m = f"year({ts})", f"month({ts})"
    return (
        f"(CASE WHEN {m} BETWEEN 4 AND 9 THEN true WHEN {m} = 3 THEN {ts} >= "
        f"{_last_sunday(y, 3)} + {at} WHEN {m} = 10 THEN {ts} < {_last_sunday(y, 10)} + {at} "
        f"ELSE false END)"
    )


def _parse_layers(columns: Iterable[str], *, wall_only: bool = False) -> list[list[str]]:
    """Select lists, innermost first, turning ``{c}_raw`` text into ``{c}`` naive UTC.

    The common case (a wall-clock value such as 2024-05-01T09:30) takes a plain cast; only
    values that fail it go through the regular expressions that read an offset. Each layer
    names what the next reuses, so nothing is computed twice. ``wall_only`` leaves the
    offsets out: every value that is not a wall-clock time is then NULL (the reader's fast
    path, which starts again on the full path when any such value turns up).
    """
    inner, outer = [], []
    for c in columns:
        raw = f"{c}_raw"
        inner.append(
            f"CASE WHEN {raw} LIKE '____-__-__%' THEN try_cast({raw} AS TIMESTAMP) END AS {c}_wall"
        )
        if wall_only:
            outer.append(
                f"CASE WHEN {c}_wall IS NOT NULL THEN (CASE WHEN {_in_bst_wall(c + '_wall')} "
                f"THEN {c}_wall - INTERVAL 1 HOUR ELSE {c}_wall END) END AS {c}"
            )
            continue
        off = f"regexp_extract({raw}, '{_OFFSET}')"
        off_minutes = (
            f"CASE WHEN {off} = 'Z' THEN 0 ELSE "
            f"(CASE WHEN left({off}, 1) = '-' THEN -1 ELSE 1 END) * "
            f"(CAST(substr({off}, 2, 2) AS INTEGER) * 60 + "
            f"coalesce(try_cast(nullif(substr(replace({off}, ':', ''), 4, 2), '') AS INTEGER), 0))"
            f" END"
        )
        with_offset = (
            f"try_cast(replace(left({raw}, length({raw}) - length({off})), 'T', ' ') AS TIMESTAMP)"
            f" - to_minutes(CAST({off_minutes} AS BIGINT))"
        )
        outer.append(
            f"CASE WHEN {c}_wall IS NOT NULL THEN (CASE WHEN {_in_bst_wall(c + '_wall')} "
            f"THEN {c}_wall - INTERVAL 1 HOUR ELSE {c}_wall END) "
            f"WHEN length({raw}) > 10 AND regexp_matches({raw}, '{_ISO}') "
            f"AND {off} <> '' THEN {with_offset} END AS {c}"
        )
    return [inner, outer]


def _local_date_sql(utc: str) -> str:
    """Europe/London calendar date of naive UTC ``utc``."""
    return f"CAST(CASE WHEN {_in_bst_utc(utc)} THEN {utc} + INTERVAL 1 HOUR ELSE {utc} END AS DATE)"


def _header(path: Path, label: str) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(label, f"not a readable UTF-8 text file: {exc}") from exc
    if not first.strip():
        raise UnreadableFile(label, "the file is empty")
    return next(csv.reader([first]))


def read_case_events(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    pseudonymiser: Callable[..., str | None],
    priorities: Iterable[str] = DEFAULT_PRIORITIES,
    file_label: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    fast_path: bool = True,
) -> CaseEventRead:
    """Read, validate and pseudonymise a case-event CSV into temporary tables of ``con``.

    ``con`` is a raw ``duckdb`` connection (``backend.con`` for an Ibis one). Problems name
    the row as a spreadsheet shows it (the header is row 1), the field and the rule.
    ``fast_path=False`` skips the wall-clock fast path (for tests that compare the two). Raises
    UnreadableFile when the file is not a CSV with the required columns.
    """
    path = Path(path)
    label = file_label or path.name
    priorities = tuple(p.strip().lower() for p in priorities)
    if not path.exists():
        raise UnreadableFile(label, "the file does not exist")
    names_in_file = _header(path, label)
    lowered = {n.strip().lower(): i for i, n in enumerate(names_in_file)}
    missing = [c for c in REQUIRED if c not in lowered]
    if missing:
        raise UnreadableFile(
            label,
            f"not a CareStat case-event file: missing {plural(len(missing), 'column')} "
            + ", ".join(missing)
            + f" (found: {', '.join(names_in_file)})",
            location="row 1",
        )
    # Every column is read as text under a positional name, so odd headers cannot break SQL.
    positional = {f"c{i}": "VARCHAR" for i in range(len(names_in_file))}
    tag = uuid.uuid4().hex[:10]
    names = {"stage": f"_ce_stage_{tag}", "dup_rows": f"_ce_dups_{tag}", "keys": f"_ce_keys_{tag}"}
    stage = names["stage"]

    def src(c: str) -> str:
        # read_csv already gives NULL for an empty field; values are taken as written
        return f"c{lowered[c]}" if c in lowered else "CAST(NULL AS VARCHAR)"

    if progress:
        progress(0, 4, f"reading {label}")
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    # The fast path first: wall-clock values only, with no offsets to read and no text of
    # bad values to keep, so its staging table is smaller. A file with any other value (an
    # offset, or text that is no date-time) is read again on the full path, whose problems
    # and rows are the ones reported; the fast path gives the same rows for the files it
    # takes (tested), as both read wall-clock values with the same expressions.
    wall_only = fast_path
    while True:
        checks, bits, format_bits = _stage(con, stage, path, positional, src, priorities,
                                           label, wall_only=wall_only)
        if not wall_only or not one_row(
                con, f"SELECT count(*) FROM (SELECT 1 FROM {stage} "
                f"WHERE _err & {format_bits} <> 0 LIMIT 1)")[0]:
            break
        con.execute(f"DROP TABLE {stage}")
        wall_only = False
    timings["read"] = time.perf_counter() - clock

    # Pseudonymise once per distinct person (far fewer people than events) and join the keys
    # back when storing. The keying runs in a thread: Python's HMAC holds the interpreter
    # while DuckDB, which lets go of it, checks the rows meanwhile.
    if progress:
        progress(1, 4, "checking every row and pseudonymising person identifiers")
    clock = time.perf_counter()
    distinct = con.execute(
        f"SELECT DISTINCT person_id FROM {stage} WHERE person_id IS NOT NULL").arrow()
    ids = (distinct.read_all() if hasattr(distinct, "read_all") else distinct).column(0)
    keyed: dict[str, Any] = {}

    def key_ids() -> None:
        started = time.perf_counter()
        try:
            many = getattr(pseudonymiser, "many", None)
            keys = []
            # in slices, so only one slice at a time is held as Python strings
            for at in range(0, len(ids), KEYING_SLICE):
                chunk = ids.slice(at, KEYING_SLICE).to_pylist()
                keys.append(pa.array(many(chunk, kind="adult") if many else
                                     [pseudonymiser(i, kind="adult") for i in chunk], pa.string()))
            keyed["table"] = pa.table({"person_id": ids,
                                       "person_key": pa.chunked_array(keys, pa.string())})
        except BaseException as exc:  # raised again in the reading thread
            keyed["error"] = exc
        keyed["seconds"] = time.perf_counter() - started

    keying = threading.Thread(target=key_ids, name="carestat-keying", daemon=True)
    keying.start()
    try:
        started = time.perf_counter()
        problems, rows, lo, hi, error_rows = _check(con, stage, names, label, checks, bits)
        timings["checks"] = time.perf_counter() - started
    finally:
        keying.join()
    if "error" in keyed:
        raise keyed["error"]
    # The keys stay an Arrow table, registered for the store's join: copying 2.5 million
    # pairs of strings into a temporary table would only add to the memory beside the
    # staged rows. cleanup() unregisters it.
    con.register(names["keys"], keyed["table"])
    # keying's own time; checks and keying overlap, taking checks_and_keying between them
    timings["keying"] = keyed["seconds"]
    timings["checks_and_keying"] = time.perf_counter() - clock
    if progress:
        progress(3, 4, f"{count_of(error_rows, 'row')} with errors")
    if rows == 0:
        problems.append(
            Problem(label, "", "", "empty-file", "the file has a header but no rows", Severity.WARNING)
        )
    return CaseEventRead(
        file=label, rows=rows, con=con, problems=problems, error_rows=error_rows,
        received_from=lo, received_to=hi, _names=names, timings=timings, fast_path=wall_only,
    )


def _stage(con: duckdb.DuckDBPyConnection, stage: str, path: Path, positional: dict[str, str],
           src: Callable[[str], str], priorities: tuple[str, ...], label: str, *,
           wall_only: bool) -> tuple[list[tuple[str, str, str, str]], list[int], int]:
    """Read the file into the staging table ``stage``, each row with its rule flags (``_err``).

    Returns the checks (rule, field, condition, message SQL), their bits and the bits of the
    timestamp-format rule. ``wall_only``: the fast path (``_parse_layers``), where every
    value that is no wall-clock time breaks the timestamp-format rule and the text of bad
    values is not kept (the caller starts again on the full path when any row does).
    """
    text = [f"{src(c)} AS {c}" for c in ("item_id", "person_id", "work_type", "team", "outcome")]
    text.append(f"lower({src('priority')}) AS priority")
    text += [f"{src(c)} AS {c}_raw" for c in TIMESTAMPS]
    query = (
        f"SELECT {', '.join(text)} FROM read_csv(?, columns = ?, header = true, "
        f"auto_detect = false, delim = ',', quote = '\"', escape = '\"')"
    )
    for layer in _parse_layers(TIMESTAMPS, wall_only=wall_only):
        query = f"SELECT *, {', '.join(layer)} FROM ({query})"
    final = ["item_id", "person_id", "work_type", "team", "priority", "outcome", *TIMESTAMPS]
    final += [f"CASE WHEN {c}_raw IS NOT NULL AND {c} IS NULL THEN {c}_raw END AS {c}_bad"
              for c in TIMESTAMPS]
    for c, name in (("received_at", "received_date"), ("completed_at", "completed_date")):
        # a wall-clock value's date is its own; a value with an offset is converted
        final.append(
            f"CAST({c}_wall AS DATE) AS {name}" if wall_only else
            f"CASE WHEN {c}_wall IS NOT NULL THEN CAST({c}_wall AS DATE) "
            f"ELSE {_local_date_sql(c)} END AS {name}"
        )

    def fmt(col: str) -> str:
        return f"strftime({col}, '%Y-%m-%d %H:%M')"

    checks: list[tuple[str, str, str, str]] = []  # (rule, field, condition, message SQL)
    for c in REQUIRED:
        cond = f"{c} IS NULL AND {c}_bad IS NULL" if c in TIMESTAMPS else f"{c} IS NULL"
        checks.append(("required", c, cond, f"'{c} is required but is blank'"))
    for n, c in enumerate(TIMESTAMPS, start=1):
        checks.append((
            "timestamp-format", c, f"{c}_bad IS NOT NULL",
            f"'''' || _bad[{n}] || ''' is not an ISO 8601 date-time such as 2024-05-01T09:30 "
            f"or 2024-05-01T09:30+01:00'",
        ))
    for c in ("first_action_at", "completed_at", "signed_off_at"):
        checks.append((
            "timestamp-order", c, f"{c} < received_at",
            f"'{c} (' || {fmt(c)} || ' UTC) is before received_at (' || {fmt('received_at')} "
            f"|| ' UTC)'",
        ))
    checks.append((
        "timestamp-order", "signed_off_at", "signed_off_at < completed_at",
        f"'signed_off_at (' || {fmt('signed_off_at')} || ' UTC) is before completed_at (' "
        f"|| {fmt('completed_at')} || ' UTC)'",
    ))
    checks.append((
        "unknown-priority", "priority",
        f"priority IS NOT NULL AND priority NOT IN ({', '.join(_quote(p) for p in priorities)})",
        f"'priority ''' || priority || ''' is not one of: {', '.join(priorities)}'",
    ))
    # The checks run as the file is read: each row carries a bit per rule it breaks (_err),
    # so counting failures is a group-by on one small integer column and storing is a filter
    # on it, rather than every condition evaluated again over ten million rows.
    bits = [1 << i for i in range(len(checks))]
    err = " | ".join(f"(CASE WHEN {cond} THEN {bit} ELSE 0 END)"
                     for (_, _, cond, _), bit in zip(checks, bits, strict=True))
    # The text of values that are no date-time, for the messages, in one column that is NULL
    # on every good row: four text columns would take 64 bytes a row even when empty.
    format_bits = sum(bit for (rule, *_), bit in zip(checks, bits, strict=True)
                      if rule == "timestamp-format")
    bad = ("" if wall_only else f", CASE WHEN _err & {format_bits} <> 0 THEN "
           f"[{', '.join(f'{c}_bad' for c in TIMESTAMPS)}] END AS _bad")
    kept = [c.rsplit(" AS ", 1)[-1] for c in final if not c.endswith("_bad")]
    try:
        # No window or join here, so the table's rowid follows the file's row order.
        con.execute(
            f"CREATE TEMP TABLE {stage} AS SELECT {', '.join(kept)}, _err{bad} FROM ("
            f"SELECT *, CAST({err} AS INTEGER) AS _err FROM (SELECT {', '.join(final)} FROM ({query})))",
            [str(path), positional],
        )
    except duckdb.Error as exc:
        raise UnreadableFile(label, f"the CSV could not be parsed: {exc}") from exc
    return checks, bits, format_bits


def _check(con: duckdb.DuckDBPyConnection, stage: str, names: dict[str, str], label: str,
           checks: list[tuple[str, str, str, str]], bits: list[int]):
    """Every rule's failures from the staged rows' flags, and the duplicate item ids.

    Returns (problems, rows, first and last received_at, rows with errors).
    """
    problems: list[Problem] = []

    def report(rule: str, fld: str, from_where: str, message: str, total: int,
               rowid: str = "rowid") -> None:
        if not total:
            return
        rows = con.execute(
            f"SELECT {rowid} + 2 AS r, {message} {from_where} ORDER BY r LIMIT ?",
            [MAX_PROBLEMS_PER_RULE],
        ).fetchall()
        problems.extend(Problem(label, f"row {r}", fld, rule, msg) for r, msg in rows)
        if total > len(rows):
            problems.append(Problem(
                label, "", fld, rule,
                f"{total - len(rows)} more rows break this rule (the first {len(rows)} are listed)",
            ))

    # One scan of two columns counts every rule's failures; only failing rules are read again.
    groups = con.execute(
        f"SELECT _err, count(*), min(received_at), max(received_at) FROM {stage} GROUP BY _err"
    ).fetchall()
    rows = sum(g[1] for g in groups)
    lows = [g[2] for g in groups if g[2] is not None]
    highs = [g[3] for g in groups if g[3] is not None]
    for (rule, fld, _cond, message), bit in zip(checks, bits, strict=True):
        total = sum(n for flags, n, _, _ in groups if flags & bit)
        report(rule, fld, f"FROM {stage} WHERE _err & {bit} <> 0", message, total)
    error_rows = sum(n for flags, n, _, _ in groups if flags)

    # Duplicate item ids: every occurrence after the first is an error.
    con.execute(
        f"""
        CREATE TEMP TABLE {names["dup_rows"]} AS
        SELECT t.rowid AS r, d.first_row, t._err
        FROM {stage} t JOIN (
            SELECT item_id, min(rowid) AS first_row FROM {stage}
            WHERE item_id IS NOT NULL GROUP BY item_id HAVING count(*) > 1
        ) d USING (item_id)
        WHERE t.rowid <> d.first_row
        """
    )
    dups, dups_clean = one_row(
        con, f"SELECT count(*), count(*) FILTER (WHERE _err = 0) FROM {names['dup_rows']}")
    report(
        "duplicate-item", "item_id",
        f"FROM {stage} t JOIN {names['dup_rows']} d ON t.rowid = d.r",
        "'item_id ''' || item_id || ''' already appears in row ' || (d.first_row + 2)",
        dups, rowid="t.rowid",
    )
    return (problems, rows, min(lows) if lows else None, max(highs) if highs else None,
            error_rows + dups_clean)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---- loading through carestat.analytics.ingest -------------------------------------------

def detect(path: Path) -> bool:
    """A CSV whose header has item_id, work_type and received_at."""
    if path.suffix.lower() != ".csv":
        return False
    try:
        cols = {c.strip().lower() for c in _header(path, path.name)}
    except UnreadableFile:
        return False
    return {"item_id", "work_type", "received_at"} <= cols


def ingest_reader(paths, *, pseudonymiser, report, con, progress=None,
                  priorities: Iterable[str] = DEFAULT_PRIORITIES, **_):
    """``load_submission``'s reader for case events: one extract file per submission.

    The file is staged in temporary tables of the store's own connection ``con``, so
    storing it is one INSERT ... SELECT inside the load's transaction and ten million rows
    never leave DuckDB. The period label names the extract's last receipt date; the store
    keeps the latest row per item_id (its natural key), so a newer extract updates the items
    it repeats.
    """
    from carestat.analytics.ingest import FormatRead
    from carestat.analytics.periods import Period as LoadPeriod

    if len(paths) != 1:
        raise ValueError("a case-event submission is one file")
    read = read_case_events(con, paths[0], pseudonymiser=pseudonymiser, priorities=priorities,
                            progress=progress)
    report.extend(read.problems)
    first = (read.received_from or dt.datetime(1970, 1, 1)).date()
    last = (read.received_to or dt.datetime(1970, 1, 1)).date()
    period = LoadPeriod(f"case events to {last.isoformat()}", first, last)

    def write(store_con, submission_id: int, excluded: set) -> dict[str, int]:
        cols = ", ".join(["submission_id", *STORED_COLUMNS])
        [(stored,)] = store_con.execute(
            f"INSERT INTO {TABLE} ({cols}) SELECT {int(submission_id)}, * "
            f"FROM ({read.select_sql(keep_errors=False)})"
            + (f" ORDER BY {STORED_ORDER}" if STORED_ORDER else "")).fetchall()
        return {TABLE: stored}

    quarantine = None
    if read.error_rows:
        quarantine = {"case-event rows with errors": read.error_rows}
    return FormatRead(period=period, write=write, cleanup=read.cleanup, row_quarantine=quarantine,
                      timings=read.timings)


def register() -> None:
    """Declare the case_events table to the store and the format to ingest."""
    from carestat.analytics import ingest, store

    # duplicate item ids in a file are errors, never stored: item_id is unique per submission
    store.register_tables(FORMAT, TABLES, natural_keys={TABLE: ("item_id",)},
                          unique_within_submission={TABLE}, stored_order={TABLE: STORED_ORDER})
    ingest.register_format(FORMAT, ingest_reader, detect)
