"""Adult social care CLD: reading, the DHSC main table and the ASCOF measures, worked by hand.

Three quarterly submissions, as a council sends them (each a rolling 12 months):
A covers Apr 2023-Mar 2024 (loaded 10 May 2024), B Apr 2024-Mar 2025 (loaded 10 May 2025),
C Jul 2024-Jun 2025 (loaded 10 Aug 2025). The DHSC selection gives each quarter the latest
submission covering it: Apr 2023-Mar 2024 from A, Apr-Jun 2024 from B, Jul 2024-Jun 2025
from C. The year measured is 2024-25; ages are at 31 March 2025 unless stated.
"""

from __future__ import annotations

import csv
import datetime as dt

import ibis
import pyarrow as pa
import pytest

from carestat.analytics.measures import adults  # noqa: F401  (registers the measures)
from carestat.analytics.measures.adults import cld_main_table
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.readers.cld import derive_reporting_period, read_cld

from .conftest import context

D = dt.date
YEAR = Period("2024-25", D(2024, 4, 1), D(2025, 3, 31))
SUBMISSIONS = {
    "A": (D(2023, 4, 1), D(2024, 3, 31), D(2024, 5, 10)),
    "B": (D(2024, 4, 1), D(2025, 3, 31), D(2025, 5, 10)),
    "C": (D(2024, 7, 1), D(2025, 6, 30), D(2025, 8, 10)),
}
HEADER = ["LA Code", "LA Name", "Reporting Period Start Date", "Reporting Period End Date",
          "LA Person Unique Identifier", "NHS Number", "First Name", "Last Name", "Postcode",
          "Gender", "Date of Birth", "Date of Death", "Client Type", "Accommodation Status",
          "Event Type", "Event Start Date", "Event End Date", "Event Outcome", "Service Type",
          "Delivery Mechanism"]
HOME = "Owner occupier or shared ownership scheme"
TENANT = "Tenant - private landlord"
SUPPORTED = "Supported accommodation / supported lodgings / supported group home"
CARE_HOME = "Registered care home"
NURSING_HOME = "Registered nursing home"
COMMUNITY, RESIDENTIAL, NURSING = ("Long Term Support: Community",
                                   "Long Term Support: Residential Care",
                                   "Long Term Support: Nursing Care")
ST_MAX = "Short Term Support: ST-Max"

# person, birth, accommodation, event type, service type, start, end, outcome, delivery
EVENTS = [
    ("P1", D(1950, 6, 1), HOME, "Service", COMMUNITY, D(2023, 6, 1), None, None, "Direct Payment"),
    ("P2", D(1980, 2, 1), SUPPORTED, "Service", COMMUNITY, D(2024, 5, 1), None, None,
     "CASSR Commissioned Support"),
    ("P3", D(1940, 1, 1), HOME, "Service", COMMUNITY, D(2023, 1, 1), D(2024, 9, 9), None,
     "CASSR Commissioned Support"),
    ("P3", D(1940, 1, 1), CARE_HOME, "Service", RESIDENTIAL, D(2024, 9, 10), None, None, None),
    ("P4", D(1990, 3, 1), NURSING_HOME, "Service", NURSING, D(2024, 11, 1), None, None, None),
    ("P5", D(1955, 1, 1), CARE_HOME, "Service", RESIDENTIAL, D(2023, 10, 1), D(2024, 6, 30),
     None, None),
    ("P5", D(1955, 1, 1), NURSING_HOME, "Service", NURSING, D(2024, 7, 1), None, None, None),
    ("P6", D(1945, 5, 1), HOME, "Assessment", None, D(2024, 5, 1), D(2024, 5, 20),
     "Progress to Reablement/ST-Max", None),
    ("P6", D(1945, 5, 1), HOME, "Service", ST_MAX, D(2024, 6, 1), D(2024, 7, 12),
     "Service ended as planned", None),
    ("P7", D(1960, 8, 1), HOME, "Service", ST_MAX, D(2025, 2, 1), D(2025, 3, 10),
     "Progress to Support Planning / Services", None),
    ("P7", D(1960, 8, 1), HOME, "Service", COMMUNITY, D(2025, 4, 15), None, None, None),
    ("P8", D(1950, 1, 1), HOME, "Service", ST_MAX, D(2024, 8, 1), D(2024, 8, 20),
     "NFA - Deceased", None),
    ("P9", D(1970, 1, 1), TENANT, "Service", COMMUNITY, D(2022, 1, 1), None, None,
     "Direct Payment"),
    ("P9", D(1970, 1, 1), TENANT, "Service", ST_MAX, D(2024, 10, 1), D(2024, 10, 20),
     "Service ended as planned", None),
    # P10's service is left open in A and never sent again: DHSC crops it to 31 Mar 2024.
    ("P10", D(1950, 1, 1), HOME, "Service", COMMUNITY, D(2023, 5, 1), None, None,
     "Direct Payment"),
]
ONLY_IN = {"P10": "A"}


