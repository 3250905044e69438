"""Demoshire's children's services money: the medium-term financial plan behind its 3-year
service and financial plan, loaded the way a finance business partner would, as ledger extracts
from the finance system through the import (a workbook for 2025-26, CSV files for 2026-27).

Two loaders, because closing a quarter freezes the months in it: ``load_ledger`` runs before the
plans demo replays and closes its quarters, loading 2025-26 and April to September 2026 while
those months are open; ``load`` runs after it, linking the savings programme to the plan's
actions and loading October and November 2026, in the quarter still open.

The story: external residential and agency fostering placements overspend (more children placed,
at higher weekly prices), in-house fostering underspends as carers are recruited, and the savings
programme (£2.1m of placement savings in 2026-27) is behind, with the local children's homes
delayed.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook

from carestat.analytics import finance as calc
from carestat.core.access import Access
from carestat.core.models import Membership, Unit
from carestat.finance import ledger, services
from carestat.finance.models import ServiceLine, settings_for

COLUMNS = {"cost_code_column": "Cost Centre", "period_column": "Period", "budget_column": "Annual Budget",
           "actual_column": "Actual", "forecast_column": "Forecast Outturn"}

# code, name, parent code, unit
LINES = [
    ("CS000", "Children's Services", None, "Children's Services"),
    ("CS100", "Children looked after: placements", "CS000", "Children in Care"),
    ("CS110", "External residential placements", "CS100", "Children in Care"),
    ("CS120", "Independent fostering agency placements", "CS100", "Children in Care"),
    ("CS130", "In-house foster care allowances", "CS100", "Fostering and Adoption"),
    ("CS140", "Supported accommodation for 16 and 17 year olds", "CS100", "Children in Care"),
    ("CS200", "Children's social care teams", "CS000", "Children's Social Care"),
    ("CS300", "Fostering and adoption service", "CS000", "Fostering and Adoption"),
    ("CS400", "Workforce and practice quality", "CS000", "Workforce and Practice Quality"),
]

# Budgets (£) for 2025-26, 2026-27 and 2027-28, and the outturn: 2025-26's final, 2026-27's as
# forecast in November 2026.
MONEY = {
    "CS110": ((12_400_000, 13_000_000, 13_400_000), (12_950_000, 14_934_000)),
    "CS120": ((3_300_000, 3_400_000, 3_300_000), (3_420_000, 3_560_000)),
    "CS130": ((2_700_000, 2_900_000, 3_150_000), (2_660_000, 2_820_000)),
    "CS140": ((1_000_000, 1_092_000, 1_150_000), (1_010_000, 1_196_000)),
    "CS200": ((8_200_000, 8_500_000, 8_700_000), (8_260_000, 8_560_000)),
    "CS300": ((2_300_000, 2_400_000, 2_450_000), (2_290_000, 2_430_000)),
    "CS400": ((1_500_000, 1_600_000, 1_500_000), (1_540_000, 1_550_000)),
}
YEARS = ("2025-26", "2026-27", "2027-28")
MONTHS = {"2025-26": [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)],
          "2026-27": [f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)]}

# The risks (from the risks demo) that threaten each saving's delivery.
SAVING_RISKS = {"CS-01": "CSF-02", "CS-02": "CSF-02", "CS-04": "CSF-01"}

# Adults' long-term support, modelled from the client level data (the adults' demo): lines with
# budgets only (the adults' ledger is not loaded), each driven by the adults receiving long-term
# support in its setting at the end of the latest year the CLD covers, or for home care by their
# planned hours a week then. code, name, activity, unit cost in 2026-27 (a year; an hour for home
# care), inflation %, the number (hours a week) the budget assumed; the budgets for 2026-27 and
# 2027-28 are the number assumed at the unit cost (for hours, x 365/7 weeks), to the nearest £1,000.
ADULT_LINES = [
    ("AS110", "Residential care for older people and adults", "adults_residential", "46800", "4", "650"),
    ("AS120", "Nursing care", "adults_nursing", "58500", "4", "640"),
    ("AS130", "Home care", "homecare_hours", "26.50", "3", "55000"),
]

SAVINGS = [
    ("CS-01", "Step children down from external residential care to foster families",
     "Review every residential placement at 3 months; match children ready to step down with in-house or "
     "agency foster carers, with extra support for the first 6 months.",
     "marcus.bell", "CS110", "Deliver placement savings of £2.1m", "amber", "delivering",
     {"2026-27": (1_000_000, 420_000), "2027-28": (1_200_000, 0)}),
    ("CS-02", "Place children in two new local children's homes instead of external homes",
     "Two small homes run by the council, each for up to four children, replacing external placements "
     "at a lower weekly cost.",
     "grace.adeyemi", "CS110", "Open two small local children's homes", "red", "at_risk",
     {"2026-27": (600_000, 0), "2027-28": (900_000, 0)}),
    ("CS-03", "Use more in-house foster carers instead of agency carers",
     "New in-house fostering households take children who would otherwise be placed through an agency.",
     "grace.adeyemi", "CS120", "Recruit more in-house foster carers", "green", "delivering",
     {"2026-27": (500_000, 310_000), "2027-28": (500_000, 0)}),
    ("CS-04", "Replace agency social workers with newly qualified staff from the academy",
     "Each agency post filled by an academy social worker saves the agency premium.",
     "marcus.bell", "CS200", "Reduce agency social workers through a 'grow our own' academy", "amber", "approved",
     {"2026-27": (300_000, 90_000), "2027-28": (400_000, 0)}),
]

# The cost model: the 2026-27 budget assumed 52 children in residential care at £250,000 a year
# and 21 young people in supported accommodation at £52,000; the 2026-27 forecasts above are
# what the model gives for the 57 and 23 in the demo's SSDA903 return at 31 March 2026, at
# £262,000 and £52,000: residential is over on volume (5 x £250,000) and price (£12,000 x 57).
DRIVERS = [("CS110", "residential", "262000", "4", "52"), ("CS140", "supported", "52000", "3", "21")]
SCENARIOS = [
    ("10 fewer residential placements from 2026-27 Q3",
     "The step-down programme (CS-01) moves ten more children to foster families by October.",
     [{"cost_code": "CS110", "kind": "volume", "amount": "-10", "start": "2026-27-Q3"}]),
    ("Local children's homes open in 2027-28",
     "The two local homes (CS-02) bring the average residential cost down 8% from April 2027.",
     [{"cost_code": "CS110", "kind": "unit_cost", "amount": "-8", "start": "2027-28-Q1"}]),
]

COMMENTARY = [
    ("CS110", "2026-09", "More children are in external residential homes than the budget assumed, and new "
                         "placements since June cost more per week than the budgeted rate. The step-down programme "
                         "(CS-01) is under way; the local homes (CS-02) are delayed to 2027."),
    ("CS120", "2026-09", "Agency fostering is over budget because in-house carers cannot yet take every child "
                         "matched to them; recruitment (CS-03) is ahead of target, so the overspend should narrow."),
    ("CS110", "2026-11", "The forecast rose again in November: two children placed in emergency residential care "
                         "after placement breakdowns. Step-downs delivered £420k so far against £1.0m this year."),
]


def _pounds(value) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _rows(year: str, months: slice) -> list[list]:
    """Rows of the ledger extract for ``year``: each month's actual, and the forecast outturn
    moving from the budget towards the outturn over the first eight months."""
    y = YEARS.index(year)
    rows = []
    for code, (budgets, outturns) in MONEY.items():
        budget, outturn = Decimal(budgets[y]), Decimal(outturns[y])
        spent = Decimal(0)
        for k, month in enumerate(MONTHS[year], start=1):
            actual = _pounds(outturn / 12 * (1 + Decimal("0.02") * ((k % 3) - 1)))
            actual = outturn - spent if k == 12 else actual
            spent += actual
            forecast = _pounds((budget + (outturn - budget) * min(1, Decimal(k) / 8)) / 1000) * 1000
            if months.start <= k - 1 < months.stop:
                rows.append([code, month, budgets[y], actual, forecast])
    return rows


def _csv(rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([COLUMNS[k] for k in ("cost_code_column", "period_column", "budget_column", "actual_column",
                                     "forecast_column")])
    w.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "GL extract"
    ws.append([COLUMNS[k] for k in ("cost_code_column", "period_column", "budget_column", "actual_column",
                                    "forecast_column")])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _access(org, username) -> Access:
    m = Membership.objects.select_related("user").get(organisation=org, user__username=f"{username}@demoshire.example")
    return Access(user=m.user, organisation=org, membership=m)


def load_ledger(org, progress):
    progress("Adding Demoshire's children's services budgets from its ledger extracts")
    helen = _access(org, "helen.morgan")
    services.save_settings(helen, amber_from_percent="1", red_from_percent="3", **COLUMNS)
    units = {u.name: u for u in Unit.objects.filter(organisation=org)}
    made = {}
    for code, name, parent, unit in LINES:
        made[code] = services.add_line(helen, name=name, cost_code=code, parent=made.get(parent), unit=units[unit])
    ledger.import_ledger(helen, _xlsx(_rows("2025-26", slice(0, 12))), filename="GL_CSC_2025-26_P12.xlsx")
    for k in range(6):  # April to September 2026, one extract a month
        month = MONTHS["2026-27"][k]
        ledger.import_ledger(helen, _csv(_rows("2026-27", slice(k, k + 1))),
                             filename=f"GL_CSC_2026-27_P{k + 1:02d}.csv")
        for code, period, text in COMMENTARY:
            if period == month:
                services.add_comment(helen, made[code], _period(org, period), text=text)
    return org


def _adults(org, progress):
    """Adults' long-term support lines, budgeted and modelled from the client level data."""
    progress("Modelling adults' long-term support from the client level data")
    helen = _access(org, "helen.morgan")
    units = {u.name: u for u in Unit.objects.filter(organisation=org)}
    top = services.add_line(helen, name="Adults' long-term support", cost_code="AS100",
                            unit=units["Adults' Services"])
    for code, name, activity, unit_cost, inflation, volume in ADULT_LINES:
        line = services.add_line(helen, name=name, cost_code=code, parent=top, unit=units["Adults' Services"])
        for k, year in enumerate(("2026-27", "2027-28")):
            per_year = calc.WEEKS_A_YEAR if activity == calc.HOME_CARE_HOURS else 1
            budget = Decimal(unit_cost) * int(volume) * per_year * (1 + Decimal(inflation) / 100) ** k
            services.set_budget(helen, line, year=year, amount_=_pounds(budget / 1000) * 1000,
                                source="the adults' budget setting")
        services.set_driver(helen, line, activity=activity, base_year="2026-27", unit_cost=unit_cost,
                            inflation_percent=inflation, budget_volume=volume)


