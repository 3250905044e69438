"""The demo's Welsh council and island: Glanmor County Borough Council reports against
Wales's performance framework, and Jersey's directorate names its own bodies.

Glanmor: units; the children's 3-year service and financial plan (4 themes: quality of
practice, workforce capacity, commissioning, service and financial performance); a small
generated CIN census and 903 return and a case-event extract loaded through the case-data
import path, from which Wales's PM24, PM33 and PM18 are computed on the Welsh calendar; the
framework's other measures entered; and a report grouped by the quality standards.

Jersey: its bodies (States Assembly, Council of Ministers and the Minister, a Scrutiny Panel,
the Comptroller and Auditor General, the Public Accounts Committee); local measures, as no
published list of Jersey's social care measures was found to put in the catalogue; and an
integrated report. Other loaders add Jersey's demand and commissioning content."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from django.conf import settings

from carestat.core.demo import other_organisation
from carestat.core.tenancy import scoped_to

GLANMOR_LA_CODE = "990"  # fictional, as Glanmor is (the CIN schema wants three digits)
CHILDREN_YEARS = (2025, 2026)  # Glanmor's returns: 2024-25 and 2025-26
CASE_EVENTS_START = dt.date(2025, 4, 1)
CASE_EVENTS_END = dt.date(2026, 9, 30)

# Entered figures for Wales's measures that case data cannot give: code -> {year: (n, d)}
ENTERED = {
    "WAL-PM20A": {"2024-25": (61, 152), "2025-26": (70, 160)},
    "WAL-PM20B": {"2024-25": (118, 176), "2025-26": (131, 182)},
    "WAL-PM23": {"2024-25": (1210, 1930), "2025-26": (1302, 1975)},
    "WAL-PM25": {"2024-25": (402, 655), "2025-26": (421, 668)},
    "WAL-PM27": {"2024-25": (9, 118), "2025-26": (7, 124)},
    "WAL-PM19": {"2024-25": (41, 9800, "4.18"), "2025-26": (37, 9900, "3.74")},  # per 1,000 aged 75+
    "WAL-CH012": {"2024-25": (377, None), "2025-26": (402, None)},
}
ADULT_CODES = {"WAL-PM19", "WAL-PM20A", "WAL-PM20B", "WAL-PM23"}
# Measures of success for the plan's themes: code -> words in the objective's statement
PLAN_LINKS = {"WAL-PM24": "assessed within", "WAL-PM33": "placements", "WAL-PM25": "live with their families"}

JERSEY_BODIES = {
    "council": "States Assembly",
    "executive": "Council of Ministers",
    "executive_member": "Minister for Children and Families",
    "scrutiny": "Children, Education and Home Affairs Scrutiny Panel",
    "external_auditor": "Comptroller and Auditor General",
    "public_accounts": "Public Accounts Committee",
}
# (code, title, unit, polarity, numerator, denominator, quarterly (n, d) from 2025-26 Q1)
JERSEY_MEASURES = [
    ("JE-CSW-PERMANENT", "Children's social work posts filled by permanent staff", "percent", "higher_is_better",
     "posts filled by permanent social workers at the quarter end", "established social work posts",
     [(31, 52), (32, 52), (33, 52), (35, 54), (36, 54), (38, 54)]),
    ("JE-CP-REVIEW-ONTIME", "Child protection review conferences held on time", "percent", "higher_is_better",
     "review conferences held within the island's timescale", "review conferences due in the quarter",
     [(21, 27), (24, 29), (22, 25), (27, 30), (26, 28), (29, 31)]),
    ("JE-VCSE-CONTRACTS-KNOWN", "Value of care services bought from the voluntary, community and social "
     "enterprise sector that is recorded in the contracts register", "percent", "higher_is_better",
     "contract value recorded in the register (£000)", "payments to VCSE providers (£000)",
     [(4100, 9800), (5300, 9900), (6200, 10100), (7400, 10200), (8100, 10300), (8900, 10400)]),
]
QUARTERS = ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2026-27-Q1", "2026-27-Q2"]


def load(org, progress):
    """Load Glanmor's and Jersey's parts; ``org`` (Demoshire) is returned untouched."""
    glanmor, access = other_organisation("glanmor")
    with scoped_to(glanmor):
        progress("Glanmor: units, the children's service and financial plan, Wales's measures and a report")
        load_glanmor(glanmor, access)
    jersey, access = other_organisation("jersey")
    with scoped_to(jersey):
        progress("Jersey: the names of its bodies, local measures and an integrated report")
        load_jersey(jersey, access)
    return org


def _units(access):
    from carestat.core import services as core
    from carestat.core.models import Unit, UnitKind

    top = Unit.objects.filter(organisation=access.organisation, parent=None).first()
    children = core.add_unit(access, name="Children's Services", kind=UnitKind.SERVICE, parent=top)
    adults = core.add_unit(access, name="Adult Services", kind=UnitKind.SERVICE, parent=top)
    for name in ("Information, Advice and Assistance", "Child Protection", "Looked After Children"):
        core.add_unit(access, name=name, kind=UnitKind.TEAM, parent=children)
    for name in ("Adult Safeguarding", "Reablement"):
        core.add_unit(access, name=name, kind=UnitKind.TEAM, parent=adults)
    return {"children": children, "adults": adults}


THEMES = [
    ("Quality of practice", ["Children and families are assessed within the statutory 42 working days"],
     "Introduce a daily referral and assessment huddle", dt.date(2025, 9, 30)),
    ("Workforce capacity", ["A stable, permanent social work workforce with manageable caseloads"],
     "Grow our own social workers through a trainee programme", dt.date(2026, 3, 31)),
    ("Commissioning", ["Children looked after have stable placements close to home, with fewer placements"],
     "Open two in-house children's homes", dt.date(2026, 12, 31)),
    ("Service and financial performance", ["More children live with their families, safely, within a "
                                           "balanced budget"],
     "Expand the edge of care service", dt.date(2027, 3, 31)),
]


def _plan(access, units):
    from carestat.plans import services as plans

    plan = plans.create_plan(access, kind="service_financial",
                             title="Children's Services 3-year service and financial plan 2025-28",
                             start=dt.date(2025, 4, 1), end=dt.date(2028, 3, 31), owner_unit=units["children"],
                             description="Four themes, a financial model, risks, mitigations and measures, "
                                         "monitored and challenged each quarter.")
    objectives = []
    for theme, statements, action_title, due in THEMES:
        priority = plans.add_priority(access, plan, title=theme)
        for statement in statements:
            objective = plans.add_objective(access, priority, statement=statement)
            objectives.append(objective)
            action = plans.add_action(access, objective, title=action_title, due=due, lead_unit=units["children"],
                                      start=dt.date(2025, 4, 1))
            plans.add_milestone(access, action, title=f"{action_title}: in place", baseline_date=due)
    return plan, objectives


def _case_events(path: Path) -> Path:
    """Adult protection enquiries, about 6 a week, most completed within 7 working days."""
    rng = random.Random(2027)
    rows, day, n = [], CASE_EVENTS_START, 0
    while day <= CASE_EVENTS_END:
        if day.weekday() < 5:
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                n += 1
                received = dt.datetime.combine(day, dt.time(9 + rng.randint(0, 7), rng.choice((0, 15, 30, 45))))
                done = received + dt.timedelta(days=rng.choice((2, 4, 6, 7, 8, 9, 10, 12, 15)), hours=3)
                rows.append([f"APE{n:05d}", f"GP{rng.randint(1, 900):04d}", "adult_protection_enquiry",
                             rng.choice(("Adult Safeguarding North", "Adult Safeguarding South")), "standard",
                             received.isoformat(timespec="minutes"), "",
                             done.isoformat(timespec="minutes") if done.date() <= CASE_EVENTS_END else "", "", ""])
        day += dt.timedelta(days=1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "person_id", "work_type", "team", "priority", "received_at", "first_action_at",
                    "completed_at", "signed_off_at", "outcome"])
        w.writerows(rows)
    return path


def _case_data(org, access):
    """Generate Glanmor's returns and case events and load them as an analyst would."""
    from carestat.analytics.demo import write_children_demo
    from carestat.casedata import services as casedata
    from carestat.core import services as core

    folder = Path(settings.DATA_DIR) / "demo-data" / "glanmor"
    folder.mkdir(parents=True, exist_ok=True)
    files = write_children_demo(folder / "children", seed=2027, years=CHILDREN_YEARS, cin_children=500,
                                lac_children=120, jurisdiction="wales")
    # The generator writes Demoshire's authority code into each census; Glanmor's returns state
    # Glanmor's own (a fictional code), which the loader checks, as it would a real council's.
    core.change_organisation(access, la_code=GLANMOR_LA_CODE)
    org.refresh_from_db(fields=["la_code"])
    if access.organisation is not org:
        access.organisation.refresh_from_db(fields=["la_code"])
    for path in files["cin"]:
        path.write_text(path.read_text(encoding="utf-8").replace("<LEA>999</LEA>", f"<LEA>{GLANMOR_LA_CODE}</LEA>"),
                        encoding="utf-8")
        casedata.ingest(access, [path], compute=False)
    for year in CHILDREN_YEARS:
        paths = [p for p in files["ssda903"] if str(year) in p.name]
        casedata.ingest(access, paths, year=year, compute=False)
    casedata.ingest(access, [_case_events(folder / "case_events.csv")], format="case_events", compute=False)
    casedata.compute_measures_for(org, access.user)


