"""A finance business partner names the ledger's columns, imports an extract, reads the summary,
drills into a line, comments on its variance and adds a saving, in Chromium, with axe on every page."""

import pytest

from carestat.finance.models import PeriodFigure, SavingsProposal, VarianceComment
from carestat.finance.tests.builders import EXTRACT, lines
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser


def _extract(tmp_path, header="Cost Centre,Period,Budget,Actual,Outturn"):
    path = tmp_path / "GL_2026-27_P05.csv"
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in EXTRACT))
    return path


def test_a_ledger_extract_is_imported_summarised_drilled_into_and_commented_on(browser_page, cast, demoshire,
                                                                                tmp_path):
    made = lines(access_for(cast["manager"], demoshire))
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto("/o/demoshire/finance/settings/")
    page.assert_accessible()
    page.page.fill("#id_cost_code_column", "Cost Centre")
    page.page.fill("#id_forecast_column", "Outturn")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save settings')")
    assert "Cost Centre" in page.page.content()

    page.page.set_input_files("#id_file", str(_extract(tmp_path)))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Import')")
    assert "Loaded 6 rows from GL_2026-27_P05.csv" in page.page.content()
    page.assert_accessible()
    assert PeriodFigure.objects.count() == 6

    page.goto("/o/demoshire/finance/?year=2026-27")
    page.assert_accessible()
    assert "£350,000.00 overspend (3.9%)" in page.page.content()
    with page.page.expect_navigation():
        page.page.click("a:has-text('Residential placements')")
    page.assert_accessible()
    page.page.select_option("#id_c-period", "2026-08")
    page.page.fill("#id_c-text", "Two more children in external residential homes since July")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Add commentary')")
    assert "Two more children in external residential homes since July" in page.page.content()
    assert VarianceComment.objects.get().line == made["residential"]

    page.goto("/o/demoshire/finance/savings/")
    page.assert_accessible()
    page.page.fill("#id_reference", "CS-01")
    page.page.fill("#id_title", "Step children down from residential care to foster families")
    page.page.check("input[name=deliverability][value=amber]")
    page.page.fill("#id_target_2026-27", "500000")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Add saving')")
    page.assert_accessible()
    assert SavingsProposal.objects.get().targets.get().target == 500000


def test_a_bad_extract_lists_its_problems_without_javascript(no_js_page, cast, demoshire, tmp_path):
    lines(access_for(cast["manager"], demoshire))
    page = no_js_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/finance/import/")
    page.page.set_input_files("#id_file", str(_extract(tmp_path, header="Code,Period,Budget,Actual,Forecast")))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Import')")
    html = page.page.content()
    assert "nothing was imported" in html and "row 1, column 'Cost code': this column is missing" in html
    assert not PeriodFigure.objects.exists()


def test_a_line_is_modelled_and_a_scenario_saved_and_compared(browser_page, cast, demoshire):
    from carestat.finance import services
    from carestat.finance.models import Scenario

    access = access_for(cast["manager"], demoshire)
    made = lines(access)
    services.create_medium_term_plan(access, title="MTFP", first_year="2026-27", years=3)
    services.set_budget(access, made["residential"], year="2026-27", amount_="4000000")
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/finance/model/?year=2026-27")
    page.assert_accessible()
    page.page.select_option("#id_m-line", str(made["residential"].pk))
    page.page.select_option("#id_m-activity", "residential")
    page.page.fill("#id_m-base_year", "2026-27")
    page.page.fill("#id_m-unit_cost", "260000")
    page.page.fill("#id_m-inflation_percent", "5")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save cost model')")
    page.page.fill("#id_s-name", "Fewer residential placements")
    page.page.select_option("#id_s-cost_code", "CS110")
    page.page.select_option("#id_s-kind", "unit_cost")
    page.page.fill("#id_s-amount", "-10")
    page.page.fill("#id_s-start", "2027-28-Q1")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save scenario')")
    page.assert_accessible()
    assert Scenario.objects.get().changes[0]["kind"] == "unit_cost"
    assert "unit cost of CS110 10% lower from 2027-28-Q1" in page.page.content()
    assert page.page.locator("#model-chart svg").count() == 1


