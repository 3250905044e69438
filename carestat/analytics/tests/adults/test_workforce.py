"""Children's social work workforce census: reading, XSD validation and the four CSWW rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pytest

from carestat.analytics.measures import workforce  # noqa: F401  (registers the measures)
from carestat.analytics.measures.base import Period, compute_measures
from carestat.analytics.problems import UnreadableFile
from carestat.analytics.readers.workforce import LA_SCHEMA, WORKER_SCHEMA, read_workforce
from tests.samples import SAMPLES

from .conftest import context

SAMPLE = SAMPLES / "workforce/social_work_workforce_2022.xml"
CODES = ["CSWW-AGENCY-RATE", "CSWW-VACANCY-RATE", "CSWW-TURNOVER-RATE", "CSWW-CASELOAD"]
YEAR_2022_23 = Period("2022-23", dt.date(2022, 4, 1), dt.date(2023, 3, 31))
YEAR_2023_24 = Period("2023-24", dt.date(2023, 4, 1), dt.date(2024, 3, 31))


def rates(backend, tables, period):
    ctx = context({k: ibis.memtable(v) for k, v in tables.items()}, period)
    return {r.code: r for r in compute_measures(backend, ctx, CODES)}


def test_sample_reports_each_xsd_violation_with_line_and_element(pseudonymiser):
    read = read_workforce(SAMPLE, pseudonymiser=pseudonymiser)
    assert read.census_date == dt.date(2022, 9, 30)
    # 12 worker records lack the mandatory QualInst (the XSD then meets QualLevel first)
    assert len(read.problems) == 12
    first = read.problems[0]
    assert (first.location, first.field, first.rule) == (
        "line 86 /Message/CSWWWorker[4]/QualLevel", "QualLevel", "xsd")
    assert "QualInst" in first.message


def test_sample_keeps_no_swe_number_birth_date_or_ethnicity(pseudonymiser):
    read = read_workforce(SAMPLE, pseudonymiser=pseudonymiser)
    workers = read.tables["csww_workers"]
    assert workers.num_rows == 30
    assert "Oz2054309383" not in str(workers.to_pylist())
    assert set(workers.column_names) == set(WORKER_SCHEMA.names)
    assert workers.column("worker_key")[0].as_py() == pseudonymiser("Oz2054309383", kind="worker")


def test_sample_computes_the_four_rates(backend, pseudonymiser):
    read = read_workforce(SAMPLE, pseudonymiser=pseudonymiser)
    r = rates(backend, read.tables, YEAR_2022_23)
    # Census 30 Sep 2022. Non-agency records in post (started by then, not ended by then):
    # worker 9 (0.843488), 12 (0), 14 (0), 15 (0.859218), 24 (0.978729), 26 (0), 28 (0),
    # 29 (0.034436) = 2.715871 FTE. Workers 4, 16, 18 start after the census date.
    # LA totals: agency 59.82 FTE, vacancies 79.68 FTE.
    # Agency 59.82 / 62.535871 = 95.657099%; vacancy 79.68 / 82.395871 = 96.703875%.
    assert r["CSWW-AGENCY-RATE"].numerator == pytest.approx(59.82)
    assert r["CSWW-AGENCY-RATE"].denominator == pytest.approx(62.535871)  # 59.82 + 2.715871
    assert r["CSWW-AGENCY-RATE"].value == pytest.approx(95.657099, abs=1e-6)
    assert r["CSWW-VACANCY-RATE"].denominator == pytest.approx(82.395871)  # 79.68 + 2.715871
    assert r["CSWW-VACANCY-RATE"].value == pytest.approx(96.703875, abs=1e-6)
    # No non-agency role ended between 1 Oct 2021 and 30 Sep 2022 (worker 20 left in 2018).
    assert (r["CSWW-TURNOVER-RATE"].numerator, r["CSWW-TURNOVER-RATE"].value) == (0, 0)
    # Case holders in post: 12 (37 cases, 0 FTE), 15 (85, 0.859218), 28 (80, 0), 29 (23, 0.034436)
    # = 225 cases / 0.893654 FTE = 251.775296 (fake data: FTE 0 with cases)
    assert r["CSWW-CASELOAD"].numerator == 225
    assert r["CSWW-CASELOAD"].denominator == pytest.approx(0.893654)
    assert r["CSWW-CASELOAD"].value == pytest.approx(251.775296, abs=1e-6)


def test_rates_reproduce_the_published_national_figures_for_2023():
    # benchmarks_national.csv, CSWW 2023 (30 Sep): in post 33,119.1 FTE; agency 7,173.5;
    # vacancies 7,722.7; leavers 5,254.6 FTE; 337,055 cases held by 21,111.4 case-holding FTE.
    census = dt.date(2023, 9, 30)
    d = Decimal

    def worker(fte, cases=None, end=None, fte30=None):
        return {"census_date": census, "la_code": "E92000001", "worker_key": None,
                "agency": False, "fte": d(fte), "fte30": d(fte30) if fte30 else None,
                "org_role": "5", "role_start_date": dt.date(2020, 1, 1), "role_end_date": end,
                "cases30": cases}

    workers = [
        worker("21111.4", cases=337055),  # case holders
        worker("12007.7"),  # 33,119.1 - 21,111.4 in post without cases
        worker("0", end=dt.date(2023, 3, 31), fte30="5254.6"),  # leavers in the year
    ]
    la = [{"census_date": census, "la_code": "E92000001", "vacancies_fte": d("7722.7"),
           "agency_fte": d("7173.5"), "agency_headcount": None}]
    import pyarrow as pa

    tables = {"csww_workers": pa.Table.from_pylist(workers, schema=WORKER_SCHEMA),
              "csww_la": pa.Table.from_pylist(la, schema=LA_SCHEMA)}
    r = rates(ibis.duckdb.connect(), tables, YEAR_2023_24)
    # agency 7,173.5 / 40,292.6 = 17.80%; vacancy 7,722.7 / 40,841.8 = 18.91%;
    # turnover 5,254.6 / 33,119.1 = 15.87%; caseload 337,055 / 21,111.4 = 15.97
    assert (r["CSWW-AGENCY-RATE"].numerator, r["CSWW-AGENCY-RATE"].denominator) == (7173.5, 40292.6)
    assert (r["CSWW-VACANCY-RATE"].numerator, r["CSWW-VACANCY-RATE"].denominator) == (7722.7, 40841.8)
    assert (r["CSWW-TURNOVER-RATE"].numerator, r["CSWW-TURNOVER-RATE"].denominator) == (5254.6, 33119.1)
    assert (r["CSWW-CASELOAD"].numerator, r["CSWW-CASELOAD"].denominator) == (337055, 21111.4)
    published = {"CSWW-AGENCY-RATE": 17.8, "CSWW-VACANCY-RATE": 18.9,
                 "CSWW-TURNOVER-RATE": 15.9, "CSWW-CASELOAD": 16.0}
    assert {code: round(r[code].value, 1) for code in published} == published


def test_census_outside_the_period_is_not_used(backend, pseudonymiser):
    read = read_workforce(SAMPLE, pseudonymiser=pseudonymiser)
    r = rates(backend, read.tables, YEAR_2023_24)  # the sample's census is 30 Sep 2022
    assert r["CSWW-AGENCY-RATE"].value is None


def test_a_file_that_is_not_xml_is_unreadable(tmp_path, pseudonymiser):
    bad = tmp_path / "csww.xml"
    bad.write_text("AgencyWorker,SWENo\n1,Oz2054309383\n")
    with pytest.raises(UnreadableFile, match="not well-formed XML"):
        read_workforce(bad, pseudonymiser=pseudonymiser)
