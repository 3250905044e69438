import pytest

from carestat.demand.tests.builders import POPULATION, RATES


@pytest.fixture
def world(cast, demoshire, manager_access):
    return {"access": manager_access}


@pytest.fixture
def adults(world):
    """The hand-made population and rates of builders.py loaded for Demoshire."""
    from carestat.demand import services

    services.load_population(world["access"], POPULATION, filename="snpp.csv", name="Test projection")
    services.load_rates(world["access"], RATES, filename="rates.csv")
    return world


@pytest.fixture(scope="module")
def lac_files(tmp_path_factory):
    from carestat.analytics.demo import write_children_demo

    out = tmp_path_factory.mktemp("children")
    return write_children_demo(out, seed=7, years=(2023, 2024), cin_children=300, lac_children=120)["ssda903"]


@pytest.fixture
def loaded(world, lac_files, settings, tmp_path):
    """Two years of generated SSDA903 returns ingested for Demoshire."""
    from carestat.casedata import services as casedata

    settings.CARESTAT_JOBS_INLINE = True
    for year in (2023, 2024):
        casedata.ingest(world["access"], [p for p in lac_files if str(year) in p.name], year=year, compute=False)
    return world
