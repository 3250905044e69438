"""Loading statutory returns into the analytics store: read, validate, pseudonymise, store.

Public API::

    load_submission(store, paths, *, format=None, pseudonymiser, jurisdiction,
                    accept_with_errors=False, progress=None, year=None, la_code=None,
                    confirm_fewer=False) -> LoadResult

Rules it keeps:
- A file that cannot be read as its format raises ``UnreadableFile``.
- Rule errors reject the whole submission (``SubmissionRejected``, carrying the report);
  nothing is stored. With ``accept_with_errors=True`` the records at fault (every record of
  each child with an error) are quarantined instead: left out of the data tables, listed in
  ``quarantine`` and counted by rule in ``submissions``. Errors that belong to no child (a bad
  header, an unidentifiable row) still reject. Warnings never block.
- All or nothing: one DuckDB transaction per submission.
- The same content loaded twice changes nothing (``LoadResult.duplicate``).
- A newer submission for the same format and period supersedes the older, which stays in
  history with status ``superseded``, unless it holds materially fewer records (fewer than
  ``FEWER_RECORDS_RATIO`` of the older's): then it is refused (``NeedsConfirmation``) until
  the load is repeated with ``confirm_fewer=True``.
- A return that states its local authority (the CIN census and workforce census header's
  LEA, client level data's LA Code) must state ``la_code``, the loading organisation's:
  another council's return is rejected whatever ``accept_with_errors`` says.
- A submission none of whose records is accepted (all quarantined, or none there) is
  rejected: it would otherwise replace real figures with nothing.

Privacy: LAchildID / CHILD become ``child_key`` (Pseudonymiser, kind "child", so a CIN child
and the same child's 903 records match) and UPN becomes ``upn_key`` (kind "upn"). Former
UPNs, names, postcodes, URNs, ethnicity and everything no measure uses are dropped. Dates of
birth are kept as year and month only (``birth_ym``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from carestat.analytics.calendar import calendar_for
from carestat.analytics.periods import Period, PeriodKind, financial_year_bounds, financial_year_label
from carestat.analytics.problems import Problem, UnreadableFile, ValidationReport
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.readers.cin import CinHeader, read_cin
from carestat.analytics.readers.population import read_population
from carestat.analytics.readers.ssda903 import read_903
from carestat.analytics.store import DATA_TABLES, FORMAT_TABLES, Store, arrow_schema
from carestat.analytics.validation import cin_rules, ssda903_rules
from carestat.analytics.words import count_of

FORMATS = ("cin", "ssda903", "population")
Progress = Callable[[int, int, str], None]


@dataclass
class FormatRead:
    """What a registered format's reader hands back to ``load_submission``.

    ``write(con, submission_id, excluded_keys)`` stores the rows (adding submission_id) in
    the load's transaction and returns rows stored per table; ``excluded_keys`` are the
    record keys of quarantined records. Readers that quarantine whole rows themselves (their
    errors carry no record key) set ``row_quarantine`` to {rule: rows left out}.
    """

    period: Period
    write: Callable[[Any, int, set], dict[str, int]]
    cleanup: Callable[[], None] | None = None
    row_quarantine: dict[str, int] | None = None
    # The local authority codes the return states (header LEA, an LA Code column), with
    # where each is stated, for the check that the return is the loading council's.
    la_codes: dict[str, str] = field(default_factory=dict)
    # Seconds the reader spent per stage ("read", "checks", "keying", ...), for the load's
    # timings; a reader that reports none is timed as one "read" stage.
    timings: dict[str, float] = field(default_factory=dict)


# format -> (reader, detect); reader(paths, *, pseudonymiser, jurisdiction, report,
# progress, year, accept_with_errors, con) -> FormatRead; detect(path) -> bool. ``con`` is
# the store's DuckDB connection: a reader may stage rows in its temporary tables.
_EXTRA_FORMATS: dict[str, tuple[Callable[..., FormatRead], Callable[[Path], bool] | None]] = {}


def register_format(format: str, reader: Callable[..., FormatRead],
                    detect: Callable[[Path], bool] | None = None) -> None:
    """Let ``load_submission`` load another format (its tables via store.register_tables)."""
    if format in FORMATS:
        raise ValueError(f"{format} is built in")
    _EXTRA_FORMATS[format] = (reader, detect)


@dataclass
class LoadResult:
    submission_id: int | None
    format: str
    period: Period
    report: ValidationReport
    rows: dict[str, int] = field(default_factory=dict)  # rows stored per data table
    quarantined_records: int = 0  # distinct children excluded
    quarantine_reasons: dict[str, int] = field(default_factory=dict)  # rule -> children
    duplicate: bool = False
    superseded: list[int] = field(default_factory=list)  # submission ids this replaced
    status: str = "loaded"  # loaded, duplicate, rejected
    # Wall-clock seconds per stage: hash (in a thread, alongside the reading), read, checks,
    # keying (pseudonymisation), store and total; stages a format runs together overlap.
    timings: dict[str, float] = field(default_factory=dict)


class SubmissionRejected(Exception):
    """Rule errors stopped the load; nothing was stored. ``.result.report`` has the problems."""

    def __init__(self, result: LoadResult, reason: str):
        self.result = result
        self.report = result.report
        errors = result.report.errors
        shown = "\n".join(f"  {p}" for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{reason} ({count_of(len(errors), 'error')}):\n{shown}{more}")


# A replacement holding fewer than this share of the records of the submission it would
# supersede is refused until confirmed: a truncated extract or the wrong file is far more
# likely than a real 20% fall between two versions of the same return.
FEWER_RECORDS_RATIO = 0.8


class NeedsConfirmation(SubmissionRejected):
    """The submission would replace one with materially more records; nothing was stored.

    ``new_rows`` and ``old_rows`` are the records stored by this and by the current
    submissions for the period; load again with ``confirm_fewer=True`` to replace it.
    """

    def __init__(self, result: LoadResult, *, new_rows: int, old_rows: int, old_ids: list[int]):
        self.new_rows, self.old_rows, self.old_ids = new_rows, old_rows, old_ids
        fewer = 100 * (old_rows - new_rows) / old_rows
        self.reason = (
            f"it holds {new_rows:,} rows where the current submission for {result.period.label} holds "
            f"{old_rows:,} ({fewer:.0f}% fewer), so it was not loaded in case it is incomplete or the wrong "
            "file; if it is right, load it again confirming that it replaces the current one")
        Exception.__init__(self, self.reason)
        self.result = result
        self.report = result.report


def check_authority(la_codes: Mapping[str, str], expected: str | None, file: str) -> list[Problem]:
    """Problems for a return stating another local authority's code (or, where the
    organisation has none set, any code: then nothing shows whose return it is).
    ``la_codes`` maps each code the return states to where it says so."""
    if expected is None:
        return []
    expected = expected.strip()
    problems = []
    for code, where in la_codes.items():
        if not expected:
            problems.append(Problem(
                file, where, "LA code", "la-code",
                f"the return is for local authority {code}, but this organisation has no local authority "
                "code set, so CareStat cannot check that the return is its own; an admin sets the code "
                "(carestat changeorg --org SLUG --la-code CODE) and loads it again"))
        elif code != expected:
            problems.append(Problem(
                file, where, "LA code", "la-code",
                f"the return is for local authority {code}, not this organisation's ({expected}): "
                "it is another council's return"))
    return problems


def financial_year(year: int) -> Period:
    """The collection year ending 31 March ``year``: label ``2023-24`` for 2024."""
    return Period(financial_year_label(year - 1), *financial_year_bounds(year - 1), PeriodKind.YEAR)


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day ``years`` later; 29 February becomes 1 March in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def detect_format(path: Path) -> str:
    """``cin`` for XML, ``population`` or ``ssda903`` for CSV by its columns."""
    for name, (_, detect) in _EXTRA_FORMATS.items():
        if detect is not None and detect(path):
            return name
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "cin"
    if suffix == ".csv":
        try:
            with open(path, encoding="utf-8-sig") as fh:
                first = fh.readline().lower()
        except UnicodeDecodeError:
            raise UnreadableFile(path.name, "not a text CSV file (it is not UTF-8)") from None
        cols = {c.strip() for c in first.split(",")}
        if "population" in cols and "age_band" in cols:
            return "population"
        if "child" in cols:
            return "ssda903"
        raise UnreadableFile(path.name, "a CSV that is neither an SSDA903 table (no CHILD "
                             "column) nor a population file (no population, age_band columns)")
    raise UnreadableFile(path.name, f"unknown file type {suffix or '(none)'}: expected a CIN "
                         "census .xml or an SSDA903 / population .csv")


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def submission_digest(fmt: str, files: Iterable[Path]) -> str:
    """What identifies a submission's content: its format and its files' SHA-256s."""
    digest = hashlib.sha256(fmt.encode())
    for h in sorted(_sha256(x) for x in files):
        digest.update(h.encode())
    return digest.hexdigest()


class _Digest:
    """The submission's digest, worked out in a thread while its files are read: hashlib lets
    go of the interpreter while it hashes, and DuckDB while it reads, so the two overlap."""

    def __init__(self, fmt: str, files: list[Path]):
        self.seconds = 0.0
        self._value: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fmt, files),
                                         name="carestat-hash", daemon=True)
        self._thread.start()

    def _run(self, fmt: str, files: list[Path]) -> None:
        started = time.perf_counter()
        try:
            self._value = submission_digest(fmt, files)
        except BaseException as exc:  # raised again by result(), in the loading thread
            self._error = exc
        self.seconds = time.perf_counter() - started

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class _Stages:
    """Seconds spent per stage, added up over many short spells (one per child, say)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def time(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def keyed(self, p: Pseudonymiser) -> Callable[..., str | None]:
        """``p``, with the time it takes counted as keying."""
        def key(identifier, *, kind: str = "person") -> str | None:
            with self.time("keying"):
                return p(identifier, kind=kind)
        return key


class _Rows:
    """Column buffers per data table, with each row's record key for quarantine."""

    def __init__(self, tables: Iterable[str]):
        self.cols: dict[str, dict[str, list[Any]]] = {t: {c: [] for c in DATA_TABLES[t]} for t in tables}
        self.keys: dict[str, list[str | None]] = {t: [] for t in tables}

    def add(self, table: str, key: str | None, **values):
        for c, buf in self.cols[table].items():
            buf.append(values.get(c))
        self.keys[table].append(key)

    def arrow(self, table: str, exclude: set, submission_id: int) -> pa.Table:
        keep = [i for i, k in enumerate(self.keys[table]) if k not in exclude]
        cols = self.cols[table]
        data = {c: [cols[c][i] for i in keep] for c in cols}
        data["submission_id"] = [submission_id] * len(keep)
        return pa.table(data, schema=arrow_schema(table))


def _sex_cin(child) -> str:
    value = (child.sex_raw or "").upper()
    return {"1": "male", "2": "female", "M": "male", "F": "female"}.get(value, "unknown")


def _ym(day: dt.date | None) -> int | None:
    return day.year * 12 + day.month - 1 if day else None


def _read_cin(path: Path, p: Pseudonymiser, jurisdiction: str, report: ValidationReport,
              progress: Progress | None, la_codes: dict[str, str], stages: _Stages):
    rows = _Rows(FORMAT_TABLES["cin"])
    key_of = stages.keyed(p)
    calendar = calendar_for(jurisdiction)
    header: CinHeader | None = None
    returns = cin_rules.ReturnChecks(path.name)
    for _kind, (obj, problems) in read_cin(path, progress=progress):
        if isinstance(obj, CinHeader):
            header = obj
            if header.lea:
                la_codes[header.lea] = "/Message/Header/Source/LEA"
            report.extend(problems)
            report.extend(cin_rules.check_header(header, path.name))
            continue
        if header is None:  # read_cin raises before yielding a child without a header
            raise UnreadableFile(path.name, "children appear before the <Header>", "/Message/Header")
        child = obj
        key = key_of(child.la_child_id, kind="child") or f"{path.name}#Child[{child.index}]"
        with stages.time("checks"):
            problems = [dataclasses.replace(x, record_key=key) for x in problems]
            problems += cin_rules.check_child(child, header, calendar, path.name, key)
            problems += returns.child(child, key)
            report.extend(problems)
        year = header.year
        rows.add("cin_children", key, collection_year=year, child_key=key,
                 upn_key=key_of(child.upn, kind="upn"), sex=_sex_cin(child),
                 birth_ym=_ym(child.birth_date or child.expected_birth_date))
        for ep in child.episodes:
            ref = ep["referral_date"]
            if ref is None:
                continue  # reported by 8600; nothing to key the episode's activity on
            need = ep["primary_need"]
            rows.add("cin_referrals", key, collection_year=year, child_key=key,
                     referral_date=ref, referral_date_less_12m=add_years(ref, -1),
                     closure_date=ep["closure_date"], primary_need=need,
                     referral_nfa=ep["nfa"])
            common = dict(collection_year=year, child_key=key, referral_date=ref,
                          primary_need=need)
            for a in ep["assessments"]:
                if a["start"]:
                    rows.add("cin_assessments", key, start_date=a["start"],
                             authorised_date=a["authorised"], **common)
            for s in ep["section47"]:
                if s["start"]:
                    rows.add("cin_section47", key, s47_start_date=s["start"],
                             icpc_date=s["icpc"], icpc_not_required=s["not_required"],
                             **common)
            for c in ep["cpps"]:
                if c["start"]:
                    rows.add("cin_cp_plans", key, start_date=c["start"], end_date=c["end"],
                             second_anniversary=add_years(c["start"], 2),
                             initial_category=c["initial_category"], **common)
    report.extend(returns.finish())
    if not returns.ids and not rows.keys["cin_children"]:
        report.add(Problem(path.name, "/Message/Children", "Child", "xsd",
                           "The file holds no <Child>: the CIN schema needs at least one."))
    if header is None:  # read_cin raises on a file without one
        raise UnreadableFile(path.name, "no <Header> element, so the collection year is unknown",
                             "/Message/Header")
    return rows, financial_year(header.year)


def _read_ssda903(paths: list[Path], p: Pseudonymiser, report: ValidationReport,
                  year: int | Mapping | None, progress: Progress | None):
    tables = []
    for n, path in enumerate(paths, start=1):
        file_year = year.get(str(path), year.get(path.name)) if isinstance(year, Mapping) \
            else year
        t = read_903(path, year=file_year)
        tables.append(t)
        if progress:
            progress(n, len(paths), f"{path.name}: {len(t.rows)} rows read")
    keys: dict[str, str | None] = {}

    def key_for(child_id):
        if not child_id:
            return None
        if child_id not in keys:
            keys[child_id] = p(child_id, kind="child")
        return keys[child_id]

    for t in tables:
        by_row = {r["_row"]: r.get("CHILD") for r in t.rows}
        report.extend(dataclasses.replace(x, record_key=key_for(by_row.get(
            int(x.location.split()[-1])))) for x in t.problems)
    report.extend(ssda903_rules.check_903(tables, key_for))

    rows = _Rows(FORMAT_TABLES["ssda903"])
    for t in tables:
        if t.table == "Header":
            for r in t.rows:
                key = key_for(r.get("CHILD"))
                sex = {"1": "male", "2": "female"}.get(r.get("SEX") or "", "unknown")
                rows.add("lac_children", key, collection_year=t.year, child_key=key, sex=sex,
                         birth_ym=_ym(r.get("DOB")))
        elif t.table == "Episodes":
            for r in t.rows:
                if not r.get("DECOM"):
                    continue
                key = key_for(r.get("CHILD"))
                rows.add("lac_episodes", key, collection_year=t.year, child_key=key,
                         decom=r["DECOM"], dec=r.get("DEC"), rne=r.get("RNE"), ls=r.get("LS"),
                         cin=r.get("CIN"), place=r.get("PLACE"), rec=r.get("REC"))
    years = sorted({t.year for t in tables})
    first, last = financial_year(years[0]), financial_year(years[-1])
    label = first.label if first == last else f"{first.label} to {last.label}"
    return rows, Period(label, first.start, last.end)


def _read_population(path: Path, report: ValidationReport):
    data, problems = read_population(path)
    report.extend(problems)
    rows = _Rows(FORMAT_TABLES["population"])
    for r in data:
        rows.add("population", None, year=r["year"], age_band=r["age_band"], sex=r["sex"],
                 population=r["population"])
    years = sorted({r["year"] for r in data}) or [0]
    label = f"population {years[0]}" if len(years) == 1 else f"population {years[0]}-{years[-1]}"
    return rows, Period(label, dt.date(max(years[0], 1), 1, 1), dt.date(max(years[-1], 1), 12, 31))


def load_submission(
    store: Store,
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    pseudonymiser: Pseudonymiser,
    jurisdiction: str,
    accept_with_errors: bool = False,
    progress: Progress | None = None,
    year: int | Mapping | None = None,
    la_code: str | None = None,
    confirm_fewer: bool = False,
) -> LoadResult:
    """Validate one submission and, if acceptable, store it in one transaction.

    ``paths``: one CIN census XML; or an SSDA903 CSV set (any tables, any number of years;
    each file's year from ``year`` (an int, or a mapping of path or file name to year) or the
    file name); or one population CSV. ``format`` is detected when None.
    ``la_code``: the loading organisation's local authority code, checked against the codes
    the return states (None: not checked). ``confirm_fewer``: replace the current submission
    for the period even though this one holds materially fewer records.
    Raises UnreadableFile or SubmissionRejected (NeedsConfirmation among them); otherwise
    returns a LoadResult.
    """
    files = [Path(x) for x in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not files:
        raise ValueError("no files given")
    for path in files:
        if not path.is_file():
            raise UnreadableFile(path.name, f"no such file: {path}")
    formats = {format} if format else {detect_format(x) for x in files}
    if len(formats) != 1:
        raise ValueError(f"one submission holds one format; these files are {sorted(formats)}")
    fmt = formats.pop()
    if fmt not in FORMATS and fmt not in _EXTRA_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of "
                         f"{(*FORMATS, *_EXTRA_FORMATS)}")
    if fmt in ("cin", "population") and len(files) != 1:
        raise ValueError(f"a {fmt} submission is one file; load each year's file separately")

    # The files are hashed while they are read. The same content loaded twice changes nothing
    # and reports no problems, so a duplicate is answered as one whatever the reading found.
    started = time.perf_counter()
    digest = _Digest(fmt, files)
    report = ValidationReport()

    def duplicate() -> LoadResult | None:
        existing = store.con.execute(
            "SELECT id, period_label, period_start, period_end FROM submissions WHERE sha256 = ?",
            [digest.result()]).fetchone()
        if not existing:
            return None
        return LoadResult(existing[0], fmt, Period(existing[1], existing[2], existing[3]),
                          ValidationReport(), duplicate=True, status="duplicate",
                          timings={"hash": digest.seconds, "total": time.perf_counter() - started})

    if progress:
        progress(0, 1, f"reading {count_of(len(files), 'file')} as {fmt}")
    extra: FormatRead | None = None
    la_codes: dict[str, str] = {}
    stages = _Stages()
    try:
        with stages.time("read"):
            if fmt == "cin":
                rows, period = _read_cin(files[0], pseudonymiser, jurisdiction, report, progress,
                                         la_codes, stages)
            elif fmt == "ssda903":
                rows, period = _read_ssda903(files, pseudonymiser, report, year, progress)
            elif fmt == "population":
                rows, period = _read_population(files[0], report)
            else:
                extra = _EXTRA_FORMATS[fmt][0](files, pseudonymiser=pseudonymiser,
                                               jurisdiction=jurisdiction, report=report,
                                               progress=progress, year=year,
                                               accept_with_errors=accept_with_errors, con=store.con)
                rows, period = None, extra.period
                la_codes = extra.la_codes
    except Exception:
        if (known := _duplicate_or_none(duplicate)) is not None:
            return known
        raise
    waited = time.perf_counter()
    sha = digest.result()
    timings = _read_timings(stages.seconds, extra)
    timings["hash"] = digest.seconds
    timings["hash_wait"] = time.perf_counter() - waited
    if (known := duplicate()) is not None:
        if extra is not None and extra.cleanup is not None:
            extra.cleanup()
        return known
    wrong_council = check_authority(la_codes, la_code, files[0].name)
    if wrong_council:
        report.problems[:0] = wrong_council  # the reason it was refused comes first
        raise SubmissionRejected(LoadResult(None, fmt, period, report, status="rejected"), wrong_council[0].message)
    try:
        storing = time.perf_counter()
        result = _store(store, fmt, files, sha, period, report, rows, extra,
                        accept_with_errors, progress, jurisdiction, confirm_fewer)
        timings["store"] = time.perf_counter() - storing
        timings["total"] = time.perf_counter() - started
        result.timings = timings
        return result
    finally:
        if extra is not None and extra.cleanup is not None:
            extra.cleanup()


def _duplicate_or_none(duplicate: Callable[[], LoadResult | None]) -> LoadResult | None:
    """``duplicate()``, or None when the files could not even be hashed (the reading's
    error is the one to report then)."""
    try:
        return duplicate()
    except Exception:
        return None


def _read_timings(measured: dict[str, float], extra: FormatRead | None) -> dict[str, float]:
    """The reading's stages: a registered reader's own figures, or the time spent checking
    and keying inside the reading and the rest of it as "read"."""
    if extra is not None and extra.timings:
        return dict(extra.timings)
    out = dict(measured)
    out["read"] = measured.get("read", 0.0) - measured.get("checks", 0.0) - measured.get("keying", 0.0)
    return out


def _store(store, fmt, paths, sha, period, report, rows, extra, accept_with_errors, progress,
           jurisdiction, confirm_fewer) -> LoadResult:

    result = LoadResult(None, fmt, period, report)
    errors = report.errors
    if errors:
        if not accept_with_errors:
            result.status = "rejected"
            raise SubmissionRejected(result, "the submission has errors and was not loaded")
        unattached = [e for e in errors if e.record_key is None]
        if unattached and not (extra is not None and extra.row_quarantine is not None):
            result.status = "rejected"
            raise SubmissionRejected(
                result, "errors that belong to no single record (header or file level) "
                "cannot be quarantined; the submission was not loaded")
    bad: dict[str, set[str]] = defaultdict(set)
    for e in errors:
        if e.record_key is not None:
            bad[e.rule].add(e.record_key)
    excluded = set().union(*bad.values()) if bad else set()
    result.quarantined_records = len(excluded)
    result.quarantine_reasons = dict(sorted((r, len(k)) for r, k in bad.items()))
    if extra is not None and extra.row_quarantine:
        result.quarantined_records += sum(extra.row_quarantine.values())
        for rule, n in extra.row_quarantine.items():
            result.quarantine_reasons[rule] = result.quarantine_reasons.get(rule, 0) + n

    if progress:
        progress(0, 1, "storing")
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        older = [r[0] for r in con.execute(
            "SELECT id FROM submissions WHERE format = ? AND period_label = ? AND "
            "status = 'current'", [fmt, period.label]).fetchall()]
        sid = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
        if extra is not None:
            result.rows.update(extra.write(con, sid, excluded))
        for table in FORMAT_TABLES[fmt] if rows is not None else ():
            data = rows.arrow(table, excluded, sid)
            cols = ", ".join(DATA_TABLES[table])
            con.register("_carestat_load", data)
            try:
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _carestat_load")
            finally:
                con.unregister("_carestat_load")
            result.rows[table] = data.num_rows
        stored = sum(result.rows.values())
        if stored == 0:
            result.status = "rejected"
            why = (f"all {result.quarantined_records:,} records have errors" if result.quarantined_records
                   else "it holds no records")
            raise SubmissionRejected(result, f"no records were accepted ({why}); a return with none must "
                                     "never replace real figures")
        if older and not confirm_fewer:
            old_rows = sum(sum(json.loads(r[0] or "{}").values()) for r in con.execute(
                f"SELECT row_counts FROM submissions WHERE id IN ({', '.join('?' * len(older))})",
                older).fetchall())
            if stored < FEWER_RECORDS_RATIO * old_rows:
                result.status = "rejected"
                raise NeedsConfirmation(result, new_rows=stored, old_rows=old_rows, old_ids=older)
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sid, e.record_key, e.rule, e.file, e.location, e.field, e.message)
             for e in errors]) if errors else None
        con.execute(
            "INSERT INTO submissions (id, format, sha256, period_label, period_start, "
            "period_end, files, loaded_at, status, superseded_by, row_counts, "
            "quarantined_count, quarantine_reasons, warning_count, jurisdiction) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'current', NULL, ?, ?, ?, ?, ?)",
            [sid, fmt, sha, period.label, period.start, period.end,
             json.dumps([x.name for x in paths]), dt.datetime.now(dt.UTC).replace(tzinfo=None),
             json.dumps(result.rows), result.quarantined_records,
             json.dumps(result.quarantine_reasons), len(report.warnings), jurisdiction])
        if older:
            con.execute(
                "UPDATE submissions SET status = 'superseded', superseded_by = ? WHERE id IN "
                f"({', '.join('?' * len(older))})", [sid, *older])
        store.refresh_current(FORMAT_TABLES.get(fmt, ()))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.submission_id = sid
    result.superseded = older
    if progress:
        progress(1, 1, f"stored submission {sid}")
    return result


def problems_by_rule(problems: Iterable[Problem]) -> Counter:
    return Counter(p.rule for p in problems)


def _register_adult_and_operational_formats() -> None:
    """Case events, adult client level data and the workforce census plug in through the
    same hooks, so they keep the same validation, privacy and all-or-nothing rules."""
    from carestat.analytics.readers import case_events, cld, workforce

    for reader in (case_events, cld, workforce):
        reader.register()


_register_adult_and_operational_formats()
