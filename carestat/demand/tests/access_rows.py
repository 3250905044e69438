"""Future need's rows in the role-by-address access matrix (tests/test_access_matrix.py).

Everyone in the organisation reads projections, scenarios and the assumptions; managers and
admins load files, change rates and needs, save scenarios and make projections."""

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.demand import services
from carestat.demand.models import PrevalenceRate
from carestat.demand.tests.builders import POPULATION, RATES
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
MANAGERS = {"admin", "manager"}
ORG = "/o/demoshire/demand"
A = "/api/v1/organisations/demoshire/demand"


def build(w):
    access = access_for(w["cast"]["manager"], w["org"])
    services.load_population(access, POPULATION, filename="snpp.csv", name="Test projection")
    services.load_rates(access, RATES, filename="rates.csv")
    w["demand_rate"] = PrevalenceRate.objects.filter(organisation=w["org"]).order_by("pk").first()
    w["demand_projection"] = services.project_adults(access)
    w["demand_scenario"] = services.save_scenario(access, name="Fewer entries",
                                                  changes=[{"kind": "entry_rate", "percent": -10}])


PAGES = [
    ("demand:overview", "get", lambda w: f"{ORG}/", ALL, None),
    ("demand:run", "get", lambda w: f"{ORG}/run/", MANAGERS, None),
    ("demand:run", "post", lambda w: f"{ORG}/run/", MANAGERS, lambda w: {"op": "adults"}),
    ("demand:projection", "get", lambda w: f"{ORG}/projections/{w['demand_projection'].pk}/", ALL, None),
    ("demand:scenarios", "get", lambda w: f"{ORG}/scenarios/", ALL, None),
    ("demand:scenarios", "post", lambda w: f"{ORG}/scenarios/", MANAGERS,
     lambda w: {"s-name": "Step down", "s-kind": "step_down", "s-percent": "10", "s-from_placement": "residential",
                "s-to_placement": "fostering_in_house", "s-band": ""}),
    ("demand:assumptions", "get", lambda w: f"{ORG}/assumptions/", ALL, None),
    ("demand:assumptions", "post", lambda w: f"{ORG}/assumptions/", MANAGERS,
     lambda w: {"n-code": "self_care", "n-name": "Self-care", "n-support_reason": "Physical Support",
                "n-unit_cost": "24000", "n-base_year": "2026-27", "n-inflation_percent": "3"}),
    ("demand:rate", "get", lambda w: f"{ORG}/rates/{w['demand_rate'].pk}/", MANAGERS, None),
    ("demand:rate", "post", lambda w: f"{ORG}/rates/{w['demand_rate'].pk}/", MANAGERS,
     lambda w: {"rate": "0.11", "source": "POPPI", "source_year": "2020"}),
    ("demand:upload", "get", lambda w: f"{ORG}/upload/", MANAGERS, None),
    ("demand:upload", "post", lambda w: f"{ORG}/upload/", MANAGERS,
     lambda w: {"op": "rates", "r-file": SimpleUploadedFile("rates.csv", RATES, "text/csv")}),
]

API = [
    ("get", f"{A}/projections", ALL, None),
    ("get", A + "/projections/{demand_projection.pk}", ALL, None),
    ("post", f"{A}/projections", MANAGERS, {"kind": "adults"}),
    ("get", f"{A}/scenarios", ALL, None),
    ("post", f"{A}/scenarios", MANAGERS, {"name": "Step down", "changes": [
        {"kind": "step_down", "percent": 10, "from": "residential", "to": "fostering_in_house"}]}),
    ("get", f"{A}/compare", ALL, None),
    ("get", f"{A}/rates", ALL, None),
    ("post", A + "/rates/{demand_rate.pk}", MANAGERS, {"rate": "0.11", "source": "POPPI", "source_year": 2020}),
]


def plant(org, admin, mark):
    """A marked population file, need, scenario and projection, for the matrix's check that no
    list of one council's names another's records."""
    a = access_for(admin, org)
    services.load_population(a, POPULATION + f"\n{mark},x,y,males,75-79,1,1\n".encode(), filename=f"{mark}.csv",
                             name=f"{mark} projection")
    services.load_rates(a, RATES.replace(b"self_care", mark.lower().encode()), filename=f"{mark}.csv")
    services.set_need(a, code=mark.lower(), name=f"{mark} need")
    services.save_scenario(a, name=f"{mark} scenario", changes=[{"kind": "entry_rate", "percent": 5}])
    services.project_adults(a, title=f"{mark} projection made")
