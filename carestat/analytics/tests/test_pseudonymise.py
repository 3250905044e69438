"""The keyed hash in SQL gives exactly the keys Python gives, or leaves the value to Python."""

from __future__ import annotations

import random
import string

import duckdb
import pytest

from carestat.analytics.pseudonymise import Pseudonymiser

ODD = ["P123", " p123 ", "", "   ", None, "O'Brien-7", "~!@#$%^&*()_+{}|:<>?", "Ünïcode 1",
       "tab\tinside", "ß"]


@pytest.mark.parametrize("secret", ["a-secret-of-sixteen+", "s" * 100])  # over 64 bytes: hashed
def test_sql_keys_match_python_keys(secret):
    rng = random.Random(7)
    printable = string.digits + string.ascii_letters + string.punctuation + " "
    values = ODD + ["".join(rng.choice(printable) for _ in range(rng.randint(1, 30)))
                    for _ in range(300)]
    p = Pseudonymiser(secret)
    con = duckdb.connect()
    con.execute("CREATE TABLE ids (v VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [[v] for v in values])
    sql, params = p.sql("v", kind="adult")
    got = dict(con.execute(f"SELECT v, {sql} FROM ids WHERE v IS NOT NULL", params).fetchall())
    for value, key in got.items():
        if key is not None:
            assert key == p(value, kind="adult"), value
    left_to_python = {v for v, k in got.items() if k is None and p(v, kind="adult")}
    assert left_to_python == {"Ünïcode 1", "tab\tinside", "ß"}
    assert got["P123"] == got[" p123 "] == p("p123", kind="adult")
    assert got["   "] is None and got[""] is None
    # the kind separates namespaces in SQL as in Python
    sql_child, params_child = p.sql("v", kind="child")
    [(child,)] = con.execute(f"SELECT {sql_child} FROM ids WHERE v = 'P123'",
                             params_child).fetchall()
    assert child == p("P123", kind="child") != got["P123"]


@pytest.mark.parametrize("secret", ["a-secret-of-sixteen+", "s" * 100])  # over 64 bytes: hashed
def test_keying_many_identifiers_at_once_gives_the_keys_one_at_a_time_gives(secret):
    rng = random.Random(11)
    alphabet = string.printable + "ÜïßéŁ€\u00a0"
    values = ODD + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                    for _ in range(500)]
    p = Pseudonymiser(secret)
    for kind in ("adult", "child", "person"):
        assert p.many(values, kind=kind) == [p(v, kind=kind) for v in values]
    assert p.many([], kind="adult") == []
