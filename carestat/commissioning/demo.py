"""Demoshire's provider market, and the Jersey directorate's, loaded the way a commissioning
officer would: the providers file, the published contracts register (its own column names, set
once), two years of the published payments file, and the regulator's ratings, all through the
imports; then the manager matches the suppliers the payments file spelt differently.

The story: most of the money goes to a few large private providers of home care, care homes and
children's residential placements; the voluntary, community and social enterprise (VCSE) sector
runs Shared Lives, advocacy, carers' support, day opportunities and prevention. Two care homes'
ratings have fallen, and the home care and equipment contracts end within the year.

The payments files are generated here, deterministically: one payment a month for each live
contract at a twelfth of its annual value, varied by a fixed few percent, with spot payments to
suppliers outside the register, some spelt as no provider is."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from carestat.commissioning import services
from carestat.commissioning.models import DEFAULT_PAYMENT_COLUMNS, Provider, settings_for
from carestat.core.access import Access
from carestat.core.models import Membership

DATA = Path(__file__).parent / "demo_data"

CONTRACT_COLUMNS = {
    "reference": "Contract Ref", "title": "Contract Title", "provider": "Supplier Name",
    "registration": "Supplier Company/Charity No", "service_type": "Category", "lead_unit": "Department",
    "start": "Start", "end": "End", "extension": "Extension", "annual_value": "Annual Value (£)",
    "total_value": "Total Value (£)", "funding_source": "Funding", "procurement_route": "Procurement",
    "sensitive": "Redacted",
}
PAYMENT_COLUMNS = {"supplier": "Supplier Name", "registration": "Company Number", "date": "Payment Date",
                   "amount": "Net Amount", "cost_code": "Cost Centre", "service_type": "Expenditure Category"}

# How the finance system spells some suppliers (the register's name otherwise).
SPELLINGS = {
    "Brightwater Home Care Ltd": "BRIGHTWATER HOMECARE",  # matched by a manager, then remembered
    "Voice Advocacy Demoshire": "Voice Advocacy Demoshire Ltd",  # same once 'Ltd' is ignored
    "Demoshire Carers' Centre": "Demoshire Carers Centre",
    "Meadowbank Care Homes Ltd": "Meadowbank Care Homes Limited",
}
# Spot purchases outside the register: (supplier, cost centre, category, monthly amount).
SPOT = [
    ("Sunnyside Residential Home", "AS310", "Residential care", Decimal("18400.00")),
    ("Demoshire Carers Centre", "AS520", "Carers' support", Decimal("2150.00")),
    ("Kingfisher Taxis", "AS900", "Other", Decimal("640.00")),
]
COST_CENTRES = {"home_care": "AS200", "residential": "AS310", "nursing": "AS320", "supported_living": "AS400",
                "shared_lives": "AS410", "advocacy": "AS510", "carers": "AS520", "day_opportunities": "AS530",
                "prevention": "AS540", "equipment": "AS600", "childrens_residential": "CS110",
                "fostering_agency": "CS120"}


def _access(org, username) -> Access:
    m = Membership.objects.select_related("user").get(organisation=org, user__username=f"{username}@demoshire.example")
    return Access(user=m.user, organisation=org, membership=m)


def _vary(*parts) -> Decimal:
    """A fixed factor between 0.94 and 1.06 for a supplier and month: the same on every load."""
    h = int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)
    return Decimal(94 + h % 13) / 100


def _months(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def payments_file(contracts_csv: bytes, columns: dict, first: dt.date, last: dt.date, *, spellings=None,
                  spot=()) -> bytes:
    """A payments file for the months from ``first`` to ``last``: each live contract paid on the
    28th at a twelfth of its annual value, varied; spot payments monthly."""
    from carestat.analytics import commissioning as calc

    spellings = spellings or {}
    rows = list(csv.DictReader(io.StringIO(contracts_csv.decode("utf-8"))))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([PAYMENT_COLUMNS[k] for k in DEFAULT_PAYMENT_COLUMNS])
    for month in _months(first, last):
        day = month.replace(day=28)
        for r in rows:
            start = services.parse_date(r[columns["start"]])
            end = services.parse_date(r[columns["end"]])
            if not (start <= day <= end):
                continue
            annual = services.parse_money(r[columns["annual_value"]])
            amount = (annual / 12 * _vary(r[columns["reference"]], month)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            kind = calc.parse_service_type(r[columns["service_type"]])
            supplier = r[columns["provider"]]
            w.writerow([spellings.get(supplier, supplier), r[columns["registration"]] if supplier not in spellings
                        else "", day.isoformat(), f"{amount:.2f}", COST_CENTRES.get(kind.value, "AS999"),
                        r[columns["service_type"]]])
        for supplier, centre, category, monthly in spot:
            amount = (monthly * _vary(supplier, month)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            w.writerow([supplier, "", day.replace(day=14).isoformat(), f"{amount:.2f}", centre, category])
    return out.getvalue().encode("utf-8")


def load(org, progress):
    progress("Adding Demoshire's provider market: providers, contracts register, payments and ratings")
    priya = _access(org, "priya.shah")
    services.save_settings(priya, contract_columns=CONTRACT_COLUMNS, payment_columns=PAYMENT_COLUMNS)
    services.import_providers(priya, (DATA / "demoshire_providers.csv").read_bytes(),
                              filename="demoshire_providers.csv")
    register = (DATA / "demoshire_contracts.csv").read_bytes()
    services.import_contracts(priya, register, filename="Contracts_Register_2026-Q2.csv")
    columns = settings_for(org).contracts()
    for first, last, name in ((dt.date(2025, 4, 1), dt.date(2026, 3, 31), "Payments_over_500_2025-26.csv"),
                              (dt.date(2026, 4, 1), dt.date(2026, 11, 30), "Payments_over_500_2026-27_to_Nov.csv")):
        services.import_payments(priya, payments_file(register, columns, first, last, spellings=SPELLINGS,
                                                      spot=SPOT), filename=name)
    brightwater = Provider.objects.get(organisation=org, name="Brightwater Home Care Ltd")
    services.match_supplier(priya, "BRIGHTWATER HOMECARE", brightwater)
    services.import_ratings(priya, (DATA / "demoshire_ratings.csv").read_bytes(), filename="cqc_ratings_2026-11.csv")
    load_jersey(progress)
    return org


def load_jersey(progress):
    """The island's register, with its VCSE providers (fictional names), and a year of payments,
    so "the total value of outsourced services to the VCSE sector" has an answer with sources."""
    from carestat.core.demo import other_organisation
    from carestat.core.tenancy import scoped_to

    progress("Adding the Jersey directorate's contracts register and payments")
    org, admin = other_organisation("jersey")
    with scoped_to(org):
        services.import_providers(admin, (DATA / "jersey_providers.csv").read_bytes(), filename="providers.csv")
        register = (DATA / "jersey_contracts.csv").read_bytes()
        services.import_contracts(admin, register, filename="HCS_contracts_register.csv")
        services.save_settings(admin, contract_columns=settings_for(org).contracts(), payment_columns=PAYMENT_COLUMNS)
        services.import_payments(admin, payments_file(register, settings_for(org).contracts(), dt.date(2025, 4, 1),
                                                      dt.date(2026, 3, 31)), filename="HCS_payments_2025.csv")
