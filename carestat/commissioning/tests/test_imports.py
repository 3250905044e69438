"""Providers, contracts, payments and ratings load through the imports, all or nothing, and the
market map matches hand arithmetic (see builders)."""

import datetime as dt
from decimal import Decimal

import pytest

from carestat.commissioning import selectors, services
from carestat.commissioning.models import CommissioningImport, Contract, Payment, Provider, SupplierAlias
from carestat.commissioning.tests.builders import CONTRACTS_CSV, PAYMENTS_CSV, PROVIDERS_CSV
from carestat.core.errors import NotAllowed
from carestat.core.models import AuditEntry

D = Decimal


def test_payments_match_by_number_then_name_and_leave_the_rest_for_a_manager(loaded):
    org = loaded.organisation
    how = dict(Payment.objects.filter(organisation=org).values_list("supplier", "matched_by"))
    assert how == {"Brightway Care Ltd": "name", "The Brightway Care Co": "name", "Hope Advocacy Service": "number",
                   "CARERS TOGETHER": "name", "Demoshire Shared Lives": "name",
                   "Oakfield Healthcare NHS Trust": "name", "Unknown Co": ""}
    [queue] = services.unmatched(org)
    assert (queue.supplier, queue.payments, queue.total) == ("Unknown Co", 1, D("123.45"))
    rec = CommissioningImport.objects.get(organisation=org, kind="payments")
    assert (rec.rows, rec.matched, rec.total) == (7, 6, D("6123.45"))


def test_the_vcse_share_and_sector_totals_match_hand_arithmetic(loaded):
    m = selectors.market(loaded.organisation, dt.date(2026, 12, 4))
    y = m.year("2026-27")
    assert y.spend_by_group.amounts == {"private": D("3000.00"), "vcse": D("2000.00"), "public": D("1000.00")}
    assert y.spend_by_group.total == D("6000.00")
    assert (y.vcse.spend, y.vcse.spend_share) == (D("2000.00"), D("33.3"))
    assert y.spend_by_group.share("public") == D("16.7")
    assert y.spend_by_sector.amounts["charity"] == D("500.00")
    assert y.spend_by_service.amounts["home_care"] == D("3000.00")
    # contracts: 100,000 + 40,000 + 182/365 x 20,000 = 9,972.60 + 40,000
    assert y.value_by_group.total == D("189972.60")
    assert (y.vcse.contract_value, y.vcse.contract_share) == (D("89972.60"), D("47.4"))
    assert [f for f, _ in y.vcse.files] == ["payments.csv"]
    assert sorted(c.reference for c in y.vcse.contracts) == ["DC-002", "DC-003", "DC-004"]
    assert (y.concentration.hhi, y.concentration.top_share, y.concentration.providers) == (D("3161"), D("100.0"), 5)
    assert m.unmatched_total == D("123.45")


def test_the_pipeline_lists_contracts_ending_within_18_months_and_marks_those_within_12(loaded):
    m = selectors.market(loaded.organisation, dt.date(2026, 12, 4))
    # 12 months on is 4 Dec 2027, 18 months on 4 Jun 2028
    assert [(e.contract.reference, e.within_12) for e in m.pipeline] == [
        ("DC-001", True), ("DC-002", True), ("DC-003", False)]
    m = selectors.market(loaded.organisation, dt.date(2026, 9, 1))  # to 1 Sep 2027 and 1 Mar 2028
    assert [(e.contract.reference, e.within_12) for e in m.pipeline] == [("DC-001", True), ("DC-002", False)]


def test_poor_ratings_are_each_locations_latest_rating_when_it_is_poor(loaded):
    poor = selectors.poor_ratings(loaded.organisation)
    assert [(p.location, p.rating) for p in poor] == [("Brightway House", "inadequate")]


def test_the_same_files_again_change_nothing(loaded):
    for kind, content in (("providers", PROVIDERS_CSV), ("contracts", CONTRACTS_CSV), ("payments", PAYMENTS_CSV)):
        result = services.import_file(loaded, kind, content, filename="again.csv")
        assert result.already_loaded
    assert Payment.objects.count() == 7 and Provider.objects.count() == 5 and Contract.objects.count() == 4


def test_a_manager_matches_a_supplier_once_and_the_next_file_remembers_it(loaded):
    org = loaded.organisation
    hope = Provider.objects.get(name="Hope Advocacy")
    assert services.match_supplier(loaded, "Unknown Co", hope) == 1
    assert services.unmatched(org) == []
    assert SupplierAlias.objects.get(organisation=org).provider == hope
    services.import_payments(loaded, b"Supplier,Payment date,Amount\nUNKNOWN CO LTD,2026-08-01,10\n",
                             filename="august.csv")
    assert Payment.objects.get(source__filename="august.csv").matched_by == "alias"
    assert AuditEntry.objects.filter(action="commissioning.supplier.matched").count() == 1