def test_hours_of_home_care_from_client_level_data_are_modelled_an_hour_at_a_time(browser_page, cast, demoshire,
                                                                                   tmp_path, settings):
    from carestat.analytics.tests.adults.test_homecare import write
    from carestat.casedata import services as casedata
    from carestat.finance import services

    settings.CARESTAT_JOBS_INLINE = True
    access = access_for(cast["manager"], demoshire)
    made = lines(access)
    casedata.ingest(access, [write(tmp_path / "cld_2024-25.csv")], format="cld")
    services.set_budget(access, made["teams"], year="2026-27", amount_="30000")
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/finance/model/?year=2026-27")
    page.page.select_option("#id_m-line", str(made["teams"].pk))
    page.page.select_option("#id_m-activity", "homecare_hours")
    page.page.fill("#id_m-base_year", "2026-27")
    page.page.fill("#id_m-unit_cost", "26")
    page.page.fill("#id_m-budget_volume", "22")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save cost model')")
    page.assert_accessible()
    assert "26.00 planned hours of home care a week on 31 March 2025 for 3 adults" in page.page.content()
    row = page.page.locator("#drivers tbody tr").inner_text()
    # 26 hours x 365/7 weeks x £26; 4 hours more than budgeted = 4/22 of £30,000
    assert "26.00 hours a week" in row and "£35,248.57" in row and "£5,454.55" in row


def test_a_line_plan_and_scenario_are_changed_and_a_saving_is_linked_to_a_risk(browser_page, cast, demoshire):
    from carestat.finance import services
    from carestat.finance.models import MediumTermPlan, Scenario, ServiceLine
    from carestat.risks import services as risk_services

    access = access_for(cast["manager"], demoshire)
    made = lines(access)
    mtp = services.create_medium_term_plan(access, title="MTFP", first_year="2026-27", years=3)
    services.set_driver(access, made["residential"], activity="residential", base_year="2026-27", unit_cost="260000")
    scenario = services.save_scenario(access, name="Fewer residential", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"}])
    admin = access_for(cast["admin"], demoshire)
    category = risk_services.add_category(admin, name="Financial", appetite="minimal", max_target_score=6)
    risk = risk_services.create_risk(admin, ref="CSF-02", title="Placement costs overspend", category=category)
    saving = services.add_saving(access, reference="CS-01", title="Step down residential placements",
                                 targets={"2026-27": "500000"})
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)

    page.goto("/o/demoshire/finance/lines/")
    page.assert_accessible()
    with page.page.expect_navigation():
        page.page.click(f"a[href$='/lines/{made['teams'].pk}/edit/']")
    page.assert_accessible()
    page.page.fill("#id_name", "Social work and family help teams")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save service line')")
    assert ServiceLine.objects.get(pk=made["teams"].pk).name == "Social work and family help teams"

    page.goto(f"/o/demoshire/finance/plans/{mtp.pk}/edit/")
    page.assert_accessible()
    page.page.check("input[name=years][value='4']")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save plan')")
    assert MediumTermPlan.objects.get(pk=mtp.pk).years == 4

    page.goto(f"/o/demoshire/finance/model/scenarios/{scenario.pk}/")
    page.assert_accessible()
    page.page.fill("#id_c0_amount", "-4")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save scenario')")
    assert Scenario.objects.get(pk=scenario.pk).changes[0]["amount"] == "-4.00"
    assert "4 fewer on CS110 from 2026-27-Q3" in page.page.content()
    page.assert_accessible()

    page.goto(f"/o/demoshire/finance/savings/{saving.pk}/")
    page.page.select_option("#id_l-risk", str(risk.pk))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Save links')")
    page.assert_accessible()
    assert "CSF-02 Placement costs overspend" in page.page.content()
    page.goto(f"/o/demoshire/risks/{risk.pk}/")
    page.assert_accessible()
    assert "CS-01 Step down residential placements" in page.page.content()
