"""The jurisdictions app's rows in the access matrix: everyone in the organisation reads the
names of its bodies and its framework's measures; only admins rename the bodies."""

from carestat.jurisdictions import services
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
ADMINS = {"admin"}
ORG = "/o/demoshire"
A = "/api/v1/organisations/demoshire"


def build(w):
    pass


PAGES = [
    ("jurisdictions:bodies", "get", lambda w: f"{ORG}/bodies/", ALL, None),
    ("jurisdictions:bodies", "post", lambda w: f"{ORG}/bodies/", ADMINS,
     lambda w: {"council": "County Council", "executive": "", "executive_member": "", "scrutiny": "",
                "external_auditor": "", "public_accounts": ""}),
    ("jurisdictions:framework", "get", lambda w: f"{ORG}/framework/", ALL, None),
]

API = [
    ("get", f"{A}/bodies", ALL, None),
    ("put", f"{A}/bodies", ADMINS, {"council": "County Council"}),
    ("get", f"{A}/measure-catalogue", ALL, None),
]


def plant(org, admin, mark):
    """A marked name for the council, which the other organisation's pages must never show."""
    services.set_body_names(access_for(admin, org), council=f"{mark} assembly")
