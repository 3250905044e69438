"""Demoshire's measures: three years and more of history (April 2023 to October 2026), entered
by Tom Okafor (contributor) and approved by Priya Shah (manager) through the service functions,
so every value has its audit trail.

- WF-PERMANENT-SHARE (catalogue, quarterly): frontline staff who are permanent, rising to 82%
  against a 70% target; a regional benchmark entered with its source.
- OT-28DAYS (local, monthly): OT assessments completed within 28 days. Extra capacity and
  trusted-assessor triage from April 2025 lifted it from about 60% to about 78%: a genuine
  special-cause improvement (a shift and points above the upper limit). October 2026 is
  entered but still awaits approval.
- ASC-REVIEWS-ONTIME (local, monthly): care and support reviews on time, with a process
  change (a dedicated reviews team from October 2024) from which the limits are recalculated.
- SL-CARERS-LEFT (local, quarterly count, public): Shared Lives carers leaving the scheme;
  small numbers, so its public view shows suppression.

Children's and adults' catalogue measures are left for computed values from case data: no
computed provenance is fabricated here.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from carestat.analytics.periods import parse_period, previous_period
from carestat.core.access import Access
from carestat.core.models import Membership, Unit
from carestat.measures import services
from carestat.measures.catalogue import ensure_catalogue

FIRST_MONTH, LAST_MONTH = "2023-04", "2026-10"
FIRST_QUARTER, LAST_QUARTER = "2023-24-Q1", "2026-27-Q2"
YEARS = ("2023-24", "2024-25", "2025-26", "2026-27")


def _periods(first: str, last: str) -> list[str]:
    out, p = [], parse_period(last)
    while p.label != first:
        out.append(p.label)
        p = previous_period(p)
    return [first, *out[::-1]]


def _access(org, email: str) -> Access:
    m = Membership.objects.select_related("user").get(organisation=org, user__username=email)
    return Access(user=m.user, organisation=org, membership=m)


def _enter(tom: Access, priya: Access, measure, rows, *, leave_last_unapproved: bool = False) -> None:
    for i, (period, numerator, denominator) in enumerate(rows):
        value = services.enter_value(tom, measure, period=period, numerator=numerator, denominator=denominator,
                                     value=None if denominator is not None else numerator,
                                     is_provisional=i == len(rows) - 1)
        if not (leave_last_unapproved and i == len(rows) - 1):
            services.approve_value(priya, value)


def load(org, progress):
    progress("Adding Demoshire's measures with three years of history")
    ensure_catalogue()
    rng = random.Random(2026)
    priya = _access(org, "priya.shah@demoshire.example")
    tom = _access(org, "tom.okafor@demoshire.example")
    units = {u.name: u for u in Unit.objects.filter(organisation=org)}

    # Frontline permanent staff share: quarterly FTE counts, improving to 82% (246 of 300 FTE).
    wf = services.adopt_measure(priya, "WF-PERMANENT-SHARE", frequency="quarterly", tolerance=2,
                                owner_unit=units.get("Workforce and Practice Quality"))
    for year in YEARS:
        services.set_target(priya, wf, period=year, value=70)
    quarters = _periods(FIRST_QUARTER, LAST_QUARTER)
    shares = [66, 67, 66, 68, 69, 71, 72, 74, 75, 77, 78, 80, 81, 82]
    _enter(tom, priya, wf, [(q, round(300 * s / 100), 300) for q, s in zip(quarters, shares, strict=True)])
    services.add_benchmark(priya, wf, kind="regional", name="South East", value=Decimal("78.5"),
                           source="South East regional workforce benchmarking club", year="2025-26")

    # OT assessments within 28 days: a genuine, sustained improvement from April 2025.
    ot = services.add_local_measure(
        priya, code="OT-28DAYS", title="OT assessments completed within 28 days", domain="adults", unit="percent",
        polarity="higher_is_better", numerator="occupational therapy assessments completed in the month within 28 "
        "days of the request", denominator="occupational therapy assessments completed in the month",
        notes="From the OT team's case records; the backlog was 80% OT assessments at the peer challenge.",
        frequency="monthly", owner_unit=units.get("Occupational Therapy"), tolerance=5, is_public=True)
    for year in YEARS:
        services.set_target(priya, ot, period=year, value=75)
    rows = []
    for month in _periods(FIRST_MONTH, LAST_MONTH):
        improved = parse_period(month).start >= dt.date(2025, 4, 1)
        completed = rng.randint(110, 150)
        share = (78 if improved else 60) + rng.uniform(-3.5, 3.5)
        rows.append((month, round(completed * share / 100), completed))
    _enter(tom, priya, ot, rows, leave_last_unapproved=True)
    services.add_benchmark(priya, ot, kind="comparator", name="statistical neighbours", value=Decimal("70.0"),
                           source="OT leads' benchmarking network (Demoshire's statistical neighbours)",
                           year="2025-26")

    # Reviews on time: a process change from which the limits are recalculated.
    reviews = services.add_local_measure(
        priya, code="ASC-REVIEWS-ONTIME", title="Care and support reviews completed on time", domain="adults",
        unit="percent", polarity="higher_is_better", numerator="reviews completed within 12 months of the last",
        denominator="reviews due in the month", frequency="monthly",
        owner_unit=units.get("Adult Social Care Operations"), tolerance=3)
    for year in YEARS:
        services.set_target(priya, reviews, period=year, value=80)
    rows = []
    for month in _periods(FIRST_MONTH, LAST_MONTH):
        after = parse_period(month).start >= dt.date(2024, 10, 1)
        due = rng.randint(180, 220)
        share = (81 if after else 64) + rng.uniform(-4, 4)
        rows.append((month, round(due * share / 100), due))
    _enter(tom, priya, reviews, rows)
    services.record_process_change(priya, reviews, starts_on=dt.date(2024, 10, 1),
                                   reason="A dedicated reviews team started, clearing overdue reviews")

    # Shared Lives carers leaving: small counts, published, so the public view suppresses them.
    carers = services.add_local_measure(
        priya, code="SL-CARERS-LEFT", title="Shared Lives carers leaving the scheme", domain="adults",
        unit="count", polarity="lower_is_better", numerator="approved Shared Lives carers who left in the quarter",
        frequency="quarterly", owner_unit=units.get("Shared Lives Scheme") or units.get("Shared Lives"),
        tolerance=1, is_public=True)
    for year in YEARS:
        services.set_target(priya, carers, period=year, value=3)
    counts = [2, 5, 3, 6, 4, 7, 5, 3, 0, 6, 2, 4, 5, 3]
    _enter(tom, priya, carers, [(q, c, None) for q, c in zip(quarters, counts, strict=True)])
    return org
