"""The DfE children's social work workforce census XML (CSWW), validated against its XSD.

Produces two tables: ``csww_workers`` (one row per worker record, the SWE registration number
pseudonymised, no birth date, ethnicity or gender kept) and ``csww_la`` (the local
authority's vacancy and agency totals). Only the fields the CSWW measures use are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
from lxml import etree

from carestat.analytics.periods import financial_year_bounds, financial_year_start
from carestat.analytics.problems import Problem, Severity, UnreadableFile

FORMAT = "csww"
SCHEMA = Path(__file__).resolve().parents[2] / "reference" / "social_work_workforce_2022.xsd"

FTE = pa.decimal128(18, 6)
WORKER_SCHEMA = pa.schema(
    [
        ("census_date", pa.date32()),
        ("la_code", pa.string()),
        ("worker_key", pa.string()),
        ("agency", pa.bool_()),
        ("fte", FTE),
        ("fte30", FTE),
        ("org_role", pa.string()),
        ("role_start_date", pa.date32()),
        ("role_end_date", pa.date32()),
        ("cases30", pa.int64()),
    ]
)
LA_SCHEMA = pa.schema(
    [
        ("census_date", pa.date32()),
        ("la_code", pa.string()),
        ("vacancies_fte", FTE),
        ("agency_fte", FTE),
        ("agency_headcount", pa.int64()),
    ]
)


# In the analytics store's declaration style (column -> DuckDB type; it adds submission_id).
TABLES = {
    "csww_workers": {
        "census_date": "DATE", "la_code": "VARCHAR", "worker_key": "VARCHAR",
        "agency": "BOOLEAN", "fte": "DECIMAL(18, 6)", "fte30": "DECIMAL(18, 6)",
        "org_role": "VARCHAR", "role_start_date": "DATE", "role_end_date": "DATE",
        "cases30": "BIGINT",
    },
    "csww_la": {
        "census_date": "DATE", "la_code": "VARCHAR", "vacancies_fte": "DECIMAL(18, 6)",
        "agency_fte": "DECIMAL(18, 6)", "agency_headcount": "BIGINT",
    },
}


@dataclass
class WorkforceRead:
    file: str
    census_date: dt.date | None
    tables: dict[str, pa.Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def _schema(path: Path | None) -> etree.XMLSchema:
    for candidate in (path, SCHEMA):
        if candidate is not None and Path(candidate).exists():
            return etree.XMLSchema(etree.parse(str(candidate)))
    raise FileNotFoundError("the CSWW XSD was not found")


def _text(el, tag: str) -> str | None:
    child = el.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_workforce(
    path: str | Path,
    *,
    pseudonymiser: Callable[..., str | None],
    xsd: str | Path | None = None,
    file_label: str | None = None,
) -> WorkforceRead:
    """Read and validate one CSWW census file.

    Every XSD violation is a Problem naming the line and element path; rows are still
    produced where the values can be read, so the store can quarantine or reject as the
    analyst chooses. Raises UnreadableFile when the file is not well-formed XML or is not a
    CSWW message.
    """
    path = Path(path)
    label = file_label or path.name
    try:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise UnreadableFile(label, f"not well-formed XML: {exc}") from exc
    root = doc.getroot()
    if root.tag != "Message" or root.find("CSWWWorker") is None and root.find("LALevelVacancies") is None:
        raise UnreadableFile(label, "not a social work workforce census (no CSWW Message)")
    problems: list[Problem] = []
    schema = _schema(Path(xsd) if xsd else None)
    swe_by_index = {i: _text(el, "SWENo") for i, el in enumerate(root.iterfind("CSWWWorker"), 1)}
    if not schema.validate(doc):
        for err in schema.error_log:
            element = err.path or ""
            # a worker's problem carries its key, so ingest can quarantine that worker
            m = re.search(r"/CSWWWorker\[(\d+)\]", element)
            key = pseudonymiser(swe_by_index.get(int(m[1])), kind="worker") if m else None
            problems.append(
                Problem(
                    label,
                    f"line {err.line} {element}".strip(),
                    element.rsplit("/", 1)[-1],
                    "xsd",
                    err.message,
                    Severity.ERROR,
                    record_key=key,
                )
            )
    census = _date(root.findtext("Header/CollectionDetails/ReferenceDate"))
    if census is None:
        year = _int(root.findtext("Header/CollectionDetails/Year"))
        census = dt.date(year, 9, 30) if year else None
    if census is None:
        problems.append(
            Problem(label, "/Message/Header/CollectionDetails", "ReferenceDate", "census-date",
                    "neither ReferenceDate nor Year is given, so the census date is unknown")
        )
    la_code = (root.findtext("Header/Source/LEA") or "").strip() or None

    workers = []
    for i, el in enumerate(root.iterfind("CSWWWorker"), start=1):
        where = f"/Message/CSWWWorker[{i}]"
        swe = _text(el, "SWENo")
        start, end = _date(_text(el, "RoleStartDate")), _date(_text(el, "RoleEndDate"))
        if start and end and end < start:
            problems.append(Problem(label, where, "RoleEndDate", "date-order",
                                    f"RoleEndDate {end} is before RoleStartDate {start}",
                                    record_key=pseudonymiser(swe, kind="worker")))
        workers.append(
            {
                "census_date": census,
                "la_code": la_code,
                "worker_key": pseudonymiser(swe, kind="worker"),
                "agency": _text(el, "AgencyWorker") == "1",
                "fte": _decimal(_text(el, "FTE")),
                "fte30": _decimal(_text(el, "FTE30")),
                "org_role": _text(el, "OrgRole"),
                "role_start_date": start,
                "role_end_date": end,
                "cases30": _int(_text(el, "Cases30")),
            }
        )
    la = []
    vac = root.find("LALevelVacancies")
    if vac is not None:
        la.append(
            {
                "census_date": census,
                "la_code": la_code,
                "vacancies_fte": _decimal(_text(vac, "NumberOfVacancies")),
                "agency_fte": _decimal(_text(vac, "NoAgencyFTE")),
                "agency_headcount": _int(_text(vac, "NoAgencyHeadcount")),
            }
        )
    return WorkforceRead(
        file=label,
        census_date=census,
        tables={
            "csww_workers": pa.Table.from_pylist(workers, schema=WORKER_SCHEMA),
            "csww_la": pa.Table.from_pylist(la, schema=LA_SCHEMA),
        },
        problems=problems,
    )


# ---- loading through carestat.analytics.ingest -------------------------------------------

def detect(path: Path) -> bool:
    """An XML file whose root holds CSWWWorker or LALevelVacancies elements."""
    if path.suffix.lower() != ".xml":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b"<CSWWWorker" in head or b"<LALevelVacancies" in head


def ingest_reader(paths, *, pseudonymiser, report, **_):
    """``load_submission``'s reader for the CSWW census: one file, period = its year."""
    from carestat.analytics.ingest import FormatRead
    from carestat.analytics.periods import Period as LoadPeriod

    if len(paths) != 1:
        raise ValueError("a workforce census submission is one file")
    read = read_workforce(paths[0], pseudonymiser=pseudonymiser)
    report.extend(read.problems)
    if read.census_date is None:
        raise UnreadableFile(read.file, "the census date is unknown (no ReferenceDate or Year)")
    c = read.census_date
    period = LoadPeriod(f"CSWW {c.isoformat()}", *financial_year_bounds(financial_year_start(c)))

    def write(con, submission_id: int, excluded: set) -> dict[str, int]:
        counts = {}
        for name, table in read.tables.items():
            if excluded and "worker_key" in table.column_names:
                keep = [k not in excluded for k in table.column("worker_key").to_pylist()]
                table = table.filter(pa.array(keep))
            table = table.add_column(
                0, "submission_id", pa.array([submission_id] * table.num_rows, pa.int32()))
            cols = ", ".join(table.column_names)
            con.register("_carestat_csww", table)
            try:
                con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _carestat_csww")
            finally:
                con.unregister("_carestat_csww")
            counts[name] = table.num_rows
        return counts

    codes = {c for t in read.tables.values() if "la_code" in t.column_names
             for c in t.column("la_code").to_pylist() if c}
    return FormatRead(period=period, write=write, la_codes={c: "/Message/Header/Source/LEA" for c in sorted(codes)})


def register() -> None:
    """Declare the workforce tables to the store and the format to ingest."""
    from carestat.analytics import ingest, store

    store.register_tables(FORMAT, TABLES)
    ingest.register_format(FORMAT, ingest_reader, detect)
