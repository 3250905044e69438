"""Demoshire's adult demo data loads cleanly and tells the story the demo needs."""

from __future__ import annotations

import csv
import datetime as dt

import ibis
import pyarrow as pa
import pytest

from carestat.analytics.demo.adults import write_adults_demo
from carestat.analytics.forecast import weekly_history
from carestat.analytics.measures import adults, operational, workforce  # noqa: F401
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.readers.case_events import read_case_events
from carestat.analytics.readers.cld import read_cld
from carestat.analytics.readers.population import read_population
from carestat.analytics.readers.workforce import read_workforce

from .conftest import context

# The demo's defaults: financial years 2022-23 to 2024-25.
YEARS = [Period(f"{y}-{(y + 1) % 100:02d}", dt.date(y, 4, 1), dt.date(y + 1, 3, 31))
         for y in (2022, 2023, 2024)]
CARE_HOMES = ("Long Term Support: Residential Care", "Long Term Support: Nursing Care")
BANDS_18_64 = ("18-24", "25-34", "35-44", "45-54", "55-64")
BANDS_65_PLUS = ("65-74", "75-84", "85+")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_adults_demo(tmp_path_factory.mktemp("demo"), seed=7)


@pytest.fixture(scope="module")
def cld_events(demo):
    """Every demo CLD submission as read, numbered in load order (read once: ~300,000 rows)."""
    pseudonymiser = Pseudonymiser("test-secret-0123456789")
    tables = []
    for sid, sub in enumerate(demo["cld"], start=1):
        read = read_cld(sub["path"], pseudonymiser=pseudonymiser, loaded_on=sub["loaded_on"])
        assert read.ok, [str(p) for p in read.problems[:5]]
        t = read.table
        tables.append(t.add_column(0, "submission_id", pa.array([sid] * t.num_rows, pa.int32())))
    return pa.concat_tables(tables)


@pytest.fixture(scope="module")
def population(demo):
    rows, problems = read_population(demo["population"])
    assert not problems, [str(p) for p in problems]
    return pa.Table.from_pylist([{k: v for k, v in r.items() if k != "_row"} for r in rows])


def _admissions_rates(backend, cld_events, population, period):
    ctx = context({"cld_events": ibis.memtable(cld_events),
                   "population": ibis.memtable(population)}, period)
    return {m.code: m for m in compute_measures(backend, ctx, ["ASCOF-2B", "ASCOF-2C"])}


def _age_in_months(birth: dt.date, day: dt.date) -> int:
    return (day.year * 12 + day.month) - (birth.year * 12 + birth.month)


def test_demo_is_deterministic_for_a_seed(demo, tmp_path):
    again = write_adults_demo(tmp_path, seed=7)
    assert again["case_events"].read_bytes() == demo["case_events"].read_bytes()
    assert again["cld"][-1]["path"].read_bytes() == demo["cld"][-1]["path"].read_bytes()


