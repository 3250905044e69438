"""Adult social care client level data (CLD) CSV, cleaned as the DHSC method does.

One file is one quarterly CLD submission (a rolling 12 months). Reading it applies the
per-submission steps of the DHSC method (shared/reference/cld/dhsc-methodology):

* deriving the reporting period from the data (2-reporting-periods): events ending in each
  month are counted, leaving out months at or after the month the file is loaded; months
  with under 2% of those events, or with fewer than three of the four event types (fewer if
  the file has fewer types), are dropped; the period runs from the first kept month's start
  to the last kept month's end. Files with under 100 events use the stated period;
* cleaning (5-data-cleaning): release 1 values mapped to release 2, unknown values to
  "Invalid and not mapped"; service type and event outcome groupings; the combined person
  id (NHS number, else the LA person id; rows with neither are left out, as DHSC does);
  the derived end date (date of death where it precedes the recorded end date, or where the
  event is open).

Choosing submissions, filtering events to reference periods and de-duplicating happen across
submissions, in ``carestat.analytics.measures.adults.cld_main_table``.

Privacy: the person id is pseudonymised; names, GP, postcode, ethnicity, event references and
free text are not kept; date of birth is kept as a year-month number (``birth_ym``), as DHSC
receives it. Of a service's cost fields only the cost frequency (``unit_type``) and planned
units a week are kept, for the home-care hours measure; the unit cost is not.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from carestat.analytics.problems import Problem, Severity, UnreadableFile
from carestat.analytics.words import plural

FORMAT = "cld"
TABLE = "cld_events"
EVENT_TYPES = ("Request", "Assessment", "Service", "Review")
INVALID = "Invalid and not mapped"

# Columns stored (the analytics store adds submission_id).
TABLES = {
    TABLE: {
        "la_code": "VARCHAR",
        "stated_start": "DATE",
        "stated_end": "DATE",
        "derived_start": "DATE",
        "derived_end": "DATE",
        "submitted_on": "DATE",
        "row_number": "BIGINT",  # row in the file: the tie-breaker for "most recently loaded"
        "person_key": "VARCHAR",
        "birth_ym": "INTEGER",
        "gender": "VARCHAR",
        "client_type": "VARCHAR",
        "primary_support_reason": "VARCHAR",
        "accommodation_status": "VARCHAR",
        "event_type": "VARCHAR",
        "event_start": "DATE",
        "event_end": "DATE",  # derived: cropped to the date of death
        "event_outcome": "VARCHAR",  # release 2 value
        "outcome_group": "VARCHAR",
        "outcome_rank": "INTEGER",  # DHSC hierarchy, 1 first; 99 when unknown
        "route_of_access": "VARCHAR",
        "assessment_type": "VARCHAR",
        "service_type": "VARCHAR",  # release 2 value
        "service_group": "VARCHAR",  # Long term support / Short term support / ...
        "service_component": "VARCHAR",
        "delivery_mechanism": "VARCHAR",
        "review_reason": "VARCHAR",
        # a service's planned units a week, in the unit its cost frequency names (hours when
        # "Hourly"): what the home-care hours measure and the cost model read. The unit cost
        # itself is not kept: the cost model's unit costs are the council's own, by year.
        "unit_type": "VARCHAR",  # Cost Frequency (Unit Type), one of UNIT_TYPES
        "planned_units_per_week": "DOUBLE",
    }
}
_ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32(),
          "BIGINT": pa.int64(), "DOUBLE": pa.float64()}
ARROW_SCHEMA = pa.schema([(c, _ARROW[t]) for c, t in TABLES[TABLE].items()])

OUTCOME_HIERARCHY = [
    "Progress to reablement/ST-Max",
    "Progress to assessment, review or reassessment",
    "Release 1 specification only: Not mapped",
    "Progress to support planning or services",
    "Continuation of support or services",
    "Admitted to hospital",
    "NFA: Responsibility moved to another local authority",
    "NFA: Referral to NHS services or NHS funded social care",
    "NFA: Self-funded client or under 12wk disregard",
    "NFA: Information and advice or signposting",
    "NFA: Referral to other service within the local authority",
    "NFA: Support declined",
    "NFA: Deceased",
    "NFA: Support ended as planned",
    "NFA: Support ended for other reason",
    "NFA: No services offered for other reason",
    "NFA: Other",
]
_OUTCOME_R1 = {
    "progress to reablement/st-max": "Progress to reablement/ST-Max",
    "progress to assessment": "Progress to assessment, review or reassessment",
    "progress to assessment; review or reassessment":
        "Progress to assessment, review or reassessment",
    "progress to re-assessment / unplanned review":
        "Progress to assessment, review or reassessment",
    "progress to support planning / services": "Progress to support planning or services",
    "progress to financial assessment": "Release 1 specification only: Not mapped",
    "progress to end of life care": "Release 1 specification only: Not mapped",
    "no change in package": "Continuation of support or services",
    "service ended as planned": "NFA: Support ended as planned",
    "nfa - information & advice / signposting only": "NFA: Information and advice or signposting",
    "nfa - self-funded client (inc. 12wk disregard)":
        "NFA: Self-funded client or under 12wk disregard",
    "nfa - support declined": "NFA: Support declined",
    "nfa - deceased": "NFA: Deceased",
    "nfa - moved to another la": "NFA: Responsibility moved to another local authority",
    "nfa - 100% nhs funded care": "NFA: Referral to NHS services or NHS funded social care",
    "nfa - no services offered: other reason": "NFA: No services offered for other reason",
    "nfa - support ended: other reason": "NFA: Support ended for other reason",
}
_OUTCOMES = {v.lower(): v for v in OUTCOME_HIERARCHY} | _OUTCOME_R1

SERVICE_TYPES = {
    "Long term support: Community": "Long term support",
    "Long term support: Nursing care": "Long term support",
    "Long term support: Prison": "Long term support",
    "Long term support: Residential care": "Long term support",
    "Short term support: Ongoing low level": "Short term support",
    "Short term support: Other short term": "Short term support",
    "Short term support: ST-Max": "Short term support",
    "Unpaid carer support: Direct to unpaid carer": "Unpaid carer support",
    "Unpaid carer support: Support involving the person cared-for": "Unpaid carer support",
}
_SERVICE_TYPES = {k.lower(): k for k in SERVICE_TYPES} | {
    "carer support: direct to carer": "Unpaid carer support: Direct to unpaid carer",
    "carer support: support involving the person cared-for":
        "Unpaid carer support: Support involving the person cared-for",
}
_CLIENT_TYPES = {"service user": "Service user", "carer": "Unpaid carer",
                 "unpaid carer": "Unpaid carer",
                 "carer known by association": "Carer known by association"}
_DELIVERY = {"direct payment": "Direct Payment",
             "cassr managed personal budget": "CASSR Managed Personal Budget",
             "cassr commissioned support": "CASSR Commissioned Support"}

# Cost Frequency (Unit Type): the spec's list is "hourly/daily/weekly/per session etc."; these
# are the values kept (matched without case or punctuation), anything else as INVALID.
HOURLY = "Hourly"
UNIT_TYPES = (HOURLY, "Daily", "Weekly", "Fortnightly", "Four-weekly", "Monthly", "Annually",
              "Per session", "One-off")
_UNIT_TYPES = {_k: v for v in UNIT_TYPES for _k in {
    re.sub(r"[^a-z0-9]+", "", v.lower()),
    *{"Hourly": ("hour", "perhour", "hours"), "Daily": ("day", "perday"),
      "Weekly": ("week", "perweek"), "Four-weekly": ("4weekly", "fourweekly"),
      "Annually": ("annual", "yearly", "peryear"), "Per session": ("session",),
      "One-off": ("oneoff", "once")}.get(v, ())}}

# Normalised header -> stored meaning. Headers are matched case-insensitively with any
# punctuation (the spec's "Event Start Date", DHSC's Event_Start_Date, ...).
_FIELDS = {
    "la_code": "la_code",
    "reporting_period_start_date": "stated_start",
    "reporting_period_end_date": "stated_end",
    "la_person_unique_identifier": "la_person_id",
    "nhs_number": "nhs_number",
    "gender": "gender",
    "date_of_birth": "date_of_birth",
    "date_of_death": "date_of_death",
    "client_type": "client_type",
    "primary_support_reason": "primary_support_reason",
    "accommodation_status": "accommodation_status",
    "event_type": "event_type",
    "event_start_date": "event_start",
    "event_end_date": "event_end",
    "event_outcome": "event_outcome",
    "request_route_of_access": "route_of_access",
    "assessment_type": "assessment_type",
    "service_type": "service_type",
    "service_component": "service_component",
    "delivery_mechanism": "delivery_mechanism",
    "review_reason": "review_reason",
    "cost_frequency_unit_type": "unit_type",
    "cost_frequency": "unit_type",
    "unit_type": "unit_type",
    "planned_units_per_week": "planned_units_per_week",
}
REQUIRED = ("la_code", "stated_start", "stated_end", "event_type", "event_start")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def parse_date(value: str | None) -> dt.date | None:
    """ISO (2024-05-01, optionally with a time) or UK (01/05/2024) dates; None if blank.

    Raises ValueError for anything else.
    """
    if value is None or not value.strip():
        return None
    v = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", v):
        return dt.date.fromisoformat(v[:10])
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(v)


@dataclass
class CLDRead:
    file: str
    rows: int
    table: pa.Table
    stated_period: tuple[dt.date | None, dt.date | None]
    derived_period: tuple[dt.date | None, dt.date | None]
    problems: list[Problem] = field(default_factory=list)
    error_rows: int = 0

    @property
    def tables(self) -> dict[str, pa.Table]:
        return {TABLE: self.table}

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def derive_reporting_period(
    events: list[tuple[str, dt.date | None]],
    *,
    stated: tuple[dt.date | None, dt.date | None],
    loaded_on: dt.date,
) -> tuple[dt.date | None, dt.date | None]:
    """The DHSC reporting-period derivation for one submission's (event type, end date)."""
    if len(events) < 100:
        return stated
    import_month = (loaded_on.year, loaded_on.month)
    by_month: dict[tuple[int, int], Counter] = {}
    total = 0
    for event_type, end in events:
        if end is None or (end.year, end.month) >= import_month:
            continue
        by_month.setdefault((end.year, end.month), Counter())[event_type] += 1
        total += 1
    types_in_file = len({t for t, _ in events if t in EVENT_TYPES})
    need_types = min(3, types_in_file)
    kept = sorted(
        m for m, c in by_month.items()
        if sum(c.values()) >= 0.02 * total and len(c) >= need_types
    )
    if not kept:
        return stated
    (y0, m0), (y1, m1) = kept[0], kept[-1]
    last = dt.date(y1 + (m1 == 12), m1 % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(y0, m0, 1), last


def read_cld(
    path: str | Path,
    *,
    pseudonymiser: Callable[..., str | None],
    loaded_on: dt.date | None = None,
    file_label: str | None = None,
) -> CLDRead:
    """Read, clean and pseudonymise one CLD submission file (see the module docstring).

    ``loaded_on`` is the date the file is imported (the "import month" of the DHSC period
    derivation); it defaults to today and is stored as ``submitted_on``.
    """
    path = Path(path)
    label = file_label or path.name
    loaded_on = loaded_on or dt.date.today()
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise UnreadableFile(label, f"cannot be opened: {exc}") from exc
    problems: list[Problem] = []
    rows: list[dict] = []
    error_rows = 0
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except (StopIteration, UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFile(label, f"not a readable CSV file: {exc}") from exc
        index = {}
        for i, h in enumerate(header):
            key = _FIELDS.get(_norm(h))
            if key:
                index[key] = i
        missing = [c for c in REQUIRED if c not in index]
        if "la_person_id" not in index and "nhs_number" not in index:
            missing.append("la_person_id or nhs_number")
        if missing:
            raise UnreadableFile(
                label,
                f"not an adult social care client level data file: missing {plural(len(missing), 'column')} "
                + ", ".join(missing),
                location="row 1",
            )
        try:
            for rownum, raw in enumerate(reader, start=2):
                if not any(v.strip() for v in raw):
                    continue
                row, row_problems = _clean_row(raw, index, rownum, label, pseudonymiser)
                problems.extend(row_problems)
                if any(p.severity is Severity.ERROR for p in row_problems):
                    error_rows += 1
                if row is not None:
                    rows.append(row)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFile(label, f"the CSV could not be read: {exc}") from exc

    starts = {r["stated_start"] for r in rows if r["stated_start"]}
    ends = {r["stated_end"] for r in rows if r["stated_end"]}
    stated = (min(starts) if starts else None, max(ends) if ends else None)
    if len(starts) > 1 or len(ends) > 1:
        problems.append(Problem(label, "", "reporting_period_start_date", "cld-period",
                                "rows state different reporting periods; the widest is used",
                                Severity.WARNING))
    derived = derive_reporting_period(
        [(r["event_type"], r["event_end"]) for r in rows], stated=stated, loaded_on=loaded_on
    )
    for r in rows:
        r["derived_start"], r["derived_end"] = derived
        r["submitted_on"] = loaded_on
    return CLDRead(
        file=label,
        rows=len(rows),
        table=pa.Table.from_pylist(rows, schema=ARROW_SCHEMA),
        stated_period=stated,
        derived_period=derived,
        problems=problems,
        error_rows=error_rows,
    )


def _clean_row(raw, index, rownum, label, pseudonymiser):
    problems: list[Problem] = []
    where = f"row {rownum}"

    def get(key):
        i = index.get(key)
        if i is None or i >= len(raw):
            return None
        v = raw[i].strip()
        return v or None

    def date(key, header):
        try:
            return parse_date(get(key))
        except ValueError:
            problems.append(Problem(label, where, header, "date-format",
                                    f"'{get(key)}' is not a date (use 2024-05-01 or 01/05/2024)"))
            return None

    person = get("nhs_number") or get("la_person_id")
    if person is None:
        problems.append(Problem(label, where, "LA Person Unique Identifier", "cld-person-id",
                                "no NHS number or LA person id: the row is left out, as DHSC "
                                "does", Severity.WARNING))
        return None, problems
    key = pseudonymiser(person, kind="adult")

    event_type = (get("event_type") or "").capitalize()
    if event_type not in EVENT_TYPES:
        problems.append(Problem(label, where, "Event Type", "cld-event-type",
                                f"'{get('event_type')}' is not one of {', '.join(EVENT_TYPES)}",
                                record_key=key))
    start = date("event_start", "Event Start Date")
    end = date("event_end", "Event End Date")
    birth = date("date_of_birth", "Date of Birth")
    death = date("date_of_death", "Date of Death")
    stated_start = date("stated_start", "Reporting Period Start Date")
    stated_end = date("stated_end", "Reporting Period End Date")
    if start is None and not any(p.field == "Event Start Date" for p in problems):
        problems.append(Problem(label, where, "Event Start Date", "required",
                                "Event Start Date is required", record_key=key))
    if start and end and end < start:
        problems.append(Problem(label, where, "Event End Date", "date-order",
                                f"Event End Date {end} is before Event Start Date {start}",
                                record_key=key))
    if event_type in ("Request", "Assessment", "Review") and end is None:
        problems.append(Problem(label, where, "Event End Date", "cld-open-event",
                                f"a {event_type.lower()} is submitted only when complete, "
                                "but has no end date", Severity.WARNING, record_key=key))
    # derived end date: the date of death where it comes first (or the event is open)
    derived_end = end
    if death is not None and (end is None or death < end) and (start is None or death >= start):
        derived_end = death

    outcome_raw = get("event_outcome")
    outcome = None
    if outcome_raw:
        outcome = _OUTCOMES.get(outcome_raw.lower(), INVALID)
        if outcome == INVALID:
            problems.append(Problem(label, where, "Event Outcome", "cld-code",
                                    f"'{outcome_raw}' is not a CLD event outcome; kept as "
                                    f"'{INVALID}'", Severity.WARNING, record_key=key))
    service_raw = get("service_type")
    service = None
    if service_raw:
        service = _SERVICE_TYPES.get(service_raw.lower(), INVALID)
        if service == INVALID:
            problems.append(Problem(label, where, "Service Type", "cld-code",
                                    f"'{service_raw}' is not a CLD service type; kept as "
                                    f"'{INVALID}'", Severity.WARNING, record_key=key))
    if event_type == "Service" and service is None:
        problems.append(Problem(label, where, "Service Type", "required",
                                "a service needs a Service Type", record_key=key))
    unit_raw = get("unit_type")
    unit_type = None
    if unit_raw:
        unit_type = _UNIT_TYPES.get(re.sub(r"[^a-z0-9]+", "", unit_raw.lower()), INVALID)
        if unit_type == INVALID:
            problems.append(Problem(label, where, "Cost Frequency (Unit Type)", "cld-code",
                                    f"'{unit_raw}' is not a cost frequency ({', '.join(UNIT_TYPES)}); "
                                    f"kept as '{INVALID}'", Severity.WARNING, record_key=key))
    units = _planned_units(get("planned_units_per_week"), where, label, key, problems)
    if unit_type in (HOURLY, "Daily", "Per session") and units is None and event_type == "Service" \
            and not any(p.field == "Planned units per week" for p in problems):
        problems.append(Problem(label, where, "Planned units per week", "cld-planned-units",
                                f"a service costed {unit_type.lower()} needs its planned units a week "
                                "(the specification requires them where the cost frequency is finer "
                                "than weekly); none are counted", Severity.WARNING, record_key=key))
    client_raw = get("client_type")
    client = _CLIENT_TYPES.get(client_raw.lower(), INVALID) if client_raw else None
    delivery_raw = get("delivery_mechanism")
    delivery = _DELIVERY.get(delivery_raw.lower(), INVALID) if delivery_raw else None
    if outcome in OUTCOME_HIERARCHY:
        rank = OUTCOME_HIERARCHY.index(outcome) + 1
    else:
        rank = 99
    group = None
    if outcome:
        group = "NFA" if outcome.startswith("NFA") else outcome
    return (
        {
            "la_code": get("la_code"),
            "stated_start": stated_start,
            "stated_end": stated_end,
            "derived_start": None,
            "derived_end": None,
            "submitted_on": None,
            "row_number": rownum,
            "person_key": key,
            "birth_ym": birth.year * 12 + birth.month - 1 if birth else None,
            "gender": get("gender"),
            "client_type": client,
            "primary_support_reason": get("primary_support_reason"),
            "accommodation_status": get("accommodation_status"),
            "event_type": event_type if event_type in EVENT_TYPES else INVALID,
            "event_start": start,
            "event_end": derived_end,
            "event_outcome": outcome,
            "outcome_group": group,
            "outcome_rank": rank,
            "route_of_access": get("route_of_access"),
            "assessment_type": get("assessment_type"),
            "service_type": service,
            "service_group": SERVICE_TYPES.get(service, "Unknown") if service else None,
            "service_component": get("service_component"),
            "delivery_mechanism": delivery,
            "review_reason": get("review_reason"),
            "unit_type": unit_type,
            "planned_units_per_week": units,
        },
        problems,
    )


def _planned_units(raw: str | None, where: str, label: str, key: str | None,
                   problems: list[Problem]) -> float | None:
    """Planned units per week: blank, or a number of no less than 0 (an error otherwise)."""
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        problems.append(Problem(label, where, "Planned units per week", "cld-planned-units",
                                f"'{raw}' is not a number (planned units a week, such as 12.5)",
                                record_key=key))
        return None
    if value < 0:
        problems.append(Problem(label, where, "Planned units per week", "cld-planned-units",
                                f"'{raw}' is negative: planned units a week are 0 or more",
                                record_key=key))
        return None
    return value


# ---- loading through carestat.analytics.ingest -------------------------------------------

def detect(path: Path) -> bool:
    """A CSV whose header has the CLD event type and event start date columns."""
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    fields = {_FIELDS.get(_norm(h)) for h in header}
    return {"event_type", "event_start", "stated_start"} <= fields


def ingest_reader(paths, *, pseudonymiser, report, loaded_on: dt.date | None = None, **_):
    """``load_submission``'s reader for CLD: one quarterly submission file.

    The period is the derived reporting period, so a resubmission of the same 12 months
    supersedes the earlier one while overlapping quarterly submissions all stay current
    (``cld_main_table`` chooses between them, as DHSC does). Records in error are
    quarantined by person key.
    """
    from carestat.analytics.ingest import FormatRead
    from carestat.analytics.periods import Period as LoadPeriod

    if len(paths) != 1:
        raise ValueError("a CLD submission is one file; load each quarter's file separately")
    read = read_cld(paths[0], pseudonymiser=pseudonymiser, loaded_on=loaded_on)
    report.extend(read.problems)
    start, end = read.derived_period
    if start is None or end is None:
        raise UnreadableFile(read.file, "no reporting period: the file states none and its "
                             "events give none")
    period = LoadPeriod(f"CLD {start:%Y-%m} to {end:%Y-%m}", start, end)

    def write(con, submission_id: int, excluded: set) -> dict[str, int]:
        table = read.table
        if excluded:
            keep = [k not in excluded for k in table.column("person_key").to_pylist()]
            table = table.filter(pa.array(keep))
        table = table.add_column(
            0, "submission_id", pa.array([submission_id] * table.num_rows, pa.int32()))
        cols = ", ".join(table.column_names)
        con.register("_carestat_cld", table)
        try:
            con.execute(f"INSERT INTO {TABLE} ({cols}) SELECT {cols} FROM _carestat_cld")
        finally:
            con.unregister("_carestat_cld")
        return {TABLE: table.num_rows}

    la_codes: dict[str, str] = {}
    for code, row in zip(read.table.column("la_code").to_pylist(), read.table.column("row_number").to_pylist(),
                         strict=True):
        if code and code not in la_codes:
            la_codes[code] = f"row {row}"
    return FormatRead(period=period, write=write, la_codes=la_codes)


def register() -> None:
    """Declare the cld_events table to the store and the format to ingest."""
    from carestat.analytics import ingest, store

    store.register_tables(FORMAT, TABLES)
    ingest.register_format(FORMAT, ingest_reader, detect)
