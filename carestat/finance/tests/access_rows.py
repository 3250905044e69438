"""Finance's rows in the role-by-address access matrix (tests/test_access_matrix.py).

Everyone in the organisation reads the money pages; managers and admins change budgets, import
ledgers, comment, set the tolerances and keep the savings programme."""

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.finance import ledger, services
from carestat.finance.tests.builders import EXTRACT, ledger_csv, lines
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
MANAGERS = {"admin", "manager"}
ORG = "/o/demoshire/finance"
A = "/api/v1/organisations/demoshire/finance"


def build(w):
    access = access_for(w["cast"]["manager"], w["org"])
    made = lines(access)
    ledger.import_ledger(access, ledger_csv(EXTRACT), filename="august.csv")
    w["fin_line"] = made["residential"]
    services.set_driver(access, made["residential"], activity="residential", base_year="2026-27",
                        unit_cost="260000")
    w["saving"] = services.add_saving(access, reference="CS-01", title="Step down residential placements",
                                      targets={"2026-27": "500000"}, line=made["residential"])


def _settings(w):
    return {"amber_from_percent": "1", "red_from_percent": "3", "cost_code_column": "Cost Centre",
            "period_column": "Period", "budget_column": "Budget", "actual_column": "Actual",
            "forecast_column": "Forecast"}


PAGES = [
    ("finance:summary", "get", lambda w: f"{ORG}/", ALL, None),
    ("finance:lines", "get", lambda w: f"{ORG}/lines/", ALL, None),
    ("finance:lines", "post", lambda w: f"{ORG}/lines/", MANAGERS,
     lambda w: {"name": "Legal costs", "cost_code": "CS500", "parent": "", "unit": ""}),
    ("finance:line", "get", lambda w: f"{ORG}/lines/{w['fin_line'].pk}/?year=2026-27", ALL, None),
    ("finance:line", "post", lambda w: f"{ORG}/lines/{w['fin_line'].pk}/?year=2026-27", MANAGERS,
     lambda w: {"op": "comment", "c-period": "2026-08", "c-text": "Two more residential placements"}),
    ("finance:mtp_new", "get", lambda w: f"{ORG}/plans/new/", MANAGERS, None),
    ("finance:mtp_new", "post", lambda w: f"{ORG}/plans/new/", MANAGERS,
     lambda w: {"title": "Medium-term financial plan", "first_year": "2026-27", "years": "3", "plan": ""}),
    ("finance:settings", "get", lambda w: f"{ORG}/settings/", MANAGERS, None),
    ("finance:settings", "post", lambda w: f"{ORG}/settings/", MANAGERS, _settings),
    ("finance:import", "get", lambda w: f"{ORG}/import/", MANAGERS, None),
    ("finance:import", "post", lambda w: f"{ORG}/import/", MANAGERS,
     lambda w: {"file": SimpleUploadedFile("september.csv", ledger_csv([("CS110", "2026-09", "4000000", "1",
                                                                         "4300000")]), "text/csv")}),
    ("finance:export", "get", lambda w: f"{ORG}/2026-27/export.xlsx", ALL, None),
    ("finance:model", "get", lambda w: f"{ORG}/model/", ALL, None),
    ("finance:model", "post", lambda w: f"{ORG}/model/", MANAGERS,
     lambda w: {"op": "driver", "m-line": str(w["fin_line"].pk), "m-activity": "residential", "m-base_year": "2026-27",
                "m-unit_cost": "260000", "m-inflation_percent": "4", "m-budget_volume": "15"}),
    ("finance:savings", "get", lambda w: f"{ORG}/savings/", ALL, None),
    ("finance:savings", "post", lambda w: f"{ORG}/savings/", MANAGERS,
     lambda w: {"reference": "CS-02", "title": "Fostering allowances review", "deliverability": "green",
                "status": "proposed", "target_2026-27": "100000"}),
    ("finance:saving", "get", lambda w: f"{ORG}/savings/{w['saving'].pk}/", ALL, None),
    ("finance:saving", "post", lambda w: f"{ORG}/savings/{w['saving'].pk}/", MANAGERS,
     lambda w: {"op": "delivery", "d-year": "2026-27", "d-delivered": "100000"}),
]

API = [
    ("get", f"{A}/summary?year=2026-27", ALL, None),
    ("get", f"{A}/lines", ALL, None),
    ("post", f"{A}/lines", MANAGERS, {"name": "Legal costs", "cost_code": "CS500"}),
    ("get", A + "/lines/{fin_line.pk}?year=2026-27", ALL, None),
    ("post", A + "/lines/{fin_line.pk}/budgets", MANAGERS, {"year": "2026-27", "amount": "4100000"}),
    ("post", A + "/lines/{fin_line.pk}/commentary", MANAGERS,
     {"period": "2026-08", "text": "Two more residential placements"}),
    ("get", f"{A}/model?year=2026-27", ALL, None),
    ("post", A + "/lines/{fin_line.pk}/driver", MANAGERS,
     {"activity": "residential", "base_year": "2026-27", "unit_cost": "270000", "budget_volume": "15"}),
    ("post", f"{A}/model/scenarios", MANAGERS, {"name": "Fewer residential", "changes": [
        {"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"}]}),
    ("get", f"{A}/savings", ALL, None),
    ("get", f"{A}/savings/by-year", ALL, None),
    ("post", f"{A}/savings", MANAGERS, {"reference": "CS-02", "title": "Fostering allowances review",
                                        "targets": [{"year": "2026-27", "target": "100000"}]}),
    ("get", A + "/savings/{saving.pk}", ALL, None),
    ("post", A + "/savings/{saving.pk}/status", MANAGERS, {"status": "delivering", "deliverability": "green",
                                                                      "reason": "Cabinet approved the plan"}),
    ("post", A + "/savings/{saving.pk}/delivered", MANAGERS, {"year": "2026-27", "delivered": "100000"}),
]
