import duckdb
import pytest

from carestat.analytics.store import one_row


def test_one_row_returns_the_single_row_of_an_aggregate():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM range(5) r(x)")
    assert one_row(con, "SELECT count(*), max(x) FROM t WHERE x < ?", [3]) == (3, 2)


def test_one_row_names_the_query_when_it_returns_no_row():
    con = duckdb.connect()
    with pytest.raises(RuntimeError, match="got none: SELECT 1 WHERE false"):
        one_row(con, "SELECT 1 WHERE false")