def _period(org, identifier):
    from carestat.core.models import ReportingPeriod

    return ReportingPeriod.objects.get(organisation=org, identifier=identifier)


def load(org, progress):
    from carestat.plans.models import Action, Plan

    progress("Linking Demoshire's savings programme to its plan, and loading the latest ledger extracts")
    marcus = _access(org, "marcus.bell")
    plan = Plan.objects.get(organisation=org, kind="service_financial")
    services.create_medium_term_plan(marcus, title="Children's Services Medium-Term Financial Plan 2025 to 2028",
                                     first_year="2025-26", years=3, plan=plan)
    lines = {line.cost_code: line for line in ServiceLine.objects.filter(organisation=org)}
    for code, (budgets, _) in MONEY.items():
        services.set_budget(marcus, lines[code], year="2027-28", amount_=budgets[2],
                            source="the 2027-28 budget setting")
    for k in (6, 7):  # October and November 2026, in the quarter still open
        ledger.import_ledger(marcus, _csv(_rows("2026-27", slice(k, k + 1))),
                             filename=f"GL_CSC_2026-27_P{k + 1:02d}.csv")
    for code, period, text in COMMENTARY:
        if period >= "2026-10":
            services.add_comment(marcus, lines[code], _period(org, period), text=text)
    for code, activity, unit_cost, inflation, budget_volume in DRIVERS:
        services.set_driver(marcus, lines[code], activity=activity, base_year="2026-27", unit_cost=unit_cost,
                            inflation_percent=inflation, budget_volume=budget_volume)
    _adults(org, progress)
    saved = [services.save_scenario(marcus, name=name, description=description, changes=changes)
             for name, description, changes in SCENARIOS]
    current = settings_for(org)
    services.save_settings(marcus, report_scenario=saved[0],
                           **{k: str(getattr(current, k)) for k in services.SETTINGS_FIELDS})
    actions = {a.title: a for a in Action.objects.filter(objective__priority__plan=plan)}
    from carestat.risks.models import Risk

    risks = {r.ref: r for r in Risk.objects.filter(organisation=org)}
    for ref, title, description, owner, line, action, deliverability, status, targets in SAVINGS:
        saving = services.add_saving(marcus, reference=ref, title=title, description=description,
                                     owner=_access(org, owner).user, line=lines[line], action=actions[action],
                                     risk=risks.get(SAVING_RISKS.get(ref, "")),
                                     deliverability=deliverability, status=status,
                                     targets={y: t for y, (t, _) in targets.items()})
        for year, (_, delivered) in targets.items():
            if delivered:
                services.record_delivery(marcus, saving, year=year, delivered=delivered)
    return org
