"""A commissioning officer imports the providers, contracts register and payments, reads the
market map's VCSE answer, matches an unmatched supplier and merges a duplicate provider, in
Chromium, with axe on every page."""

import pytest

from carestat.commissioning.models import Payment, Provider
from carestat.commissioning.tests.builders import CONTRACTS_CSV, PAYMENTS_CSV, PROVIDERS_CSV, RATINGS_CSV
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def _import(page, tmp_path, kind, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    page.page.check(f"input[name=kind][value={kind}]")
    page.page.set_input_files("#id_file", str(path))
    with page.page.expect_navigation():
        page.page.click("button:has-text('Import')")


def test_files_are_imported_the_market_map_read_and_a_supplier_matched(browser_page, cast, demoshire, tmp_path,
                                                                       story_day):
    page = browser_page
    page.sign_in(cast["manager"].email, PASSWORD)
    page.goto("/o/demoshire/commissioning/import/")
    page.assert_accessible()
    _import(page, tmp_path, "providers", "providers.csv", PROVIDERS_CSV)
    assert "Loaded 5 rows from providers.csv: 5 added" in page.page.content()
    _import(page, tmp_path, "contracts", "bad.csv", CONTRACTS_CSV.replace(b"2026-04-01,2029-03-31",
                                                                            b"2026-04-01,2025-03-31"))
    assert "the contract ends (31 March 2025) before it starts" in page.page.content()
    page.assert_accessible()
    _import(page, tmp_path, "contracts", "contracts.csv", CONTRACTS_CSV)
    _import(page, tmp_path, "payments", "payments.csv", PAYMENTS_CSV)
    assert "1 for a manager to match" in page.page.content()
    _import(page, tmp_path, "ratings", "ratings.csv", RATINGS_CSV)

    page.goto("/o/demoshire/commissioning/?year=2026-27")
    page.assert_accessible()
    assert "33.3% of the £6,000.00" in page.page.content()

    page.goto("/o/demoshire/commissioning/payments/")
    page.assert_accessible()
    page.page.select_option("#provider-1", label="Hope Advocacy")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Match')")
    assert Payment.objects.get(supplier="Unknown Co").provider.name == "Hope Advocacy"

    page.goto("/o/demoshire/commissioning/providers/")
    page.assert_accessible()
    page.page.fill("#id_name", "Hope Advocacy Project")
    page.page.select_option("#id_sector", "charity")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Add provider')")
    page.assert_accessible()
    keep = Provider.objects.get(name="Hope Advocacy")
    page.goto(f"/o/demoshire/commissioning/providers/{keep.pk}/")
    page.page.select_option("#id_drop", label="Hope Advocacy Project")
    page.page.fill("#id_reason", "The project is the charity's own service")
    with page.page.expect_navigation():
        page.page.click("button:has-text('Merge')")
    assert Provider.objects.get(name="Hope Advocacy Project").merged_into == keep

    for url in ("/o/demoshire/commissioning/contracts/", "/o/demoshire/commissioning/settings/"):
        page.goto(url)
        page.assert_accessible()
