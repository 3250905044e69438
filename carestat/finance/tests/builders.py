"""A small set of children's services lines, with the periods of 2025-26 and 2026-27."""

from carestat.core import services as core_services
from carestat.finance import services

CSV_HEADER = "Cost code,Period,Budget,Actual,Forecast\n"


def lines(access):
    """CS100 Children's placements > CS110 Residential, CS120 Fostering; CS200 Social work teams."""
    org = access.organisation
    for year in ("2025-26", "2026-27"):
        core_services.ensure_year_periods(org, year, actor=access.user)
    placements = services.add_line(access, name="Children's placements", cost_code="CS100")
    return {
        "placements": placements,
        "residential": services.add_line(access, name="Residential placements", cost_code="CS110", parent=placements),
        "fostering": services.add_line(access, name="Fostering placements", cost_code="CS120", parent=placements),
        "teams": services.add_line(access, name="Social work teams", cost_code="CS200"),
    }


def ledger_csv(rows) -> bytes:
    return (CSV_HEADER + "".join(",".join(str(c) for c in r) + "\n" for r in rows)).encode()


# The 2026-27 extract used across the tests, with its hand arithmetic:
#   CS110 residential: budget 4,000,000; forecast as at 2026-08 is 4,300,000 -> +300,000, 7.5%, red
#   CS120 fostering:   budget 2,000,000; forecast 1,990,000 -> -10,000, -0.5%, green
#   CS200 teams:       budget 3,000,000; forecast 3,060,000 -> +60,000, 2.0%, amber
#   CS100 placements (parent, no figures of its own) = 6,000,000 budget, 6,290,000 forecast -> +290,000, 4.8%, red
#   total: 9,000,000 budget, 9,350,000 forecast -> +350,000, 3.9% (3.888...), red
#   actual to date: residential 330,000 + 345,000; fostering 160,000 + 170,000; teams 250,000 + 255,000
#                   = 1,510,000
EXTRACT = [
    ("CS110", "2026-07", "4000000", "330000", "4200000"),
    ("CS110", "2026-08", "4000000", "345000", "4300000"),
    ("CS120", "2026-07", "2000000", "160000", "2000000"),
    ("CS120", "2026-08", "2000000", "170000", "1990000"),
    ("CS200", "2026-07", "3000000", "250000", "3050000"),
    ("CS200", "2026-08", "3000000", "255000", "3060000"),
]