def write_submission(path, name):
    start, end, _ = SUBMISSIONS[name]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for person, birth, accom, etype, stype, s, e, outcome, delivery in EVENTS:
            if ONLY_IN.get(person, name) != name:
                continue
            if s > end or (e is not None and e < start):
                continue  # not in this submission's 12 months
            shown_end = e if e is not None and e <= end else None  # open at the extract
            w.writerow([
                "999", "Demoshire", start.isoformat(), end.strftime("%d/%m/%Y"), person,
                "", "Ann", "Example", "DE1 1AA", "Female", birth.isoformat(), "",
                "Service User", accom, etype, s.isoformat(),
                shown_end.isoformat() if shown_end else "", outcome or "", stype or "",
                delivery or "",
            ])


@pytest.fixture
def cld(tmp_path, pseudonymiser):
    tables = []
    for sid, name in enumerate(SUBMISSIONS, start=1):
        path = tmp_path / f"cld_{name}.csv"
        write_submission(path, name)
        read = read_cld(path, pseudonymiser=pseudonymiser, loaded_on=SUBMISSIONS[name][2])
        assert read.ok, [str(p) for p in read.problems]
        t = read.table
        tables.append(t.add_column(0, "submission_id", pa.array([sid] * t.num_rows, pa.int32())))
    return pa.concat_tables(tables)


POPULATION = pa.table({
    "year": [2024] * 5,
    "age_band": ["0-17", "18-24", "25-64", "65-74", "75+"],
    "sex": ["all"] * 5,
    "population": [25000, 20000, 80000, 15000, 10000],  # 18-64: 100,000; 65+: 25,000
})


@pytest.fixture
def results(backend, cld):
    ctx = context({"cld_events": ibis.memtable(cld), "population": ibis.memtable(POPULATION)},
                  YEAR)
    out = compute_measures(backend, ctx, ["ASCOF-2A", "ASCOF-2B", "ASCOF-2C", "ASCOF-2E",
                                          "ASCOF-3D"])
    return {(r.code, r.breakdown): r for r in out}


def test_reader_keeps_no_names_postcodes_or_raw_ids(tmp_path, pseudonymiser):
    path = tmp_path / "a.csv"
    write_submission(path, "A")
    read = read_cld(path, pseudonymiser=pseudonymiser, loaded_on=D(2024, 5, 10))
    text = str(read.table.to_pylist())
    assert "Ann" not in text and "DE1 1AA" not in text and "'P1'" not in text
    assert read.table.column("person_key")[0].as_py() == pseudonymiser("P1", kind="adult")
    # release 1 values are mapped to release 2
    assert "Long term support: Community" in read.table.column("service_type").to_pylist()
    assert read.stated_period == (D(2023, 4, 1), D(2024, 3, 31))


def test_reporting_period_is_derived_from_months_with_enough_events():
    # 120 events ending Jan-Jun 2024, 20 a month with all four types, plus 1 in July and
    # 2 in August (under 2% of 123 = 2.46), and 5 in September, the import month: left out.
    types = ["Request", "Assessment", "Service", "Review"]
    events = [(types[i % 4], D(2024, m, 10)) for m in range(1, 7) for i in range(20)]
    events += [("Request", D(2024, 7, 1)), ("Review", D(2024, 8, 1)), ("Service", D(2024, 8, 2))]
    events += [("Request", D(2024, 9, 1))] * 5
    stated = (D(2023, 10, 1), D(2024, 9, 30))
    derived = derive_reporting_period(events, stated=stated, loaded_on=D(2024, 9, 15))
    assert derived == (D(2024, 1, 1), D(2024, 6, 30))
    # under 100 events: the stated period stands
    assert derive_reporting_period(events[:50], stated=stated, loaded_on=D(2024, 9, 15)) == stated


