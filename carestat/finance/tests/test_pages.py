"""The money pages: summary with drill-down, line page with periods and commentary, import with
the column mapping, and the savings tracker."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.core.models import AuditEntry
from carestat.finance import ledger, services
from carestat.finance.models import Budget, PeriodFigure, SavingsProposal, VarianceComment
from carestat.finance.tests.builders import EXTRACT, ledger_csv


def _load(world):
    ledger.import_ledger(world["access"], ledger_csv(EXTRACT), filename="august.csv")


def test_the_summary_shows_each_year_and_each_line_with_variance_and_rag(client, world, viewer):
    _load(world)
    client.force_login(viewer)
    html = client.get("/o/demoshire/finance/?year=2026-27").content.decode()
    assert "£9,350,000.00" in html and "£350,000.00 overspend (3.9%)" in html
    assert f'/o/demoshire/finance/lines/{world["residential"].pk}/?year=2026-27' in html
    assert "7.5%" in html and "govuk-tag--red" in html and "govuk-tag--orange" in html
    assert "Import a ledger extract" not in html  # a viewer reads only


def test_the_line_page_shows_its_periods_children_and_commentary(client, world, manager):
    _load(world)
    client.force_login(manager)
    url = f"/o/demoshire/finance/lines/{world['placements'].pk}/?year=2026-27"
    response = client.post(url, {"op": "comment", "c-period": "2026-08",
                                 "c-text": "Two more children in external residential homes since July"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Residential placements" in html and "Fostering placements" in html
    assert "Two more children in external residential homes since July" in html
    assert "£290,000.00 overspend (4.8%)" in html
    assert VarianceComment.objects.get().period.identifier == "2026-08"


def test_a_budget_set_on_the_line_page_shows_its_error_on_the_field(client, world, manager):
    client.force_login(manager)
    url = f"/o/demoshire/finance/lines/{world['teams'].pk}/?year=2026-27"
    response = client.post(url, {"op": "budget", "b-year": "2026-27", "b-amount": "-5"})
    assert response.status_code == 200 and "The budget cannot be negative" in response.content.decode()
    client.post(url, {"op": "budget", "b-year": "2026-27", "b-amount": "3,100,000"})
    assert Budget.objects.get(line=world["teams"]).amount == Decimal("3100000")


def test_the_import_page_loads_a_file_and_lists_every_problem_of_a_bad_one(client, world, manager):
    client.force_login(manager)
    bad = SimpleUploadedFile("bad.csv", ledger_csv([("CS999", "2026-07", "1", "1", "1")]), "text/csv")
    html = client.post("/o/demoshire/finance/import/", {"file": bad}).content.decode()
    assert "nothing was imported" in html and "bad.csv row 2, column &#39;Cost code&#39;" in html
    good = SimpleUploadedFile("august.csv", ledger_csv(EXTRACT), "text/csv")
    response = client.post("/o/demoshire/finance/import/", {"file": good}, follow=True)
    assert "Loaded 6 rows from august.csv" in response.content.decode()
    assert PeriodFigure.objects.count() == 6


def test_the_column_names_are_saved_once_in_settings(client, world, manager):
    client.force_login(manager)
    data = {"amber_from_percent": "0.5", "red_from_percent": "2", "cost_code_column": "Cost Centre",
            "period_column": "Period", "budget_column": "Budget", "actual_column": "Actual",
            "forecast_column": "Outturn"}
    assert client.post("/o/demoshire/finance/settings/", data).status_code == 302
    html = client.get("/o/demoshire/finance/import/").content.decode()
    assert "Cost Centre" in html and "Outturn" in html
    assert AuditEntry.objects.filter(action="finance.settings.changed").exists()


def test_a_saving_is_added_linked_to_a_plan_action_and_its_delivery_recorded(client, world, manager, admin):
    from carestat.plans.tests.builders import small_plan

    action = small_plan(world["access"].organisation, admin, manager)["action"]
    services.create_medium_term_plan(world["access"], title="Children's MTFP", first_year="2025-26", years=3)
    client.force_login(manager)
    response = client.post("/o/demoshire/finance/savings/", {
        "reference": "CS-01", "title": "Step down residential placements to foster care", "description": "",
        "owner": str(manager.pk), "line": str(world["residential"].pk), "action": str(action.pk),
        "deliverability": "amber", "status": "approved", "target_2026-27": "500000", "target_2027-28": "750000"})
    assert response.status_code == 302, response.content.decode()[:3000]
    saving = SavingsProposal.objects.get()
    assert saving.action == action and [t.year for t in saving.targets.all()] == ["2026-27", "2027-28"]
    client.post(f"/o/demoshire/finance/savings/{saving.pk}/", {"op": "delivery", "d-year": "2026-27",
                                                              "d-delivered": "200000"})
    html = client.get("/o/demoshire/finance/savings/").content.decode()
    assert "£500,000.00" in html and "£200,000.00" in html and "40.0%" in html and action.title in html