def test_demo_case_events_load_and_show_the_backlogs(demo, backend, pseudonymiser):
    read = read_case_events(backend.con, demo["case_events"], pseudonymiser=pseudonymiser)
    assert read.ok, [str(p) for p in read.problems[:5]]
    assert 15000 < read.rows < 40000
    backend.con.execute(f"CREATE TABLE case_events AS {read.select_sql()}")
    events = backend.table("case_events")
    ot = weekly_history(backend, events, "ot_assessment", until=demo["extract_date"])
    peak = max(w.backlog for w in ot)
    assert peak > 300  # builds while demand outruns the team
    assert ot[-1].backlog < peak / 4  # and the managed service clears it
    settings = {"ops_targets": demo["ops_targets"]}
    year3 = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    r = {(m.code, m.breakdown): m for m in compute_measures(
        backend, context({"case_events": events}, year3, settings),
        ["DOLS-NOT-COMPLETED", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET"])}
    assert r[("DOLS-NOT-COMPLETED", ())].numerator > 100
    sg = r[("OPS-WITHIN-TARGET", (("work_type", "safeguarding_concern"),))]
    assert 80 < sg.value < 100
    signoff = r[("OPS-SIGNOFF-TARGET", (("work_type", "safeguarding_concern"),))]
    assert 60 < signoff.value < 100


def test_demo_cld_and_workforce_load_and_compute(demo, cld_events, backend, pseudonymiser):
    year = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    ctx = context({"cld_events": ibis.memtable(cld_events)}, year)
    r = {m.code: m for m in compute_measures(backend, ctx, ["ASCOF-2A", "ASCOF-2E", "ASCOF-3D"])
         if not m.breakdown}
    assert all(r[c].denominator > 20 for c in r)
    assert 40 < r["ASCOF-2E"].value < 95
    censuses = [read_workforce(p, pseudonymiser=pseudonymiser) for p in demo["workforce"]]
    assert all(c.ok for c in censuses), [str(p) for c in censuses for p in c.problems][:5]
    last = censuses[-1]
    period = Period("2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    ctx = context({k: ibis.memtable(v) for k, v in last.tables.items()}, period)
    w = {m.code: m.value for m in compute_measures(backend, ctx, [
        "CSWW-AGENCY-RATE", "CSWW-VACANCY-RATE", "CSWW-TURNOVER-RATE", "CSWW-CASELOAD"])}
    assert w["CSWW-AGENCY-RATE"] == pytest.approx(17.8, abs=2)
    assert w["CSWW-VACANCY-RATE"] == pytest.approx(18.9, abs=2)
    assert w["CSWW-TURNOVER-RATE"] == pytest.approx(15.9, abs=3)
    assert w["CSWW-CASELOAD"] == pytest.approx(16.0, abs=1.5)


def test_demo_writes_adult_population_estimates_for_each_financial_year(demo, population):
    assert demo["population"].name == "population_adults_2022-2024.csv"
    rows = population.to_pylist()
    assert {r["year"] for r in rows} == {p.start.year for p in YEARS}
    for year in {r["year"] for r in rows}:
        estimates = [r for r in rows if r["year"] == year]
        aged_18_64 = sum(r["population"] for r in estimates if r["age_band"] in BANDS_18_64)
        aged_65_plus = sum(r["population"] for r in estimates if r["age_band"] in BANDS_65_PLUS)
        assert {r["sex"] for r in estimates} == {"male", "female"}
        # a shire county's adults, as the children's demo is a shire county's children
        assert 300_000 < aged_18_64 < 400_000 and 100_000 < aged_65_plus < 140_000


def test_demo_permanent_admissions_per_100000_are_near_the_english_rates(
        demo, cld_events, population, backend):
    for period in YEARS:
        r = _admissions_rates(backend, cld_events, population, period)
        assert 9 < r["ASCOF-2B"].value < 20, (period.label, r["ASCOF-2B"])
        assert 480 < r["ASCOF-2C"].value < 680, (period.label, r["ASCOF-2C"])


def test_demo_admission_rates_match_the_files_counted_by_hand(demo, cld_events, population, backend):
    # Each demo adult has at most one care home placement, so every placement starting in the
    # year is a permanent admission; counted from the CSV files, not through the reader.
    period = YEARS[1]
    first_admission: dict[str, tuple[dt.date, dt.date]] = {}
    for sub in demo["cld"]:
        with sub["path"].open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Event Type"] != "Service" or row["Service Type"] not in CARE_HOMES:
                    continue
                start = dt.date.fromisoformat(row["Event Start Date"])
                if period.start <= start <= period.end:
                    person = row["NHS Number"]
                    birth = dt.date.fromisoformat(row["Date of Birth"])
                    if person not in first_admission or start < first_admission[person][0]:
                        first_admission[person] = (start, birth)
    ages = [_age_in_months(birth, start) // 12 for start, birth in first_admission.values()]
    admitted_18_64 = sum(18 <= a <= 64 for a in ages)
    admitted_65_plus = sum(a >= 65 for a in ages)
    with demo["population"].open(newline="") as fh:
        estimates = [r for r in csv.DictReader(fh) if int(r["year"]) == period.start.year]
    people_18_64 = sum(int(r["population"]) for r in estimates if r["age_band"] in BANDS_18_64)
    people_65_plus = sum(int(r["population"]) for r in estimates if r["age_band"] in BANDS_65_PLUS)

    r = _admissions_rates(backend, cld_events, population, period)
    assert (r["ASCOF-2B"].numerator, r["ASCOF-2B"].denominator) == (admitted_18_64, people_18_64)
    assert r["ASCOF-2B"].value == pytest.approx(admitted_18_64 / people_18_64 * 100000)
    assert (r["ASCOF-2C"].numerator, r["ASCOF-2C"].denominator) == (admitted_65_plus, people_65_plus)
    assert r["ASCOF-2C"].value == pytest.approx(admitted_65_plus / people_65_plus * 100000)
