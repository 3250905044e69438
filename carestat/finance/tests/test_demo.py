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

    quiet = lambda msg: None  # noqa: E731
    org = core_demo.load(None, quiet)
    finance_demo.load_ledger(org, quiet)
    plans_demo.load(org, quiet)
    return finance_demo.load(org, quiet)


def test_the_demo_loads_through_the_ledger_import_and_its_outturn_matches_hand_arithmetic(demo, client):
    assert LedgerImport.objects.filter(organisation=demo).count() == 9  # one workbook and eight monthly CSVs
    y1 = year_position(demo, "2025-26")
    # budgets 5.8+3.3+2.7+1.0+8.2+2.3+1.5 = 24.8m; outturn 25.53m: 730k over, 2.9435% -> 2.9%, amber
    assert (y1.budget, y1.forecast, y1.variance.percent, y1.variance.rag.value) == (
        D("24800000"), D("25530000"), D("2.9"), "amber")
    assert y1.actual == D("25530000")  # the twelve months' actuals add up to the outturn
    y2 = year_position(demo, "2026-27")
    by_code = {p.line.cost_code: p for p in y2.flat()}
    # residential: 7.01m against 6.2m = 810k, 13.06% -> 13.1%, red
    assert (by_code["CS110"].variance.amount, by_code["CS110"].variance.percent) == (D("810000"), D("13.1"))
    assert by_code["CS110"].forecast_as_at == "2026-11"
    # placements: 14.51m against 13.6m = 910k, 6.69% -> 6.7%; whole service 27.05m against 26.1m = 950k, 3.6%
    assert (by_code["CS100"].variance.amount, by_code["CS100"].variance.percent) == (D("910000"), D("6.7"))
    assert (y2.variance.amount, y2.variance.percent, y2.variance.rag.value) == (D("950000"), D("3.6"), "red")
    assert by_code["CS130"].variance.rag.value == "green"  # in-house fostering underspends
    mtp = MediumTermPlan.objects.get(organisation=demo)
    assert mtp.year_labels == ["2025-26", "2026-27", "2027-28"] and mtp.plan.kind == "service_financial"
    # savings 2026-27: 1.0+0.6+0.5+0.3 = 2.4m target, 420+310+90 = 820k delivered, 34.17% -> 34.2%
    s = next(y for y in savings_by_year(demo) if y.year == "2026-27")
    assert (s.target, s.delivered, s.position.percent) == (D("2400000"), D("820000"), D("34.2"))
    assert all(sp.action and sp.action.objective.priority.plan == mtp.plan
               for sp in SavingsProposal.objects.filter(organisation=demo))
    assert AuditEntry.objects.filter(action="finance.ledger.imported").count() == 9


def test_the_demo_money_pages_render_for_a_councillor(demo, client):
    from carestat.core.models import User

    client.force_login(User.objects.get(username="jane.ellis@demoshire.example"))
    html = client.get("/o/demoshire/finance/?year=2026-27").content.decode()
    assert "£950,000.00 overspend (3.6%)" in html and "External residential placements" in html
    assert "Step children down" in client.get("/o/demoshire/finance/savings/").content.decode()
