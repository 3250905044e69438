"""The "Money" report section, frozen in the snapshot and the same in the public version, and
the home page tiles."""


from carestat.core.models import ReportingPeriod
from carestat.finance import ledger, services
from carestat.finance.tests.builders import EXTRACT, ledger_csv
from carestat.reports import services as reports
from carestat.reports.render import view


def _world(world, admin, manager):
    from carestat.plans.tests.builders import small_plan

    w = small_plan(world["access"].organisation, admin, manager)
    ledger.import_ledger(world["access"], ledger_csv(EXTRACT), filename="august.csv")
    services.add_saving(world["access"], reference="CS-01", title="Step down residential placements",
                        targets={"2026-27": "500000", "2027-28": "750000"}, action=w["action"],
                        line=world["residential"], status="delivering")
    saving = services.add_saving(world["access"], reference="CS-02", title="Fostering allowances review",
                                 targets={"2026-27": "300000"}, status="approved")
    services.record_delivery(world["access"], saving, year="2026-27", delivered="150000")
    return w


def test_the_money_section_is_frozen_into_the_report_with_hand_checked_figures(world, admin, manager):
    w = _world(world, admin, manager)
    q2 = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2026-27-Q2")
    report = reports.create_report(world["access"], period=q2, scope="plan", plan=w["plan"])
    [money] = [d for d in report.snapshot["domains"] if d["key"] == "money"]
    assert money["title"] == "Money"
    # as at 30 September 2026: forecasts as at 2026-08 count; 9,350k against 9,000k is 350k (3.9%) over
    assert money["paragraphs"][0].startswith("For 2026-27 the approved budget is £9,000k and the forecast outturn, "
                                             "as at 30 September 2026, is £9,350k: £350k overspend (3.9%).")
    lines = money["tables"][0]["rows"]
    assert ["CS110", "  Residential placements", 4000000.0, 4300000.0, 300000.0, 7.5, "Red", ""] in lines
    assert lines[-1] == ["", "Total", 9000000.0, 9350000.0, 350000.0, 3.9, "Red", ""]
    # savings 2026-27: 800k target, 150k delivered = 18.75% -> 18.8%; 2027-28: 750k, nothing yet
    assert money["tables"][1]["rows"] == [["2026-27", 800000.0, 150000.0, 18.8, 650000.0],
                                          ["2027-28", 750000.0, 0.0, 0.0, 750000.0]]
    # later changes do not alter the frozen section
    services.set_budget(world["access"], world["teams"], year="2026-27", amount_="9999999")
    report.refresh_from_db()
    frozen = [d for d in report.snapshot["domains"] if d["key"] == "money"][0]
    assert frozen["tables"][0]["rows"][-1][2] == 9000000.0


def test_the_public_version_of_the_money_section_shows_the_same_figures(world, admin, manager):
    w = _world(world, admin, manager)
    q2 = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2026-27-Q2")
    report = reports.create_report(world["access"], period=q2, scope="plan", plan=w["plan"])
    full = [d for d in view(report.snapshot)["domains"] if d["key"] == "money"][0]
    public = [d for d in view(report.snapshot, public=True)["domains"] if d["key"] == "money"][0]
    assert public["tables"] == full["tables"] and public["paragraphs"] == full["paragraphs"]


def test_a_report_for_a_year_without_budgets_has_no_money_section(world, admin, manager):
    from carestat.plans.tests.builders import small_plan

    w = small_plan(world["access"].organisation, admin, manager)
    q2 = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2026-27-Q2")
    report = reports.create_report(world["access"], period=q2, scope="plan", plan=w["plan"])
    assert [d["key"] for d in report.snapshot["domains"]] == []


def test_the_home_page_shows_the_outturn_and_savings_tiles(client, world, admin, manager, viewer):
    _world(world, admin, manager)
    client.force_login(viewer)
    html = client.get("/o/demoshire/").content.decode()
    assert "Forecast outturn 2026-27" in html and "£9,350k" in html and "against a budget of £9,000k" in html
    assert "Savings delivered 2026-27" in html and "£150k" in html and "of a target of £800k" in html
