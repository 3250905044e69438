"""Measures' rows in the role-by-address access matrix (tests/test_access_matrix.py)."""

from carestat.measures import services
from carestat.measures.catalogue import load_catalogue
from carestat.measures.tests.helpers import make_objective
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
CONTRIBUTORS = {"admin", "manager", "contributor"}
MANAGERS = {"admin", "manager"}
M = "/o/demoshire/measures"


def build(w):
    cast, org = w["cast"], w["org"]
    load_catalogue()
    manager = access_for(cast["manager"], org)
    measure = services.adopt_measure(manager, "WF-PERMANENT-SHARE", frequency="quarterly", tolerance=2)
    services.set_target(manager, measure, period="2025-26", value=70)
    services.enter_value(manager, measure, period="2025-26-Q1", value="81")
    w["measure"] = measure
    w["objective"] = make_objective(org)
    w["link"] = services.link_objective(manager, measure, make_objective(org, "Stabilise the workforce"))
    w["submitted"] = services.enter_value(access_for(cast["contributor"], org), measure, period="2025-26-Q2",
                                          value="82")
    w["recomputed"] = _pending_revision(measure, "2025-26-Q1", "79")


def _pending_revision(measure, period, value):
    """A recomputed figure awaiting approval, as a load that changed an approved value leaves."""
    import datetime as dt
    from decimal import Decimal

    from carestat.measures.models import PendingRevision

    current = measure.values.get(period=period)
    return PendingRevision.objects.create(
        current=current, value=Decimal(value), submissions=["S1"], method_version="test-1",
        computed_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC), replaces_value=current.value,
        replaces_version=current.version)


PAGES = [
    ("measures:list", "get", lambda w: f"{M}/", ALL, None),
    ("measures:export_csv", "get", lambda w: f"{M}/export.csv", ALL, None),
    ("measures:export_xlsx", "get", lambda w: f"{M}/export.xlsx?public=true", ALL, None),
    ("measures:detail", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/", ALL, None),
    ("measures:add", "get", lambda w: f"{M}/add/", MANAGERS, None),
    ("measures:add", "post", lambda w: f"{M}/add/", MANAGERS,
     lambda w: {"code": "CIN-REREF-12M", "frequency": "annual", "tolerance": "1", "tolerance_kind": "absolute"}),
    ("measures:add_local", "get", lambda w: f"{M}/add-local/", MANAGERS, None),
    ("measures:add_local", "post", lambda w: f"{M}/add-local/", MANAGERS,
     lambda w: {"code": "OT-28DAYS", "title": "OT assessments within 28 days", "domain": "adults",
                "unit": "percent", "polarity": "higher_is_better", "frequency": "monthly",
                "tolerance_kind": "absolute"}),
    ("measures:import", "get", lambda w: f"{M}/import/", MANAGERS, None),
    ("measures:value_new", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/values/new/", CONTRIBUTORS, None),
    ("measures:value_new", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/values/new/", CONTRIBUTORS,
     lambda w: {"period": "2025-26-Q3", "value": "83"}),
    ("measures:value_approve", "post",
     lambda w: f"{M}/WF-PERMANENT-SHARE/values/{w['submitted'].pk}/approve/", MANAGERS, dict),
    ("measures:target_new", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/targets/new/", MANAGERS, None),
    ("measures:target_new", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/targets/new/", MANAGERS,
     lambda w: {"period": "2026-27", "value": "75"}),
    ("measures:benchmark_new", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/benchmarks/new/", MANAGERS, None),
    ("measures:benchmark_new", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/benchmarks/new/", MANAGERS,
     lambda w: {"kind": "regional", "name": "South East", "value": "76", "source": "Regional survey",
                "year": "2024-25"}),
    ("measures:process_change_new", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/process-changes/new/", MANAGERS,
     None),
    ("measures:process_change_new", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/process-changes/new/", MANAGERS,
     lambda w: {"starts_on-day": "1", "starts_on-month": "7", "starts_on-year": "2025",
                "reason": "New recruitment campaign"}),
    ("measures:settings", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/settings/", MANAGERS, None),
    ("measures:settings", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/settings/", MANAGERS,
     lambda w: {"tolerance": "3", "tolerance_kind": "absolute", "is_public": "on"}),
    ("measures:objective_link", "get", lambda w: f"{M}/WF-PERMANENT-SHARE/objectives/new/", MANAGERS, None),
    ("measures:objective_link", "post", lambda w: f"{M}/WF-PERMANENT-SHARE/objectives/new/", MANAGERS,
     lambda w: {"objective": str(w["objective"].pk)}),
    ("measures:objective_unlink", "post",
     lambda w: f"{M}/WF-PERMANENT-SHARE/objectives/{w['link'].pk}/remove/", MANAGERS, dict),
    ("measures:recomputed", "get", lambda w: f"{M}/recomputed/", ALL, None),
    ("measures:recomputed", "post", lambda w: f"{M}/recomputed/", {"admin"}, dict),
    ("measures:recomputed_approve", "post", lambda w: f"{M}/recomputed/{w['recomputed'].pk}/approve/", MANAGERS,
     dict),
    ("measures:recomputed_reject", "get", lambda w: f"{M}/recomputed/{w['recomputed'].pk}/reject/", MANAGERS, None),
    ("measures:recomputed_reject", "post", lambda w: f"{M}/recomputed/{w['recomputed'].pk}/reject/", MANAGERS,
     lambda w: {"reason": "The wrong extract was loaded"}),
]

_A = "/api/v1/organisations/demoshire/measures"
API = [
    ("get", _A, ALL, None),
    ("get", f"{_A}/WF-PERMANENT-SHARE", ALL, None),
    ("get", f"{_A}/WF-PERMANENT-SHARE/values", ALL, None),
    ("post", f"{_A}/WF-PERMANENT-SHARE/values", CONTRIBUTORS, {"period": "2025-26-Q3", "value": 83}),
    ("post", f"{_A}/WF-PERMANENT-SHARE/values/{{submitted.pk}}/approve", MANAGERS, {}),
    ("get", f"{_A}/WF-PERMANENT-SHARE/targets", ALL, None),
    ("post", f"{_A}/WF-PERMANENT-SHARE/targets", MANAGERS, {"period": "2026-27", "value": 75}),
    ("get", f"{_A}/WF-PERMANENT-SHARE/benchmarks", ALL, None),
    ("post", f"{_A}/WF-PERMANENT-SHARE/benchmarks", MANAGERS,
     {"kind": "regional", "name": "South East", "value": 74.5, "source": "Skills for Care 2025", "year": "2024-25"}),
    ("get", f"{_A}/WF-PERMANENT-SHARE/process-changes", ALL, None),
    ("post", f"{_A}/WF-PERMANENT-SHARE/process-changes", MANAGERS,
     {"starts_on": "2025-04-01", "reason": "New recruitment and retention offer"}),
    ("get", "/api/v1/organisations/demoshire/recomputed-figures", ALL, None),
    ("post", "/api/v1/organisations/demoshire/recomputed-figures/{recomputed.pk}/approve", MANAGERS, None),
    ("post", "/api/v1/organisations/demoshire/recomputed-figures/{recomputed.pk}/reject", MANAGERS,
     {"reason": "The wrong extract was loaded"}),
]
