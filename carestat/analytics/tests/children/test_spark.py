"""The children's measures give identical results on DuckDB and Spark (run with -m spark)."""

from __future__ import annotations

import pytest

from carestat.analytics.demo.children import write_children_demo
from carestat.analytics.measures.children import CHILDREN_CODES, compute_children_measures

pytestmark = [
    pytest.mark.spark,
    # pyspark 4.0's toPandas passes copy=False to astype, which pandas 3 deprecates
    pytest.mark.filterwarnings(
        "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"),
    # py4j leaves its gateway socket for the garbage collector
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"),
]


def test_every_childrens_measure_is_identical_on_duckdb_and_spark(load, store, tmp_path):
    from carestat.analytics.engines import spark_backend

    files = write_children_demo(tmp_path, seed=11, cin_children=2500, lac_children=700)
    for path in files["cin"]:
        load(path)
    load(files["ssda903"])
    spark = spark_backend()
    tables, working_days = store.copy_current_to(spark, "england")
    exclusions = {f: store.exclusions(f) for f in ("cin", "ssda903")}
    for period in ("2023-24", "2023-24-Q4"):
        on_duckdb = compute_children_measures(store, period, "england")
        on_spark = compute_children_measures(spark, period, "england", tables=tables,
                                             working_days=working_days,
                                             exclusions=exclusions)
        assert {r.code for r in on_duckdb} == set(CHILDREN_CODES)
        key = lambda r: (r.code, r.breakdown)  # noqa: E731
        assert sorted((r.as_dict() for r in on_spark), key=lambda d: (d["code"],
                      sorted(d["breakdown"].items()))) == \
            sorted((r.as_dict() for r in on_duckdb), key=lambda d: (d["code"],
                   sorted(d["breakdown"].items())))
        assert len(on_duckdb) == len({key(r) for r in on_duckdb}) > 7 * 4
