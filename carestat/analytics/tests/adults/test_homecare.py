"""Hours of home care from client level data: the reader keeps Planned units per week and the
cost frequency, the measure ASC-HOMECARE-HOURS sums them at the year end, and the cost model's
"hours of home care" activity is that figure, costed as hours a week x weeks x an hourly rate.
Every figure is worked by hand below."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from carestat.analytics import finance as calc
from carestat.analytics.measures import adults  # noqa: F401  (registers the measures)
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.readers.cld import read_cld
from carestat.analytics.store import Store

from .conftest import context

D = dt.date
YEAR = Period("2024-25", D(2024, 4, 1), D(2025, 3, 31))
HEADER = ["LA Code", "Reporting Period Start Date", "Reporting Period End Date",
          "LA Person Unique Identifier", "Date of Birth", "Client Type", "Event Type",
          "Event Start Date", "Event End Date", "Service Type", "Service Component",
          "Delivery Mechanism", "Unit Cost", "Cost Frequency (Unit Type)", "Planned units per week"]
COMMUNITY = "Long Term Support: Community"
# person, birth, client type, service type, component, start, end, cost frequency, units
SERVICES = [
    ("H1", D(1950, 6, 1), "Service User", COMMUNITY, "Home care", D(2023, 6, 1), None, "Hourly", "10.5"),
    # a second call added later (a new event: another start date)
    ("H1", D(1950, 6, 1), "Service User", COMMUNITY, "Home care", D(2024, 11, 1), None, "hourly", "3.5"),
    ("H2", D(1980, 2, 1), "Service User", COMMUNITY, "Home Care", D(2024, 5, 1), None, "Per hour", "12"),
    ("H3", D(1945, 1, 1), "Service User", COMMUNITY, "Home care", D(2024, 5, 1), D(2025, 1, 31), "Hourly", "20"),
    ("H4", D(1955, 1, 1), "Service User", COMMUNITY, "Home care", D(2024, 5, 1), None, "Weekly", "1"),
    ("H5", D(1960, 1, 1), "Service User", COMMUNITY, "Day care", D(2024, 5, 1), None, "Hourly", "6"),
    ("H6", D(1940, 1, 1), "Service User", "Long Term Support: Residential Care", "Care home placement",
     D(2024, 5, 1), None, "Weekly", "1"),
    ("H7", D(2010, 1, 1), "Service User", COMMUNITY, "Home care", D(2024, 5, 1), None, "Hourly", "8"),
    ("H8", D(1962, 3, 1), "Service User", COMMUNITY, "Home care", D(2024, 5, 1), None, "Hourly", ""),
    ("H9", D(1970, 1, 1), "Carer", COMMUNITY, "Home care", D(2024, 5, 1), None, "Hourly", "7"),
]


def write(path, services=SERVICES, extra_rows=()):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for person, birth, client, stype, component, s, e, freq, units in services:
            w.writerow(["999", "2024-04-01", "2025-03-31", person, birth.isoformat(), client, "Service",
                        s.isoformat(), e.isoformat() if e else "", stype, component, "CASSR Commissioned Support",
                        "25.50", freq, units])
        for row in extra_rows:
            w.writerow(row)
    return path


@pytest.fixture
def cld(tmp_path, pseudonymiser):
    read = read_cld(write(tmp_path / "cld.csv"), pseudonymiser=pseudonymiser, loaded_on=D(2025, 5, 10))
    assert read.ok, [str(p) for p in read.problems]
    t = read.table
    return t.add_column(0, "submission_id", pa.array([1] * t.num_rows, pa.int32()))


def test_reader_keeps_the_cost_frequency_and_planned_units_but_not_the_unit_cost(cld, tmp_path, pseudonymiser):
    rows = cld.to_pylist()
    assert [r["unit_type"] for r in rows[:5]] == ["Hourly", "Hourly", "Hourly", "Hourly", "Weekly"]
    assert [r["planned_units_per_week"] for r in rows[:3]] == [10.5, 3.5, 12.0]
    assert "unit_cost" not in cld.column_names and "25.5" not in str(rows)
    # H8's hourly service has no planned units: kept blank, with a warning naming row and field
    read = read_cld(tmp_path / "cld.csv", pseudonymiser=pseudonymiser, loaded_on=D(2025, 5, 10))
    warning = [p for p in read.problems if p.rule == "cld-planned-units"]
    assert [(p.location, p.field, p.severity.value) for p in warning] == \
        [("row 10", "Planned units per week", "warning")]
    assert rows[8]["planned_units_per_week"] is None


@pytest.mark.parametrize("units, words", [
    ("twelve", "'twelve' is not a number"),
    ("-3", "'-3' is negative: planned units a week are 0 or more"),
    ("nan", "'nan' is not a number"),
])
def test_planned_units_that_are_not_a_number_of_zero_or_more_are_errors_naming_file_row_and_field(
        tmp_path, pseudonymiser, units, words):
    bad = ("H1", D(1950, 6, 1), "Service User", COMMUNITY, "Home care", D(2023, 6, 1), None, "Hourly", units)
    read = read_cld(write(tmp_path / "bad.csv", [SERVICES[2], bad]), pseudonymiser=pseudonymiser,
                    loaded_on=D(2025, 5, 10))
    assert not read.ok and read.error_rows == 1
    (problem,) = [p for p in read.problems if p.severity.value == "error"]
    assert (problem.file, problem.location, problem.field, problem.rule) == \
        ("bad.csv", "row 3", "Planned units per week", "cld-planned-units")
    assert problem.message.startswith(words)


def test_an_unknown_cost_frequency_is_kept_as_invalid_with_a_warning(tmp_path, pseudonymiser):
    odd = ("H1", D(1950, 6, 1), "Service User", COMMUNITY, "Home care", D(2023, 6, 1), None, "fortnightish", "4")
    read = read_cld(write(tmp_path / "odd.csv", [odd]), pseudonymiser=pseudonymiser, loaded_on=D(2025, 5, 10))
    assert read.ok
    assert read.table.column("unit_type").to_pylist() == ["Invalid and not mapped"]
    (p,) = [p for p in read.problems if p.field == "Cost Frequency (Unit Type)"]
    assert (p.location, p.rule, p.severity.value) == ("row 2", "cld-code", "warning")


def test_homecare_hours_measure_sums_planned_hours_of_adults_with_hourly_home_care_at_year_end(backend, cld):
    results = {(r.code, r.breakdown): r for r in compute_measures(
        backend, context({"cld_events": ibis.memtable(cld)}, YEAR), ["ASC-HOMECARE-HOURS"])}
    # On 31 March 2025: H1 10.5 + 3.5, H2 12 (any spelling of hourly), H8 none given = 26 hours
    # for 3 people. Not: H3 (ended January), H4 (weekly units), H5 (day care), H6 (care home),
    # H7 (aged 15), H9 (a carer).
    r = results[("ASC-HOMECARE-HOURS", ())]
    assert (r.value, r.numerator, r.denominator, r.unit) == (26.0, 26.0, 3, "hours a week")
    # 18-64: H2 12 and H8 0 hours, 2 people; 65+: H1 14 hours
    young = results[("ASC-HOMECARE-HOURS", (("age_band", "18-64"),))]
    old = results[("ASC-HOMECARE-HOURS", (("age_band", "65+"),))]
    assert (young.numerator, young.denominator) == (12.0, 2)
    assert (old.numerator, old.denominator) == (14.0, 1)


def test_cost_model_hours_equal_the_measure_from_the_same_submissions(backend, cld):
    tables = {"cld_events": ibis.memtable(cld)}
    measure = compute_measures(backend, context(tables, YEAR), ["ASC-HOMECARE-HOURS"])[0]
    activity = calc.home_care_hours(tables, backend, YEAR)
    assert activity == calc.HomeCareHours(Decimal("26.00"), 3)
    assert (float(activity.hours), activity.people) == (measure.value, measure.denominator)


def test_without_the_hours_columns_or_client_level_data_there_are_no_hours(backend):
    assert calc.home_care_hours({}, backend, YEAR) == calc.HomeCareHours(Decimal("0.00"), 0)


def test_hours_of_home_care_cost_weekly_hours_times_weeks_times_an_hourly_rate_with_inflation():
    driver = calc.Driver("HC", Decimal("26"), Decimal("26.00"), "2026-27", Decimal("3"),
                         per_year=calc.WEEKS_A_YEAR)
    y1, y2 = calc.project(driver, ["2026-27", "2027-28"])
    # 26 h x 365/7 weeks x £26 = £246,740 / 7 = £35,248.57
    assert (y1.volume, y1.unit_cost, y1.cost) == (Decimal("26"), Decimal("26.00"), Decimal("35248.57"))
    # £26 x 1.03 = £26.78 an hour: 26 x 365/7 x 26.78 = £254,142.20 / 7 = £36,306.03
    assert (y2.unit_cost, y2.cost) == (Decimal("26.78"), Decimal("36306.03"))
    # 4 hours a week fewer from Q3: 2026-27 averages 24 hours: 24 x 365/7 x 26 = £32,537.14
    fewer = calc.Change("HC", calc.ChangeKind.VOLUME, Decimal("-4"), "2026-27-Q3")
    assert calc.project(driver, ["2026-27"], [fewer])[0].cost == Decimal("32537.14")
    # 5% more an hour from 2027-28-Q1: 26 x 365/7 x 26.78 x 1.05 = £38,121.33
    dearer = calc.Change("HC", calc.ChangeKind.UNIT_COST, Decimal("5"), "2027-28-Q1")
    assert calc.project(driver, ["2027-28"], [dearer])[0].cost == Decimal("38121.33")


def test_price_and_volume_variance_of_hours_use_the_budgeted_cost_of_an_hour():
    # budget £30,000 for 22 hours a week: £30,000 / (22 x 365/7) = £26.15 an hour.
    # Modelled: 26 hours at £26 = £35,248.57. Volume: 4 more hours x 365/7 x £26.1519... =
    # 4/22 of £30,000 = £5,454.55; price: the rest, £35,248.57 - £30,000 - £5,454.55 = -£205.98.
    pv = calc.price_volume(Decimal("30000"), Decimal("22"), Decimal("26"), Decimal("26.00"),
                           per_year=calc.WEEKS_A_YEAR)
    assert pv is not None
    assert (pv.budget_unit_cost, pv.forecast, pv.volume_variance, pv.price_variance) == \
        (Decimal("26.15"), Decimal("35248.57"), Decimal("5454.55"), Decimal("-205.98"))
    assert pv.volume_variance + pv.price_variance == pv.variance


def test_a_store_made_before_the_hours_columns_gains_them_when_opened(tmp_path):
    from carestat.analytics.readers import cld as reader

    reader.register()
    path = tmp_path / "old.duckdb"
    old = {c: t for c, t in reader.TABLES["cld_events"].items() if c not in ("unit_type", "planned_units_per_week")}
    con = __import__("duckdb").connect(str(path))
    con.execute("CREATE TABLE cld_events (submission_id INTEGER, "
                + ", ".join(f"{c} {t}" for c, t in old.items()) + ")")
    con.execute("CREATE TABLE current_cld_events AS SELECT * FROM cld_events")
    con.execute("INSERT INTO cld_events (submission_id, la_code) VALUES (1, '999')")
    con.close()
    with Store(path) as store:
        cols = {r[0] for r in store.con.execute("DESCRIBE cld_events").fetchall()}
        current = {r[0] for r in store.con.execute("DESCRIBE current_cld_events").fetchall()}
        assert {"unit_type", "planned_units_per_week"} <= cols & current
        assert store.con.execute("SELECT la_code, planned_units_per_week FROM cld_events").fetchall() == \
            [("999", None)]


def test_without_anyone_on_hourly_home_care_the_measure_has_no_figure_rather_than_zero(backend, cld):
    weekly = cld.set_column(cld.column_names.index("unit_type"), "unit_type",
                            pa.array(["Weekly"] * cld.num_rows, pa.string()))
    [r] = [r for r in compute_measures(backend, context({"cld_events": ibis.memtable(weekly)}, YEAR),
                                       ["ASC-HOMECARE-HOURS"]) if not r.breakdown]
    assert (r.value, r.numerator, r.denominator) == (None, 0.0, 0)
