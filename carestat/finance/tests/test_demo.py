"""Demoshire's money loads through the ledger import and its figures match hand arithmetic."""

from decimal import Decimal

import pytest

from carestat.core.models import AuditEntry
from carestat.finance.models import LedgerImport, MediumTermPlan, SavingsProposal
from carestat.finance.summary import savings_by_year, year_position

D = Decimal


@pytest.fixture
def demo(db, settings):
    from carestat.core import demo as core_demo
    from carestat.finance import demo as finance_demo
    from carestat.plans import demo as plans_demo
    from carestat.risks import demo as risks_demo

    quiet = lambda msg: None  # noqa: E731
    org = core_demo.load(None, quiet)
    risks_demo.load(org, quiet)
    finance_demo.load_ledger(org, quiet)
    plans_demo.load(org, quiet)
    risks_demo.link_to_plans(org, quiet)
    return finance_demo.load(org, quiet)


def test_the_demo_loads_through_the_ledger_import_and_its_outturn_matches_hand_arithmetic(demo, client):
    assert LedgerImport.objects.filter(organisation=demo).count() == 9  # one workbook and eight monthly CSVs
    y1 = year_position(demo, "2025-26")
    # budgets 12.4+3.3+2.7+1.0+8.2+2.3+1.5 = 31.4m; outturn 12.95+3.42+2.66+1.01+8.26+2.29+1.54 = 32.13m:
    # 730k over, 2.3248% -> 2.3%, amber
    assert (y1.budget, y1.forecast, y1.variance.percent, y1.variance.rag.value) == (
        D("31400000"), D("32130000"), D("2.3"), "amber")
    assert y1.actual == D("32130000")  # the twelve months' actuals add up to the outturn
    y2 = year_position(demo, "2026-27")
    by_code = {p.line.cost_code: p for p in y2.flat()}
    # residential: 14.934m against 13.0m = 1,934k, 14.877% -> 14.9%, red
    assert (by_code["CS110"].variance.amount, by_code["CS110"].variance.percent) == (D("1934000"), D("14.9"))
    assert by_code["CS110"].forecast_as_at == "2026-11"
    # placements: 14.934+3.56+2.82+1.196 = 22.51m against 13.0+3.4+2.9+1.092 = 20.392m: 2,118k, 10.386% -> 10.4%
    # children's services: 22.51+8.56+2.43+1.55 = 35.05m against 20.392+8.5+2.4+1.6 = 32.892m: 2,158k,
    # 6.561% -> 6.6%
    assert (by_code["CS100"].variance.amount, by_code["CS100"].variance.percent) == (D("2118000"), D("10.4"))
    assert (by_code["CS000"].variance.amount, by_code["CS000"].variance.percent) == (D("2158000"), D("6.6"))
    # adults' long-term support, budgeted only (so counted at budget): 46,800 x 650 = 30,420,000;
    # 58,500 x 640 = 37,440,000; home care 55,000 hours a week x 365/7 weeks x £26.50 an hour =
    # 75,998,214.29 -> 75,998,000; together 143,858,000
    assert [by_code[c].budget for c in ("AS110", "AS120", "AS130", "AS100")] == [
        D("30420000"), D("37440000"), D("75998000"), D("143858000")]
    # the council: 35.05 + 143.858 = 178.908m against 32.892 + 143.858 = 176.75m: 2,158k, 1.2209% -> 1.2%, amber
    assert (y2.variance.amount, y2.variance.percent, y2.variance.rag.value) == (D("2158000"), D("1.2"), "amber")
    assert y2.without_forecast == 3
    assert by_code["CS130"].variance.rag.value == "green"  # in-house fostering underspends
    mtp = MediumTermPlan.objects.get(organisation=demo)
    assert mtp.year_labels == ["2025-26", "2026-27", "2027-28"] and mtp.plan.kind == "service_financial"
    # savings 2026-27: 1.0+0.6+0.5+0.3 = 2.4m target, 420+310+90 = 820k delivered, 34.17% -> 34.2%
    s = next(y for y in savings_by_year(demo) if y.year == "2026-27")
    assert (s.target, s.delivered, s.position.percent) == (D("2400000"), D("820000"), D("34.2"))
    assert all(sp.action and sp.action.objective.priority.plan == mtp.plan
               for sp in SavingsProposal.objects.filter(organisation=demo))
    assert AuditEntry.objects.filter(action="finance.ledger.imported").count() == 9
    # the cost model's two saved scenarios, without case data here (the full demo loads it)
    from carestat.finance import costmodel

    model = costmodel.build(demo, year="2026-27", act=costmodel.Activity({"residential": 57, "supported": 23}))
    base, fewer, homes = model.results
    # 57 x 262,000 = 14,934,000 (the ledger's forecast) + 23 x 52,000 = 1,196,000 -> 16,130,000
    assert base.totals[0] == D("16130000")
    # 10 fewer from Q3: 10 x 0.5 x 262,000 = -1,310,000; 2027-28: 10 x 262,000 x 1.04 = -2,724,800
    assert fewer.effect == [D("-1310000"), D("-2724800")]
    # 8% cheaper from 2027-28: 57 x 272,480 x 0.08 = -1,242,508.80
    assert homes.effect == [D("0"), D("-1242508.80")]
    # residential against 13.0m for 52 children (250,000 each)
    pv = next(r for r in model.rows if r.driver.line.cost_code == "CS110").price_volume
    assert (pv.volume_variance, pv.price_variance) == (D("1250000"), D("684000"))
    # adults' lines take their activity from the client level data (the full demo's counts at 31
    # March 2026: 669 in residential care, 654 in nursing care; 57,330.75 planned hours of home
    # care a week)
    act = costmodel.Activity({"adults_residential": 669, "adults_nursing": 654, "adults_community": 6313,
                              "homecare_hours": D("57330.75")})
    rows = {r.driver.line.cost_code: r for r in costmodel.build(demo, year="2026-27", act=act).rows}
    # residential: 19 more than the 650 budgeted at 46,800 = 889,200, all volume
    assert (rows["AS110"].price_volume.volume_variance, rows["AS110"].price_volume.price_variance) == (
        D("889200"), D("0"))
    # home care: 57,330.75 hours x 365/7 x £26.50 = £79,218,811.34 in 2026-27 (x 1.03 in 2027-28:
    # £81,595,375.68). Against £75,998,000 for 55,000 hours (£26.4999... an hour budgeted):
    # volume 2,330.75 hours more = 2,330.75/55,000 of the budget = £3,220,587.97; price the rest
    # (the budget was rounded to £1,000), 79,218,811.34 - 75,998,000 - 3,220,587.97 = £223.37
    home = rows["AS130"]
    assert [c.cost for c in home.baseline] == [D("79218811.34"), D("81595375.68")]
    pv = home.price_volume
    assert (pv.volume_variance, pv.price_variance, pv.variance) == (D("3220587.97"), D("223.37"), D("3220811.34"))


def test_the_demo_links_savings_to_the_risks_that_threaten_them_and_names_a_scenario_for_the_report(demo):
    from carestat.finance.models import settings_for

    risks = {s.reference: s.risk.ref if s.risk else None for s in SavingsProposal.objects.filter(organisation=demo)}
    assert risks == {"CS-01": "CSF-02", "CS-02": "CSF-02", "CS-03": None, "CS-04": "CSF-01"}
    assert settings_for(demo).report_scenario.name == "10 fewer residential placements from 2026-27 Q3"


def test_the_demo_money_pages_render_for_a_councillor(demo, client):
    from carestat.core.models import User

    client.force_login(User.objects.get(username="jane.ellis@demoshire.example"))
    html = client.get("/o/demoshire/finance/?year=2026-27").content.decode()
    assert "£2,158,000.00 overspend (1.2%)" in html and "External residential placements" in html
    assert "Step children down" in client.get("/o/demoshire/finance/savings/").content.decode()
