"""The adult, operational and workforce measures give identical results on DuckDB and Spark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from carestat.analytics import engines
from carestat.analytics.measures import adults, operational, workforce  # noqa: F401
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.readers.case_events import read_case_events
from carestat.analytics.readers.cld import read_cld
from carestat.analytics.readers.workforce import read_workforce

from . import test_adults, test_operational, test_workforce
from .conftest import SAFEGUARDING_TARGETS, context, q4_2024_25

pytestmark = [
    pytest.mark.spark,
    # pyspark 4.0's toPandas passes copy=False to astype, which pandas 3 deprecates
    pytest.mark.filterwarnings(
        "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"),
    # py4j leaves its gateway socket for the garbage collector
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]


def _spark_tables(backend, tables):
    """Arrow tables as Spark temp views (ibis's pyspark memtables cannot take NULL decimals)."""
    from pyspark.sql import types as T

    def spark_type(t: pa.DataType):
        if pa.types.is_decimal(t):
            return T.DecimalType(t.precision, t.scale)
        if pa.types.is_timestamp(t):
            return T.TimestampNTZType()
        return {pa.string(): T.StringType(), pa.date32(): T.DateType(), pa.int32(): T.IntegerType(),
                pa.int64(): T.LongType(), pa.bool_(): T.BooleanType(),
                pa.float64(): T.DoubleType()}[t]

    out = {}
    for name, table in tables.items():
        schema = T.StructType([T.StructField(f.name, spark_type(f.type)) for f in table.schema])
        rows = [tuple(r.values()) for r in table.to_pylist()]
        backend._session.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)
        out[name] = backend.table(name)
    return out


def _results(backend, tables, period, settings, codes):
    if backend.name == "pyspark":
        tables = _spark_tables(backend, tables)
    else:
        tables = {k: ibis.memtable(v) for k, v in tables.items()}
    ctx = context(tables, period, settings, backend)
    return sorted(
        (r.code, r.breakdown, r.value, r.numerator, r.denominator, tuple(sorted(r.extra.items())))
        for r in compute_measures(backend, ctx, codes)
    )


def test_duckdb_and_spark_agree_on_every_adult_operational_and_workforce_measure(
    tmp_path, pseudonymiser
):
    duck = engines.duckdb_backend()
    # case events through the real reader
    events_csv = tmp_path / "events.csv"
    events_csv.write_text(test_operational.EVENTS.strip() + "\n")
    read = read_case_events(duck.con, events_csv, pseudonymiser=pseudonymiser)
    events = duck.con.execute(read.select_sql()).to_arrow_table()
    # CLD: the three submissions of the adults tests
    cld = []
    for sid, name in enumerate(test_adults.SUBMISSIONS, start=1):
        path = tmp_path / f"cld_{name}.csv"
        test_adults.write_submission(path, name)
        t = read_cld(path, pseudonymiser=pseudonymiser,
                     loaded_on=test_adults.SUBMISSIONS[name][2]).table
        cld.append(t.add_column(0, "submission_id", pa.array([sid] * t.num_rows, pa.int32())))
    csww = read_workforce(test_workforce.SAMPLE, pseudonymiser=pseudonymiser).tables

    events = events.cast(pa.schema([
        pa.field(f.name, pa.timestamp("us") if pa.types.is_timestamp(f.type) else f.type)
        for f in events.schema]))
    runs = [
        ({"case_events": events}, q4_2024_25(), {"ops_targets": SAFEGUARDING_TARGETS},
         ["OPS-BACKLOG", "OPS-WAIT-MEDIAN", "OPS-WITHIN-TARGET", "OPS-SIGNOFF-TARGET",
          "DOLS-NOT-COMPLETED"]),
        ({"cld_events": pa.concat_tables(cld), "population": test_adults.POPULATION},
         test_adults.YEAR, {}, ["ASCOF-2A", "ASCOF-2B", "ASCOF-2C", "ASCOF-2E", "ASCOF-3D"]),
        (csww, Period("2022-23", dt.date(2022, 4, 1), dt.date(2023, 3, 31)), {},
         test_workforce.CODES),
    ]
    spark = engines.spark_backend()
    for tables, period, settings, codes in runs:
        on_duckdb = _results(duck, tables, period, settings, codes)
        on_spark = _results(spark, tables, period, settings, codes)
        assert on_duckdb, codes
        assert on_spark == on_duckdb, codes


def test_duckdb_and_spark_agree_on_hours_of_home_care_for_the_measure_and_the_cost_model(
    tmp_path, pseudonymiser
):
    from carestat.analytics.finance import HomeCareHours, home_care_hours

    from . import test_homecare

    t = read_cld(test_homecare.write(tmp_path / "cld.csv"), pseudonymiser=pseudonymiser,
                 loaded_on=dt.date(2025, 5, 10)).table
    tables = {"cld_events": t.add_column(0, "submission_id", pa.array([1] * t.num_rows, pa.int32()))}
    duck, spark = engines.duckdb_backend(), engines.spark_backend()
    codes = ["ASC-HOMECARE-HOURS"]
    on_duckdb = _results(duck, tables, test_homecare.YEAR, {}, codes)
    assert _results(spark, tables, test_homecare.YEAR, {}, codes) == on_duckdb
    hours = home_care_hours(_spark_tables(spark, tables), spark, test_homecare.YEAR)
    assert hours == HomeCareHours(Decimal("26.00"), 3)
