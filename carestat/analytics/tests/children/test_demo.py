"""Demoshire's generated children's data loads through the real ingest and looks national."""

from __future__ import annotations

import hashlib

import pytest

from carestat.analytics.demo.children import write_children_demo
from carestat.analytics.measures.children import compute_children_measures


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return write_children_demo(tmp_path_factory.mktemp("demo"), seed=7)


def test_the_demo_is_the_same_for_the_same_seed(demo_files, tmp_path):
    again = write_children_demo(tmp_path, seed=7)
    for kind, paths in demo_files.items():
        assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == \
            [hashlib.sha256(p.read_bytes()).hexdigest() for p in again[kind]]


def test_the_demo_loads_and_its_measures_sit_near_the_national_values(demo_files, load,
                                                                        store):
    for path in demo_files["cin"]:
        result = load(path)
        assert result.report.ok
        # a CIN census of a county this size: 1,500 to 3,000 children a year
        assert 1500 <= result.rows["cin_children"] <= 3000
    result = load(demo_files["ssda903"])
    assert result.report.ok and result.period.label == "2021-22 to 2023-24"
    load(demo_files["population"])
    values = {r.code: r.value for r in compute_children_measures(store, "2023-24", "england")
              if not r.breakdown}
    # national values (measure_catalogue.csv), with a band wide enough for one county's noise
    assert abs(values["CIN-REREF-12M"] - 22.6) < 6
    assert abs(values["CIN-ASSESS-45WD"] - 85.7) < 6
    assert abs(values["CIN-ICPC-15WD"] - 81.4) < 10
    assert 1 <= values["CIN-CPP-2YR"] <= 9
    assert 380 <= values["LAC-COUNT"] <= 520
    assert 3 <= values["LAC-3PLUS-PLACEMENTS"] <= 15
    assert abs(values["LAC-LT-STABILITY"] - 68) < 15