def test_main_table_keeps_one_record_per_event_and_crops_abandoned_services(backend, cld):
    main = cld_main_table(ibis.memtable(cld), start=D(2023, 4, 1), end=D(2025, 6, 30))
    rows = backend.to_pyarrow(main).to_pylist()
    by = {}
    for r in rows:
        by.setdefault((r["person_key"], r["service_type"], r["event_start"]), []).append(r)
    assert all(len(v) == 1 for v in by.values())  # P1's service was in A, B and C: kept once
    p10 = [r for r in rows if r["event_start"] == D(2023, 5, 1)]
    assert p10[0]["event_end"] == D(2024, 3, 31)  # open in A, never resent: cropped
    p3 = [r for r in rows if r["event_start"] == D(2023, 1, 1)]
    assert p3[0]["event_end"] == D(2024, 9, 9)  # open in A, ended in C: C's record kept
    assert len(rows) == len(EVENTS)


def test_ascof_2e_long_term_clients_at_home_or_with_family(results):
    # Long-term support active in 2024-25: P1, P2, P3, P4, P5, P9 (P10 cropped to Mar 2024;
    # P7's starts Apr 2025) = 6. Latest accommodation: P1 owner occupier (yes), P2 supported
    # accommodation, P3 care home (its latest event, the residential service), P4 nursing
    # home, P5 nursing home, P9 tenant (yes) -> 2 / 6.
    r = results[("ASCOF-2E", ())]
    assert (r.numerator, r.denominator, r.value) == (2, 6, 33.333333)
    # 18-64: P2, P4, P9 -> 1 of 3; 65+: P1, P3, P5 -> 1 of 3
    assert results[("ASCOF-2E", (("age_band", "18-64"),))].numerator == 1
    assert results[("ASCOF-2E", (("age_band", "65+"),))].denominator == 3


def test_ascof_3d_self_directed_support_at_year_end(results):
    # Community long-term support on 31 Mar 2025: P1 (direct payment), P2 (commissioned),
    # P9 (direct payment) -> 2 / 3. P3's ended 9 Sep 2024.
    r = results[("ASCOF-3D", ())]
    assert (r.numerator, r.denominator, r.value) == (2, 3, 66.666667)


def test_ascof_2b_and_2c_count_new_permanent_admissions_per_100000(results):
    # 2B: P4 nursing from 1 Nov 2024, aged 34 then -> 1 per 100,000 aged 18-64 = 1.0.
    r = results[("ASCOF-2B", ())]
    assert (r.numerator, r.denominator, r.value) == (1, 100000, 1.0)
    # 2C: P3 residential from 10 Sep 2024 aged 84 -> 1; P5's nursing care on 1 Jul 2024
    # follows residential care to 30 Jun, a continuation, not an admission.
    # 1 per 25,000 aged 65+ = 4.0 per 100,000.
    r = results[("ASCOF-2C", ())]
    assert (r.numerator, r.denominator, r.value) == (1, 25000, 4.0)


def test_ascof_2a_short_term_support_with_no_further_request(results):
    # ST-Max ending in 2024-25: P6 (new client; no long-term support after: yes),
    # P7 (new; community support from 15 Apr 2025, within 91 days of 10 Mar: no),
    # P8 (ended by death: early cessation, left out), P9 (already had long-term support:
    # not a new client, left out) -> 1 / 2.
    r = results[("ASCOF-2A", ())]
    assert (r.numerator, r.denominator, r.value) == (1, 2, 50.0)
    assert results[("ASCOF-2A", (("age_band", "18-64"),))].numerator == 0  # P7, aged 64
    assert results[("ASCOF-2A", (("age_band", "65+"),))].numerator == 1  # P6


def test_a_row_without_any_person_id_is_left_out_with_a_warning(tmp_path, pseudonymiser):
    path = tmp_path / "cld.csv"
    path.write_text(
        "LA Code,Reporting Period Start Date,Reporting Period End Date,"
        "LA Person Unique Identifier,Event Type,Event Start Date,Event End Date\n"
        "999,2024-04-01,2025-03-31,,Request,2024-05-01,2024-05-02\n"
        "999,2024-04-01,2025-03-31,X1,Request,2024-05-01,31/13/2024\n"
    )
    read = read_cld(path, pseudonymiser=pseudonymiser, loaded_on=D(2025, 5, 1))
    assert read.rows == 1
    rules = [(p.location, p.rule, p.severity.value) for p in read.problems]
    assert ("row 2", "cld-person-id", "warning") in rules
    assert ("row 3", "date-format", "error") in rules
