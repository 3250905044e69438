"""Ibis backends the measures run on: DuckDB (default, one file per organisation) or Spark.

Measure definitions take Ibis tables and never name an engine, so the same code runs on
both. Spark is optional (the ``spark`` extra); it is imported only when asked for.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import ibis


def duckdb_backend(path: str | Path | None = None, *, read_only: bool = False) -> Any:
    """An Ibis DuckDB connection; in memory when ``path`` is None."""
    if path is None:
        return ibis.duckdb.connect()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(str(path), read_only=read_only)


_spark_session = None


def spark_session(master: str | None = None):
    """One SparkSession per process.

    ``master`` defaults to ``CARESTAT_SPARK_MASTER`` or ``local[2]``; point it at a cluster
    (``spark://host:7077``) to run there. PYSPARK_PYTHON defaults to this interpreter so the
    workers use the same virtual environment.
    """
    global _spark_session
    if _spark_session is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError(
                "Spark support needs the optional extra: uv sync --extra spark"
            ) from exc
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        master = master or os.environ.get("CARESTAT_SPARK_MASTER", "local[2]")
        _spark_session = (
            SparkSession.builder.master(master)
            .appName("carestat")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def spark_backend(master: str | None = None) -> Any:
    """An Ibis pyspark connection on the process's SparkSession."""
    return ibis.pyspark.connect(spark_session(master))
