"""Commissioning arithmetic without Django: names normalised, payments checked and matched, the
market map's shares, concentration and pipeline against hand arithmetic."""

import datetime as dt
from decimal import Decimal

import pytest

from carestat.analytics import commissioning as calc

D = Decimal
COLUMNS = {"supplier": "Supplier", "registration": "Number", "date": "Date", "amount": "Amount",
           "cost_code": "Cost code", "service_type": "Service"}


def test_names_that_differ_only_in_legal_form_case_and_punctuation_normalise_alike():
    assert calc.normalise_name("The Brightway Care Co. Ltd") == calc.normalise_name("BRIGHTWAY CARE") == \
        "brightway care"
    assert calc.normalise_name("Carers' Centre & Co") == "carers centre and"
    assert calc.normalise_name("Café Limited") == "cafe"
    assert calc.normalise_company("1234567") == "01234567"


def test_payments_match_by_number_then_name_then_alias():
    keys = calc.ProviderKeys([(1, "brightway care", ["01234567"]), (2, "hope advocacy", ["1100001"])],
                             {"hopeful advocates": 2})
    content = (b"Supplier,Number,Date,Amount,Cost code,Service\n"
               b"Anything,1234567,2026-04-01,10,A,home care\n"
               b"Brightway Care Limited,,2026-04-02,\"\xc2\xa31,000.50\",A,home care\n"
               b"Hope Advocacy Service,1100001,2026-04-03,(5.00),B,advocacy\n"
               b"HOPEFUL ADVOCATES LTD,,01/03/2026,7,B,\n"
               b"Nobody,,2026-04-04,3,C,\n")
    m = calc.read_payments(content, "p.csv", COLUMNS, keys)
    rows = sorted(m.table.to_pylist(), key=lambda r: r["row"])
    assert [(r["provider_id"], r["how"]) for r in rows] == [(1, "number"), (1, "name"), (2, "number"),
                                                            (2, "alias"), (None, "")]
    assert [r["year"] for r in rows] == ["2026-27", "2026-27", "2026-27", "2025-26", "2026-27"]
    assert (m.rows, m.matched, m.total, m.matched_total) == (5, 4, D("1015.50"), D("1012.50"))
    assert calc.spend_by_provider(m) == [("2025-26", 2, "", D("7.00")), ("2026-27", 1, "home_care", D("1010.50")),
                                         ("2026-27", 2, "advocacy", D("-5.00"))]


def test_every_bad_row_is_named_by_row_and_column():
    content = b"Supplier,Date,Amount,Service\nA,2026-02-30,1,\n,2026-01-01,x,\nB,2026-01-01,1,gardening\n"
    with pytest.raises(calc.FileInvalid) as exc:
        calc.read_payments(content, "p.csv", COLUMNS, calc.ProviderKeys([]))
    assert [str(p) for p in exc.value.problems] == [
        "p.csv row 2, column 'Date': '2026-02-30' is not a date; write it as 2026-04-30 or 30/04/2026",
        "p.csv row 3, column 'Amount': 'x' is not an amount; write it as a number of pounds like 1250.00",
        "p.csv row 3, column 'Supplier': is blank; give the supplier's name",
        "p.csv row 4, column 'Service': 'gardening' is not a service type CareStat knows; use one of "
        + ", ".join(calc.SERVICE_LABELS.values()),
    ]


def test_a_missing_column_is_named_with_the_header_the_file_has():
    with pytest.raises(calc.FileInvalid, match="row 1, column 'Amount': this column is missing; the header row "
                                               "has Supplier, Date"):
        calc.read_payments(b"Supplier,Date\nA,2026-01-01\n", "p.csv", COLUMNS, calc.ProviderKeys([]))


def test_the_year_map_splits_spend_and_value_by_sector_with_the_vcse_share():
    providers = {1: calc.ProviderFact(1, "Private Co", calc.Sector.PRIVATE),
                 2: calc.ProviderFact(2, "Charity", calc.Sector.CHARITY),
                 3: calc.ProviderFact(3, "Mutual", calc.Sector.MUTUAL)}
    spend = [calc.SpendFact("2026-27", 1, "home_care", D("600"), "a.csv"),
             calc.SpendFact("2026-27", 2, "advocacy", D("300"), "a.csv"),
             calc.SpendFact("2026-27", 3, "home_care", D("100"), "b.csv"),
             calc.SpendFact("2025-26", 2, "advocacy", D("999"), "old.csv")]
    contract = calc.ContractFact(1, "C1", "Advocacy", 2, "advocacy", dt.date(2026, 10, 1), dt.date(2028, 3, 31),
                                 D("36500"), D("54750"))
    y = calc.year_map("2026-27", providers, [contract], spend)
    # VCSE 300 + 100 = 400 of 1,000 = 40.0%; HHI 60² + 30² + 10² = 4,600; top five 100%
    assert (y.vcse.spend, y.vcse.spend_share, y.concentration.hhi) == (D("400"), D("40.0"), D("4600"))
    assert y.vcse.files == [("a.csv", D("300")), ("b.csv", D("100"))]
    # 1 Oct 2026 to 31 Mar 2027: 182 of 365 days of 36,500 = 18,200
    assert (y.vcse.contract_value, y.vcse.contract_share) == (D("18200.00"), D("100.0"))


def test_the_pipeline_keeps_contracts_ending_within_18_months_soonest_first():
    def c(ref, end):
        return calc.ContractFact(1, ref, ref, 1, "other", dt.date(2020, 1, 1), end, D(1), D(1))

    today = dt.date(2026, 12, 4)
    entries = calc.pipeline([c("late", dt.date(2028, 6, 5)), c("soon", dt.date(2027, 1, 31)),
                             c("past", dt.date(2026, 12, 3)), c("edge", dt.date(2028, 6, 4))], today)
    assert [(e.contract.reference, e.within_12, e.months_left) for e in entries] == [("soon", True, 1),
                                                                                      ("edge", False, 18)]
