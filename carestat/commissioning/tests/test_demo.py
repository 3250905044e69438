"""Demoshire's and Jersey's provider markets load through the imports, and the VCSE answer matches
hand arithmetic."""

from decimal import Decimal

import pytest

from carestat.commissioning import selectors, services
from carestat.commissioning.models import CommissioningImport, Contract, Payment
from carestat.core.models import Organisation
from carestat.core.tenancy import scoped_to

D = Decimal


@pytest.fixture
def demo(db, story_day):
    from carestat.commissioning import demo as commissioning_demo
    from carestat.core import demo as core_demo

    quiet = lambda msg: None  # noqa: E731
    org = core_demo.load(None, quiet)
    with scoped_to(org):
        return commissioning_demo.load(org, quiet)


def test_demoshire_loads_through_the_imports_with_two_years_of_payments(demo, story_day):
    kinds = sorted(CommissioningImport.objects.filter(organisation=demo).values_list("kind", flat=True))
    assert kinds == ["contracts", "payments", "payments", "providers", "ratings"]
    assert Contract.objects.filter(organisation=demo).count() == 14
    assert {p.year for p in Payment.objects.filter(organisation=demo)} == {"2025-26", "2026-27"}
    # Two spot suppliers are outside the register; the manager matched the misspelt home care provider.
    assert [u.supplier for u in services.unmatched(demo)] == ["Sunnyside Residential Home", "Kingfisher Taxis"]
    m = selectors.market(demo, story_day)
    y = m.year("2026-27")
    # VCSE contracts live all of 2026-27: 850,000 + 620,000 + 310,000 + 420,000 + 540,000 + 380,000 = 3,120,000
    # of 26,020,000 (all fourteen contracts run the whole year): 11.99% -> 12.0%
    assert (y.vcse.contract_value, y.vcse.contract_total, y.vcse.contract_share) == (
        D("3120000.00"), D("26020000.00"), D("12.0"))
    assert {c.reference for c in y.vcse.contracts} >= {"ASC-SHL-001", "ASC-ADV-001", "ASC-CAR-001"}
    assert [f for f, _ in y.vcse.files] == ["Payments_over_500_2026-27_to_Nov.csv"]
    assert [e.contract.reference for e in m.pipeline if e.within_12][:2] == ["ASC-CAR-001", "ASC-EQP-001"]
    assert {p.location for p in m.poor} == {"Meadowbank House", "The Willows", "Brightwater West"}


def test_jersey_answers_the_total_value_outsourced_to_the_vcse_sector(demo, story_day):
    jersey = Organisation.objects.get(slug="jersey")
    with scoped_to(jersey):
        m = selectors.market(jersey, story_day)
    y = m.year("2025-26")
    # 185,000 + 96,000 + 240,000 x 90/365 (59,178.08) + 132,000 x 274/365 (99,090.41)
    #   + 410,000 x 182/365 (204,438.36) = 643,706.85 of 643,706.85 + 1,450,000 + 2,100,000 = 4,193,706.85: 15.3%
    assert (y.vcse.contract_value, y.vcse.contract_total, y.vcse.contract_share) == (
        D("643706.85"), D("4193706.85"), D("15.3"))
    assert y.vcse.spend_share is not None and y.vcse.files[0][0] == "HCS_payments_2025.csv"
    assert m.year("2026-27").vcse.contract_share == D("23.0")  # 1,063,000 of 4,613,000