def load_glanmor(org, access):
    from carestat.core.models import ReportingPeriod
    from carestat.measures import services as measures
    from carestat.measures.models import Measure
    from carestat.reports import services as reports

    units = _units(access)
    plan, objectives = _plan(access, units)
    _case_data(org, access)
    for code, values in ENTERED.items():
        m = Measure.objects.filter(organisation=org, code=code).first() or measures.adopt_measure(
            access, code, frequency="annual", owner_unit=units["adults" if code in ADULT_CODES else "children"])
        for year, (n, d, *value) in values.items():
            if d is None:
                measures.enter_value(access, m, period=year, value=n)
            else:
                measures.enter_value(access, m, period=year, numerator=n, denominator=d,
                                     value=value[0] if value else None)
    targets = {"WAL-PM24": 90, "WAL-PM33": 9, "WAL-PM18": 90}
    for code, value in targets.items():
        m = Measure.objects.filter(organisation=org, code=code).first()
        if m is not None:
            measures.set_target(access, m, period="2025-26", value=value)
    for code, words in PLAN_LINKS.items():
        m = Measure.objects.filter(organisation=org, code=code).first()
        objective = next((o for o in objectives if words in o.statement), None)
        if m is not None and objective is not None:
            measures.link_objective(access, m, objective)
    period = ReportingPeriod.objects.get(organisation=org, identifier="2026-27-Q2")
    reports.create_report(access, period=period, scope="organisation",
                          title="Social services performance report: Wales's performance framework",
                          main_messages="This report follows the Welsh Government's performance framework: "
                                        "each measure sits under the quality standard it evidences, beside "
                                        "the Wales figure and its source.")
    return plan


def load_jersey(org, access):
    from carestat.core.models import ReportingPeriod
    from carestat.jurisdictions import services
    from carestat.measures import services as measures
    from carestat.reports import services as reports

    services.set_body_names(access, **JERSEY_BODIES)
    for code, title, unit, polarity, num, den, values in JERSEY_MEASURES:
        m = measures.add_local_measure(access, code=code, title=title, domain="children" if "CSW" in code or
                                       "CP" in code else "commissioning", unit=unit, polarity=polarity,
                                       numerator=num, denominator=den,
                                       notes="A local measure: no published Jersey definition was found to "
                                             "put in the catalogue.")
        for quarter, (n, d) in zip(QUARTERS, values, strict=True):
            measures.enter_value(access, m, period=quarter, numerator=n, denominator=d)
    period = ReportingPeriod.objects.get(organisation=org, identifier="2026-27-Q2")
    reports.create_report(access, period=period, scope="organisation",
                          title="Health and Care integrated report, 2026-27 Q2",
                          main_messages="For the Minister and the Public Accounts Committee: the directorate's "
                                        "measures, risks and money in one report.")
