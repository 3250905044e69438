"""A small market with hand arithmetic, used across the commissioning tests.

Providers: Brightway Care Ltd (private, company 01234567), Hope Advocacy (charity 1100001),
Carers Together CIC (CIC, company 09876543), Demoshire Shared Lives (social enterprise),
Oakfield Healthcare NHS Trust (public).

Payments in 2026-27 (payments.csv):
  Brightway   1,000.00 + 2,000.00 = 3,000.00      private
  Hope          500.00 (by charity number, name spelt 'Hope Advocacy Service') -> VCSE
  Carers T.     700.00 (name 'CARERS TOGETHER')  VCSE
  Shared Lives  800.00                           VCSE
  Oakfield    1,000.00                           public
  Unknown Co    123.45                           unmatched
  matched total 6,000.00; VCSE 2,000.00 -> 33.3%; private 50.0%; public 16.7%
  HHI: shares 50, 8.333.., 11.666.., 13.333.., 16.666.. -> 2500 + 69.44 + 136.11 + 177.78 + 277.78 = 3161.1 -> 3161
"""

PROVIDERS_CSV = (
    b"Name,Sector,Charity number,Company number,Location ids,Size band,Services\n"
    b"Brightway Care Ltd,private,,1234567,1-111;1-112,large,home care;residential\n"
    b"Hope Advocacy,charity,1100001,,,small,advocacy\n"
    b"Carers Together CIC,community interest company,,09876543,,micro,carers\n"
    b"Demoshire Shared Lives,social enterprise,,,,small,shared lives\n"
    b"Oakfield Healthcare NHS Trust,public,,,,large,nursing\n"
)

CONTRACTS_CSV = (
    b"Reference,Title,Supplier,Supplier number,Service type,Lead unit,Start date,End date,Extension options,"
    b"Annual value,Total value,Funding source,Procurement route,Commercially sensitive\n"
    b"DC-001,Home care west,Brightway Care Ltd,,home care,,2025-04-01,2027-03-31,1+1 years,"
    b"\"100,000.00\",200000,council,open,no\n"
    b"DC-002,Independent advocacy,Hope Advocacy,,advocacy,,2026-04-01,2027-09-30,,40000,60000,grant,grant,no\n"
    b"DC-003,Carers' support,Carers Together,,carers,,2026-10-01,2028-03-31,,20000,30000,pooled,direct,yes\n"
    b"DC-004,Shared Lives scheme,Demoshire Shared Lives,,shared lives,,2026-04-01,2029-03-31,,40000,120000,"
    b"council,framework,no\n"
)
# Contract value 2026-27: DC-001 100,000 (whole year); DC-002 40,000; DC-003 from 1 Oct 2026:
# 182 of 365 days x 20,000 = 9,972.60; DC-004 40,000. Total 189,972.60; VCSE 89,972.60 -> 47.4%.

PAYMENTS_CSV = (
    "Supplier,Supplier number,Payment date,Amount,Cost code,Service type\n"
    "Brightway Care Ltd,,2026-04-30,1000.00,AS100,home care\n"
    "The Brightway Care Co,,31/05/2026,\"£2,000.00\",AS100,home care\n"
    "Hope Advocacy Service,1100001,2026-06-01,500,AS200,advocacy\n"
    "CARERS TOGETHER,,2026-06-15,700,AS300,carers\n"
    "Demoshire Shared Lives,,2026-07-01,800,AS400,shared lives\n"
    "Oakfield Healthcare NHS Trust,,2026-07-01,1000,AS500,nursing\n"
    "Unknown Co,,2026-07-02,123.45,AS900,\n"
).encode()

RATINGS_CSV = (
    b"Provider,Location,Rating,Date\n"
    b"Brightway Care Ltd,Brightway House,Good,2024-05-01\n"
    b"Brightway Care Ltd,Brightway House,Inadequate,2026-06-01\n"
    b"Brightway Care Ltd,Brightway Lodge,Requires improvement,2025-01-10\n"
    b"Brightway Care Ltd,Brightway Lodge,Good,2026-02-10\n"
    b"Oakfield Healthcare NHS Trust,Oakfield Ward,Outstanding,2025-11-01\n"
)


def market(access):
    """The whole small market loaded through the imports."""
    from carestat.commissioning import services

    services.import_providers(access, PROVIDERS_CSV, filename="providers.csv")
    services.import_contracts(access, CONTRACTS_CSV, filename="contracts.csv")
    services.import_payments(access, PAYMENTS_CSV, filename="payments.csv")
    services.import_ratings(access, RATINGS_CSV, filename="ratings.csv")
