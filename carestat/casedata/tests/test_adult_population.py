"""Demoshire's adult population estimates load through ingest beside the children's, and with
the client level data they give ASCOF-2B and 2C, recorded with the submissions they came from.

The files are the demo's own (same seed, start and children's year), so the period labels
checked here are the ones the demo loads.
"""

import csv
import datetime as dt

import pytest

from carestat.analytics.demo.adults import write_adults_demo
from carestat.analytics.demo.children import write_population as write_children_population
from carestat.casedata import services
from carestat.casedata.demo import ADULTS_START, CHILDREN_YEARS
from carestat.casedata.models import SubmissionStatus
from carestat.measures.models import MeasureValue

BANDS_18_64 = ("18-24", "25-34", "35-44", "45-54", "55-64")


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture(scope="module")
def adults(tmp_path_factory):
    return write_adults_demo(tmp_path_factory.mktemp("adults"), seed=2024, start=ADULTS_START, years=3)


def test_the_adult_population_loads_beside_the_childrens_without_superseding_it(manager_access, adults, tmp_path):
    children_file = write_children_population(tmp_path, max(CHILDREN_YEARS))
    children = services.ingest(manager_access, [children_file], compute=False)  # detected, as the demo does
    adult = services.ingest(manager_access, [adults["population"]], format="population", compute=False)
    children.refresh_from_db()
    assert children.status == adult.status == SubmissionStatus.CURRENT
    assert children.period_label != adult.period_label
    with services.open_store(manager_access.organisation) as store:
        current = store.current_tables()["population"].to_pyarrow().to_pylist()
    bands = {r["age_band"] for r in current if r["year"] == max(CHILDREN_YEARS)}
    assert {"under 1", "10-15", "18-24", "85+"} <= bands


def test_ascof_2b_and_2c_are_recorded_from_client_level_data_and_population_with_provenance(manager_access, adults):
    year = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
    cld_file = next(f["path"] for f in adults["cld"] if f["period"] == year)
    cld = services.ingest(manager_access, [cld_file], format="cld", compute=False)
    population = services.ingest(manager_access, [adults["population"]], format="population")
    assert cld.status == population.status == SubmissionStatus.CURRENT

    values = {v.measure.code: v for v in MeasureValue.objects.filter(
        measure__organisation=manager_access.organisation, measure__code__in=["ASCOF-2B", "ASCOF-2C"],
        period="2024-25")}
    assert set(values) == {"ASCOF-2B", "ASCOF-2C"}
    for v in values.values():
        assert v.source == "computed" and v.method_version
        assert {f"S{cld.pk}", f"S{population.pk}"} <= set(v.submissions)
        assert float(v.value) == pytest.approx(float(v.numerator) / float(v.denominator) * 100000, abs=1e-4)
    with adults["population"].open(newline="") as fh:
        aged_18_64 = sum(int(r["population"]) for r in csv.DictReader(fh)
                         if r["year"] == "2024" and r["age_band"] in BANDS_18_64)
    assert values["ASCOF-2B"].denominator == aged_18_64
    assert 9 < values["ASCOF-2B"].value < 20 and 480 < values["ASCOF-2C"].value < 680


def test_client_level_data_feeds_only_the_financial_years_it_covers_from_april_to_march(manager_access, adults):
    """Each quarterly file is a rolling twelve months. The data run from 1 October 2023 to
    30 September 2026: 2023-24 and 2026-27 are half years, and an annual rate for either
    would read as admissions halving, so only 2024-25 and 2025-26 are computed."""
    by_end = sorted(adults["cld"], key=lambda f: f["period"][1])
    assert by_end[0]["period"][0] == dt.date(2023, 10, 1) and by_end[-1]["period"][1] == dt.date(2026, 9, 30)
    services.ingest(manager_access, [by_end[0]["path"]], format="cld", compute=False)
    assert "cld" not in services.periods_by_format(manager_access.organisation)  # no whole year yet
    for item in by_end[1:]:
        services.ingest(manager_access, [item["path"]], format="cld", compute=False)
    assert services.periods_by_format(manager_access.organisation)["cld"] == ["2024-25", "2025-26"]