def test_merging_providers_moves_contracts_and_payments_and_is_audited(loaded):
    keep = Provider.objects.get(name="Carers Together CIC")
    drop = services.add_provider(loaded, name="Carers' Support Demoshire", sector="charity", charity_number="1200002")
    services.import_payments(loaded, b"Supplier,Payment date,Amount\nCarers Support Demoshire,2026-08-01,10\n",
                             filename="x.csv")
    services.merge_providers(loaded, keep, drop, reason="The charity became a CIC in 2025")
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.merged_into == keep and keep.charity_number == "1200002"
    assert Payment.objects.filter(provider=keep).count() == 2
    entry = AuditEntry.objects.get(action="commissioning.provider.merged")
    assert "merged provider ‘Carers' Support Demoshire’ into ‘Carers Together CIC’" in entry.message


def test_duplicates_are_found_by_registration_number(loaded):
    services.add_provider(loaded, name="Carers Together CIC", sector="cic", company_number="11111111")
    pairs = services.duplicates(loaded.organisation)
    assert [(p.first.name, p.second.name) for p in pairs] == [("Carers Together CIC", "Carers Together CIC")]


def test_a_contract_with_an_unknown_provider_or_end_before_start_stores_nothing(cast, demoshire, manager_access):
    services.import_providers(manager_access, PROVIDERS_CSV, filename="providers.csv")
    bad = CONTRACTS_CSV.replace(b"Hope Advocacy,,advocacy", b"Nobody Ltd,,advocacy").replace(
        b"2026-04-01,2029-03-31", b"2026-04-01,2025-03-31").replace(b"200000,council", b"two hundred,council")
    with pytest.raises(services.ImportInvalid) as exc:
        services.import_contracts(manager_access, bad, filename="register.csv")
    text = [str(p) for p in exc.value.problems]
    assert text == [
        "register.csv row 2, column 'Total value': ‘two hundred’ is not an amount; write it as a number of pounds "
        "like 125000.00",
        "register.csv row 3, column 'Supplier': ‘Nobody Ltd’ is not a provider of Demoshire County Council; import "
        "or add the provider first, or match the name to one",
        "register.csv row 5, column 'End date': the contract ends (31 March 2025) before it starts (1 April 2026)",
    ]
    assert Contract.objects.count() == 0 and not CommissioningImport.objects.filter(kind="contracts").exists()


def test_a_payments_file_in_windows_1252_is_refused_naming_the_byte_and_row(cast, demoshire, manager_access):
    content = "Supplier,Payment date,Amount\nA,2026-04-01,1\nCafé Care,2026-04-01,2\n".encode("cp1252")
    with pytest.raises(services.ImportInvalid) as exc:
        services.import_payments(manager_access, content, filename="spend.csv")
    assert str(exc.value.problems[0]) == ("spend.csv row 3: is not UTF-8 text: byte 47 (0xe9) cannot be read. "
                                          "Save the file as 'CSV UTF-8' and upload it again")
    assert Payment.objects.count() == 0


def test_a_non_numeric_amount_is_named_by_row_and_column(cast, demoshire, manager_access):
    content = b"Supplier,Payment date,Amount\nA,2026-04-01,1\nB,2026-04-01,12.5x\n"
    with pytest.raises(services.ImportInvalid) as exc:
        services.import_payments(manager_access, content, filename="spend.csv")
    assert [str(p) for p in exc.value.problems] == [
        "spend.csv row 3, column 'Amount': '12.5x' is not an amount; write it as a number of pounds like 1250.00"]


def test_the_contract_column_names_are_set_once_and_used_by_every_import(cast, demoshire, manager_access):
    from carestat.commissioning.models import DEFAULT_CONTRACT_COLUMNS, DEFAULT_PAYMENT_COLUMNS

    services.import_providers(manager_access, PROVIDERS_CSV, filename="providers.csv")
    services.save_settings(manager_access, contract_columns={**DEFAULT_CONTRACT_COLUMNS, "reference": "Contract ID"},
                           payment_columns=DEFAULT_PAYMENT_COLUMNS)
    renamed = CONTRACTS_CSV.replace(b"Reference,", b"Contract ID,", 1)
    assert services.import_contracts(manager_access, renamed, filename="r.csv").created == 4


def test_viewers_cannot_import(cast, demoshire, viewer):
    from conftest import access_for

    with pytest.raises(NotAllowed):
        services.import_providers(access_for(viewer, demoshire), PROVIDERS_CSV)
