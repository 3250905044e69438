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
    w["fin_teams"] = made["teams"]
    w["fin_mtp"] = services.create_medium_term_plan(access, title="Children's MTFP", first_year="2026-27", years=3)
    w["fin_scenario"] = services.save_scenario(access, name="Fewer residential placements", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"}])


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
    ("finance:line_edit", "get", lambda w: f"{ORG}/lines/{w['fin_teams'].pk}/edit/", MANAGERS, None),
    ("finance:line_edit", "post", lambda w: f"{ORG}/lines/{w['fin_teams'].pk}/edit/", MANAGERS,
     lambda w: {"name": "Social work teams and practice", "cost_code": "CS200", "parent": "", "unit": ""}),
    ("finance:mtp_edit", "get", lambda w: f"{ORG}/plans/{w['fin_mtp'].pk}/edit/", MANAGERS, None),
    ("finance:mtp_edit", "post", lambda w: f"{ORG}/plans/{w['fin_mtp'].pk}/edit/", MANAGERS,
     lambda w: {"title": "Children's MTFP 2026 to 2030", "first_year": "2026-27", "years": "4", "plan": ""}),
    ("finance:scenario_edit", "get", lambda w: f"{ORG}/model/scenarios/{w['fin_scenario'].pk}/", MANAGERS, None),
    ("finance:scenario_edit", "post", lambda w: f"{ORG}/model/scenarios/{w['fin_scenario'].pk}/", MANAGERS,
     lambda w: {"name": "Three fewer residential placements", "c0_cost_code": "CS110", "c0_kind": "volume",
                "c0_amount": "-3", "c0_start": "2026-27-Q3"}),
    ("finance:scenario_archive", "get", lambda w: f"{ORG}/model/scenarios/{w['fin_scenario'].pk}/archive/", MANAGERS,
     None),
    ("finance:scenario_archive", "post", lambda w: f"{ORG}/model/scenarios/{w['fin_scenario'].pk}/archive/",
     MANAGERS, lambda w: {"reason": "Superseded by the step-down programme"}),
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
    ("finance:saving", "post", lambda w: f"{ORG}/savings/{w['saving'].pk}/", MANAGERS,
     lambda w: {"op": "links", "l-owner": "", "l-line": str(w["fin_line"].pk), "l-action": "", "l-risk": ""}),
]

API = [
    ("get", f"{A}/summary?year=2026-27", ALL, None),
    ("get", f"{A}/lines", ALL, None),
    ("post", f"{A}/lines", MANAGERS, {"name": "Legal costs", "cost_code": "CS500"}),
    ("get", A + "/lines/{fin_line.pk}?year=2026-27", ALL, None),
    ("post", A + "/lines/{fin_line.pk}/budgets", MANAGERS, {"year": "2026-27", "amount": "4100000"}),
    ("put", A + "/lines/{fin_teams.pk}", MANAGERS, {"name": "Social work teams and practice", "cost_code": "CS200"}),
    ("get", f"{A}/medium-term-plans", ALL, None),
    ("put", A + "/medium-term-plans/{fin_mtp.pk}", MANAGERS,
     {"title": "Children's MTFP 2026 to 2030", "first_year": "2026-27", "years": 4}),
    ("put", A + "/model/scenarios/{fin_scenario.pk}", MANAGERS, {"name": "Three fewer residential", "changes": [
        {"cost_code": "CS110", "kind": "volume", "amount": "-3", "start": "2026-27-Q3"}]}),
    ("post", A + "/model/scenarios/{fin_scenario.pk}/archive", MANAGERS,
     {"reason": "Superseded by the step-down programme"}),
    ("put", f"{A}/report-scenario", MANAGERS, {"scenario_id": None}),
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
    ("put", A + "/savings/{saving.pk}/links", MANAGERS, {"line_id": None, "risk_id": None}),
]


def plant(org, admin, mark):
    """A marked service line and saving, for the matrix's check that no list of one council's
    names another's records."""
    a = access_for(admin, org)
    line = services.add_line(a, name=f"{mark} service line", cost_code=f"{mark[:3]}-CC")
    services.add_saving(a, reference=f"{mark[:3]}-S1", title=f"{mark} saving", targets={"2026-27": "1000"},
                        line=line)
    services.create_medium_term_plan(a, title=f"{mark} medium-term plan", first_year="2026-27", years=3)
    services.set_driver(a, line, activity="adults_community", base_year="2026-27", unit_cost="15600")
    services.save_scenario(a, name=f"{mark} scenario", changes=[
        {"cost_code": line.cost_code, "kind": "volume", "amount": "-1", "start": "2026-27-Q3"}])
