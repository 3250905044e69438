import pytest

from carestat.core.models import Organisation
from conftest import _member


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture
def glanmor(db):
    return Organisation.objects.create(name="Glanmor County Borough Council", slug="glanmor", jurisdiction="wales")


@pytest.fixture
def glanmor_admin(glanmor):
    return _member(glanmor, "admin", "rhys@glanmor.example", "Rhys Pritchard")


@pytest.fixture
def glanmor_viewer(glanmor):
    return _member(glanmor, "viewer", "cllr@glanmor.example", "Cllr Eleri Jones")
