"""Commissioning's rows in the role-by-address access matrix (tests/test_access_matrix.py).

Everyone in the organisation reads the market map, providers, contracts and payments; managers
and admins import files, add and merge providers, match suppliers and set the column names."""

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.commissioning import services
from carestat.commissioning.models import DEFAULT_CONTRACT_COLUMNS, DEFAULT_PAYMENT_COLUMNS, Contract, Provider
from carestat.commissioning.tests.builders import market
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
MANAGERS = {"admin", "manager"}
ORG = "/o/demoshire/commissioning"
A = "/api/v1/organisations/demoshire/commissioning"


def build(w):
    access = access_for(w["cast"]["manager"], w["org"])
    market(access)
    w["com_provider"] = Provider.objects.get(organisation=w["org"], name="Hope Advocacy")
    w["com_dup"] = services.add_provider(access, name="Advocacy Duplicate", sector="charity")
    w["com_contract"] = Contract.objects.get(organisation=w["org"], reference="DC-001")


def _settings(w):
    return {**{f"contract_{k}": v for k, v in DEFAULT_CONTRACT_COLUMNS.items()},
            **{f"payment_{k}": v for k, v in DEFAULT_PAYMENT_COLUMNS.items()}}


def _spend():
    return SimpleUploadedFile("more.csv", b"Supplier,Payment date,Amount\nHope Advocacy,2026-09-01,25\n", "text/csv")


PAGES = [
    ("commissioning:market", "get", lambda w: f"{ORG}/", ALL, None),
    ("commissioning:providers", "get", lambda w: f"{ORG}/providers/", ALL, None),
    ("commissioning:providers", "post", lambda w: f"{ORG}/providers/", MANAGERS,
     lambda w: {"name": "Island Befriending", "sector": "charity", "size_band": ""}),
    ("commissioning:provider", "get", lambda w: f"{ORG}/providers/{w['com_provider'].pk}/", ALL, None),
    ("commissioning:provider", "post", lambda w: f"{ORG}/providers/{w['com_provider'].pk}/", MANAGERS,
     lambda w: {"drop": str(w["com_dup"].pk), "reason": "The same charity entered twice"}),
    ("commissioning:contracts", "get", lambda w: f"{ORG}/contracts/", ALL, None),
    ("commissioning:contract", "get", lambda w: f"{ORG}/contracts/{w['com_contract'].pk}/", ALL, None),
    ("commissioning:payments", "get", lambda w: f"{ORG}/payments/", ALL, None),
    ("commissioning:payments", "post", lambda w: f"{ORG}/payments/", MANAGERS,
     lambda w: {"supplier_key": "unknown", "provider": str(w["com_provider"].pk)}),
    ("commissioning:import", "get", lambda w: f"{ORG}/import/", MANAGERS, None),
    ("commissioning:import", "post", lambda w: f"{ORG}/import/", MANAGERS,
     lambda w: {"kind": "payments", "file": _spend()}),
    ("commissioning:settings", "get", lambda w: f"{ORG}/settings/", MANAGERS, None),
    ("commissioning:settings", "post", lambda w: f"{ORG}/settings/", MANAGERS, _settings),
]

API = [
    ("get", f"{A}/market", ALL, None),
    ("get", f"{A}/providers", ALL, None),
    ("post", f"{A}/providers", MANAGERS, {"name": "Island Befriending", "sector": "charity"}),
    ("get", A + "/providers/{com_provider.pk}", ALL, None),
    ("post", A + "/providers/{com_provider.pk}/merge/{com_dup.pk}", MANAGERS,
     {"reason": "The same charity entered twice"}),
    ("get", f"{A}/contracts", ALL, None),
    ("get", A + "/contracts/{com_contract.pk}", ALL, None),
    ("get", f"{A}/unmatched", ALL, None),
    ("post", A + "/providers/{com_provider.pk}/suppliers", MANAGERS, {"supplier_key": "unknown co"}),
]


def plant(org, admin, mark):
    """A marked provider, contract and unmatched supplier, for the matrix's check that no list of
    one council's names another's records."""
    a = access_for(admin, org)
    p = services.add_provider(a, name=f"{mark} provider", sector="charity")
    columns = "Reference,Title,Supplier,Service type,Start date,End date,Annual value,Total value\n"
    services.import_contracts(a, (columns + f"{mark[:3]}-C1,{mark} contract,{mark} provider,advocacy,2026-04-01,"
                                  "2027-06-30,1000,1250\n").encode(), filename=f"{mark}.csv")
    services.import_payments(a, f"Supplier,Payment date,Amount\n{mark} supplier,2026-05-01,10\n".encode(),
                             filename=f"{mark}-spend.csv")
    del p
