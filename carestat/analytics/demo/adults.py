"""Demoshire's adult social care data in the real formats, for the demo.

``write_adults_demo`` writes, for ``years`` financial years from ``start``:

* ``case_events.csv``: the CareStat case-event extract on the last day: OT assessments
  whose backlog builds while demand outruns the team and is then cleared by a managed
  service adding about 40 completions a week for 26 weeks; DoLS applications with a
  backlog that an agency of best interest assessors starts to reduce in the final year;
  safeguarding concerns of both priorities, mostly within 24 hours / 3 days to first action
  and 5 days to sign-off; Care Act assessments and reviews at a steady state;
* ``cld/cld_<year>_Q<n>.csv``: quarterly CLD submissions, each a rolling 12 months, with the
  date each would have been loaded (a fortnight after the quarter's deadline), for a county
  of Demoshire's size: about 10,000 people with long-term support a year, 650 permanent
  admissions to care homes aged 65+ and 50 aged 18-64;
* ``population_adults_<first>-<last>.csv``: mid-year estimates of the adults by age band and
  sex for each financial year's first calendar year (about 340,000 aged 18-64 and 115,000
  aged 65+), so ASCOF-2B and 2C come near the English rates (about 14 and 550-600 per
  100,000);
* ``workforce/csww_<year>.xml``: the children's social work workforce census for each
  30 September, with rates near the 2023 national figures in the catalogue (agency 17.8%,
  vacancy 18.9%, turnover 15.9%, 16 cases per case-holding FTE).

Deterministic for a seed; about 25,000 case events and 30,000 rows in each CLD file.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

from carestat.analytics.measures.adults import _add_months
from carestat.analytics.periods import financial_year_label, financial_year_start

DEMO_OPS_TARGETS = {
    "safeguarding_concern": {
        "urgent": {"first_action_hours": 24},
        "standard": {"first_action_days": 3},
        "*": {"signoff_days": 5},
    },
    "care_act_assessment": {"*": {"first_action_days": 7}},
    "ot_assessment": {"*": {"first_action_days": 10}},
    "dols_application": {"urgent": {"first_action_days": 7}, "standard": {"first_action_days": 21}},
}
CASE_EVENT_HEADER = ["item_id", "person_id", "work_type", "team", "priority", "received_at",
                     "first_action_at", "completed_at", "signed_off_at", "outcome"]


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth for small means, normal approximation above (weekly counts here are < 100)
    if mean > 30:
        return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8) + dt.timedelta(
        minutes=rng.randrange(0, 10 * 60))


def _weekday_in(rng: random.Random, monday: dt.date) -> dt.date:
    return monday + dt.timedelta(days=rng.randrange(0, 5))


def _fmt(ts: dt.datetime | None) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M") if ts else ""


def _queue(rng, *, name, team, first, weeks, arrivals, capacity, priority, first_action,
           outcome, persons, items, end):
    """A FIFO queue simulated week by week; capacity(week_index) completions a week."""
    waiting: list[dict] = []
    for w in range(weeks):
        monday = first + dt.timedelta(weeks=w)
        for _ in range(_poisson(rng, arrivals(w))):
            day = _weekday_in(rng, monday)
            received = _office_time(rng, day)
            item = {
                "item_id": f"{name[:3].upper()}-{len(items) + 1:06d}",
                "person_id": f"DS{rng.randrange(1, persons):07d}",
                "work_type": name,
                "team": team(rng),
                "priority": priority(rng),
                "received_at": received,
            }
            item["first_action_at"] = first_action(rng, item)
            items.append(item)
            waiting.append(item)
        waiting.sort(key=lambda i: i["received_at"])
        done = min(len(waiting), _poisson(rng, capacity(w)))
        for item in waiting[:done]:
            day = _weekday_in(rng, monday)
            completed = max(_office_time(rng, day), item["received_at"] + dt.timedelta(hours=2))
            if item["first_action_at"] is None or item["first_action_at"] > completed:
                item["first_action_at"] = completed
            item["completed_at"] = completed
            item["outcome"] = outcome(rng)
        waiting = waiting[done:]
    for item in items:
        for key in ("first_action_at", "completed_at", "signed_off_at"):
            if item.get(key) and item[key].date() >= end:
                item[key] = None  # after the extract: not known yet
        if item.get("completed_at") is None:
            item["signed_off_at"] = None
            item["outcome"] = None


def write_case_events(path: Path, *, rng: random.Random, start: dt.date, end: dt.date) -> Path:
    first = start - dt.timedelta(days=start.weekday())
    weeks = (end - first).days // 7
    items: list[dict] = []
    persons = 30000
    managed_from = (start + dt.timedelta(days=int(365 * 1.5)) - first).days // 7
    bia_from = (dt.date(start.year + 2, 4, 1) - first).days // 7 if weeks > 104 else weeks

    def near(hours_mean):
        return lambda rng, item: item["received_at"] + dt.timedelta(
            hours=rng.expovariate(1 / hours_mean))

    _queue(rng, name="ot_assessment", team=lambda r: r.choice(["OT North", "OT South"]),
           first=first, weeks=weeks, arrivals=lambda w: 50,
           capacity=lambda w: 44 + (40 if managed_from <= w < managed_from + 26 else 0)
           + (6 if w >= managed_from + 26 else 0),
           priority=lambda r: "urgent" if r.random() < 0.1 else "standard",
           first_action=near(96), outcome=lambda r: r.choice(["equipment", "adaptation", "advice"]),
           persons=persons, items=items, end=end)
    _queue(rng, name="dols_application", team=lambda r: "DoLS Team", first=first, weeks=weeks,
           arrivals=lambda w: 12, capacity=lambda w: 9 + (6 if w >= bia_from else 0),
           priority=lambda r: "urgent" if r.random() < 0.2 else "standard",
           first_action=near(24 * 10), outcome=lambda r: r.choice(["granted", "granted", "not granted"]),
           persons=persons, items=items, end=end)
    _queue(rng, name="care_act_assessment", team=lambda r: r.choice(["Locality East", "Locality West"]),
           first=first, weeks=weeks, arrivals=lambda w: 30, capacity=lambda w: 31,
           priority=lambda r: "standard", first_action=near(72),
           outcome=lambda r: r.choice(["eligible needs", "eligible needs", "no eligible needs"]),
           persons=persons, items=items, end=end)
    _queue(rng, name="review", team=lambda r: "Review Team", first=first, weeks=weeks,
           arrivals=lambda w: 25, capacity=lambda w: 26, priority=lambda r: "standard",
           first_action=near(24 * 5), outcome=lambda r: r.choice(["no change", "package changed"]),
           persons=persons, items=items, end=end)
    # Safeguarding concerns are triaged at once, not queued.
    for w in range(weeks):
        monday = first + dt.timedelta(weeks=w)
        for _ in range(_poisson(rng, 40)):
            received = _office_time(rng, _weekday_in(rng, monday))
            urgent = rng.random() < 0.25
            target = 24 if urgent else 72
            late = rng.random() < (0.06 if urgent else 0.09)
            act_h = target * (1 + rng.random()) if late else target * rng.random() * 0.9
            done = received + dt.timedelta(days=rng.uniform(1, 20))
            first_action = min(received + dt.timedelta(hours=act_h), done)
            signoff = None
            r = rng.random()
            if r > 0.03:  # 3% never signed off
                signoff = (done + dt.timedelta(days=rng.uniform(0.1, 2))) if r > 0.15 else (
                    done + dt.timedelta(days=rng.uniform(3, 10)))
                signoff = max(signoff, done)
            # sign-off within 5 days of receipt for most concerns closed quickly
            if signoff and rng.random() < 0.75:
                done = received + dt.timedelta(days=rng.uniform(0.5, 3.5))
                first_action = min(first_action, done)
                signoff = done + dt.timedelta(hours=rng.uniform(1, 24))
            items.append({
                "item_id": f"SAF-{len(items) + 1:06d}",
                "person_id": f"DS{rng.randrange(1, persons):07d}",
                "work_type": "safeguarding_concern",
                "team": "Safeguarding Hub",
                "priority": "urgent" if urgent else "standard",
                "received_at": received,
                "first_action_at": first_action,
                "completed_at": done,
                "signed_off_at": signoff,
                "outcome": rng.choice(["section 42 enquiry", "other enquiry", "no further action"]),
            })
    for item in items:
        for key in ("first_action_at", "completed_at", "signed_off_at"):
            if item.get(key) and item[key].date() >= end:
                item[key] = None
        if item.get("completed_at") is None:
            item["signed_off_at"] = None
            item["outcome"] = None
    items.sort(key=lambda i: i["received_at"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CASE_EVENT_HEADER)
        for i in items:
            writer.writerow([i["item_id"], i["person_id"], i["work_type"], i["team"], i["priority"],
                        _fmt(i["received_at"]), _fmt(i.get("first_action_at")),
                        _fmt(i.get("completed_at")), _fmt(i.get("signed_off_at")),
                        i.get("outcome") or ""])
    return path


# ---- CLD -------------------------------------------------------------------------------

CLD_HEADER = ["LA Code", "LA Name", "Reporting Period Start Date", "Reporting Period End Date",
              "LA Person Unique Identifier", "NHS Number", "First Name", "Last Name",
              "Gender", "Date of Birth", "Date of Death", "Client Type",
              "Primary Support Reason", "Postcode", "Accommodation Status", "Event Type",
              "Event Reference", "Event Start Date", "Event End Date", "Event Outcome",
              "Request: Route of Access", "Assessment Type", "Service Type",
              "Service Component", "Delivery Mechanism", "Review Reason", "Unit Cost",
              "Cost Frequency (Unit Type)", "Planned units per week"]
ACCOMMODATION = [
    ("Owner occupier or shared ownership scheme", 0.45),
    ("Tenant - Local Authority/Arms Length Management Organisation/Registered Social "
     "Landlord/Housing Association", 0.2),
    ("Tenant - private landlord", 0.07),
    ("Settled mainstream housing with family / friends (including flat-sharing)", 0.13),
    ("Supported accommodation / supported lodgings / supported group home", 0.08),
    ("Sheltered housing / extra care housing / other sheltered housing", 0.07),
]
PSR = ["Physical Support: Personal care support", "Physical Support: Access & mobility only",
       "Support with Memory & Cognition", "Learning Disability Support", "Mental Health Support"]
# Adults first seen over the simulated span (two years of history, then the demo's years):
# about 7,000 a year, so about 10,000 people have long-term support in a year, as in an
# English county of Demoshire's size (some 600,000 people).
CLD_PEOPLE = 36000
# Share of those going on to long-term support whose support is a care home placement. With
# the population below, permanent admissions come near the English rates per 100,000 (ASCOF
# 2B about 14 aged 18-64, 2C 550-600 aged 65+); the 65+ share also sets ASCOF-2E (about 70%).
RESIDENTIAL_65_PLUS = 0.25
RESIDENTIAL_18_64 = 0.03


def _pick(rng, weighted):
    r, acc = rng.random(), 0.0
    for value, w in weighted:
        acc += w
        if r < acc:
            return value
    return weighted[-1][0]


def _simulate_cld(rng: random.Random, start: dt.date, end: dt.date) -> list[dict]:
    """Events for Demoshire's adults from two years before ``start`` to ``end``."""
    history = dt.date(start.year - 2, start.month, start.day)
    days = (end - history).days
    events: list[dict] = []
    for n in range(1, CLD_PEOPLE + 1):
        age = rng.choice([rng.randint(18, 64), rng.randint(65, 99), rng.randint(65, 99)])
        first_day = history + dt.timedelta(days=rng.randrange(days))
        person = {
            "id": f"AD{n:06d}",
            "nhs": f"9{rng.randrange(10**8, 10**9)}",
            "gender": rng.choice(["Male", "Female"]),
            "birth": dt.date(first_day.year - age, rng.randint(1, 12), 1),
            "psr": rng.choice(PSR),
            "accommodation": _pick(rng, ACCOMMODATION),
            "death": None,
        }
        if age >= 75 and rng.random() < 0.2:
            person["death"] = first_day + dt.timedelta(days=rng.randint(60, 900))

        def add(etype, s, e, person=person, **kw):
            if person["death"] and s > person["death"]:
                return
            events.append({"person": person, "type": etype, "start": s, "end": e,
                           "ref": f"EV{len(events) + 1:07d}", **kw})

        request_end = first_day + dt.timedelta(days=rng.randint(0, 5))
        add("Request", first_day, request_end, route=rng.choice(
            ["Community / other route", "Discharge from hospital"]),
            outcome="Progress to Assessment")
        assess_end = request_end + dt.timedelta(days=rng.randint(7, 40))
        path = rng.random()
        if path < 0.35:  # reablement first
            add("Assessment", request_end, assess_end, atype="Short term assessment",
                outcome="Progress to Reablement/ST-Max")
            st_end = assess_end + dt.timedelta(days=rng.randint(14, 42))
            ongoing = rng.random() < 0.3
            add("Service", assess_end, st_end, stype="Short Term Support: ST-Max",
                component="Reablement", outcome="Progress to Support Planning / Services"
                if ongoing else "Service ended as planned")
            if not ongoing:
                continue
            lts_start = st_end + dt.timedelta(days=rng.randint(1, 30))
        elif path < 0.55:
            add("Assessment", request_end, assess_end, atype="Long term assessment",
                outcome="NFA - Information & Advice / Signposting only")
            continue
        else:
            add("Assessment", request_end, assess_end, atype="Long term assessment",
                outcome="Progress to Support Planning / Services")
            lts_start = assess_end + dt.timedelta(days=rng.randint(1, 20))
        residential = rng.random() < (RESIDENTIAL_65_PLUS if age >= 65 else RESIDENTIAL_18_64)
        stype = rng.choice(["Long Term Support: Residential Care",
                            "Long Term Support: Nursing Care"]) if residential else \
            "Long Term Support: Community"
        lts_end = lts_start + dt.timedelta(days=int(rng.expovariate(1 / 900)))
        if person["death"] and person["death"] < lts_end:
            lts_end = person["death"]
        delivery = _pick(rng, [("Direct Payment", 0.28), ("CASSR Managed Personal Budget", 0.1),
                               ("CASSR Commissioned Support", 0.62)]) if not residential else \
            "CASSR Commissioned Support"
        if residential:
            person["accommodation"] = "Registered care home" if "Residential" in stype else \
                "Registered nursing home"
        add("Service", lts_start, lts_end if lts_end < end else None, stype=stype,
            component="Home care" if not residential else "Care home placement",
            delivery=delivery)
        review = lts_start + dt.timedelta(days=rng.randint(300, 400))
        while review < min(lts_end, end):
            add("Review", review, review + dt.timedelta(days=rng.randint(0, 14)),
                reason="Planned review", outcome="No change in package")
            review += dt.timedelta(days=365)
    return events


# Home care commissioned by the council (or through a managed personal budget) is costed by
# the hour: about 12.5 planned hours a week each on average (a few calls a day), from 2 to
# 30. A direct payment is costed weekly; care homes weekly. Unit costs are sent, as councils
# send them, but CareStat does not keep them.
HOME_CARE_RATE = "24.80"


def _costing(ev: dict) -> tuple[str, str, str]:
    """(unit cost, cost frequency, planned units per week) of a service event.

    Drawn from a generator of the event's own (seeded by its reference), not the demo's, so
    the rest of the demo (every other figure) is the same as before hours were added."""
    if ev["type"] != "Service" or ev.get("component") == "Reablement":
        return "", "", ""
    if ev.get("component") == "Care home placement":
        return ("1050.00" if "Nursing" in ev["stype"] else "880.00"), "Weekly", "1"
    if ev.get("delivery") == "Direct Payment":
        return "310.00", "Weekly", "1"
    hours = round(random.Random(f"hours {ev['ref']}").triangular(2, 30, 6) * 4) / 4
    return HOME_CARE_RATE, "Hourly", f"{hours:g}"


def _cld_row(ev: dict, period: tuple[dt.date, dt.date]) -> list[str]:
    p = ev["person"]
    start, end = period
    shown_end = ev["end"] if ev["end"] and ev["end"] <= end else None
    death = p["death"] if p["death"] and p["death"] <= end else None
    return [
        "999", "Demoshire", start.isoformat(), end.isoformat(), p["id"], p["nhs"], "Alex",
        "Demo", p["gender"], p["birth"].isoformat(), death.isoformat() if death else "",
        "Service User", p["psr"], "DE1 1AA", p["accommodation"], ev["type"],
        ev["ref"], ev["start"].isoformat(),
        shown_end.isoformat() if shown_end else "", ev.get("outcome", "")
        if ev["type"] != "Service" or shown_end else "", ev.get("route", ""),
        ev.get("atype", ""), ev.get("stype", ""), ev.get("component", ""),
        ev.get("delivery", ""), ev.get("reason", ""), *_costing(ev),
    ]


def write_cld(out_dir: Path, *, rng: random.Random, start: dt.date, end: dt.date) -> list[dict]:
    """Quarterly rolling-12-month submissions from the end of the first year to ``end``."""
    events = _simulate_cld(rng, start, end)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    k = 4  # first submission: the 12 months to the end of the first year
    while True:
        q_end = _add_months(start, 3 * k) - dt.timedelta(days=1)
        if q_end > end:
            break
        p_start = _add_months(start, 3 * k - 12)
        quarter = (q_end.month - 4) % 12 // 3 + 1
        path = out_dir / f"cld_{financial_year_label(financial_year_start(q_end))}_Q{quarter}.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(CLD_HEADER)
            for ev in events:
                if ev["start"] > q_end:
                    continue
                if ev["type"] == "Service":
                    if ev["end"] is not None and ev["end"] < p_start:
                        continue
                elif not (ev["end"] and p_start <= ev["end"] <= q_end):
                    continue
                w.writerow(_cld_row(ev, (p_start, q_end)))
        # the quarterly deadline is about six weeks after the quarter; loaded two weeks later
        files.append({"path": path, "period": (p_start, q_end),
                      "loaded_on": q_end + dt.timedelta(days=56)})
        k += 1
    return files


# ---- Population ------------------------------------------------------------------------

# Demoshire's adults in mid-2024 by age band: (people, share male, growth a year), shaped like
# an English shire county's (more over-65s than England as a whole, the over-75s growing
# fastest). With the children's demo's 135,000 under-18s, about 590,000 people.
ADULT_POPULATION = {
    "18-24": (45500, 0.515, 0.003),
    "25-34": (64000, 0.495, 0.002),
    "35-44": (67000, 0.49, 0.004),
    "45-54": (77000, 0.49, -0.002),
    "55-64": (83500, 0.49, 0.006),
    "65-74": (61000, 0.48, 0.008),
    "75-84": (41000, 0.46, 0.03),
    "85+": (13000, 0.38, 0.015),
}
POPULATION_BASE_YEAR = 2024


def write_population(path: Path, years: range) -> Path:
    """Mid-year estimates of Demoshire's adults by age band and sex, one set per year.

    ASCOF-2B and 2C divide a financial year's admissions by the estimate for the year it
    starts in, so ``years`` are the first calendar years of the financial years covered.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["year", "age_band", "sex", "population"])
        for year in years:
            for band, (people, male_share, growth) in ADULT_POPULATION.items():
                total = round(people * (1 + growth) ** (year - POPULATION_BASE_YEAR))
                male = round(total * male_share)
                w.writerow([year, band, "male", male])
                w.writerow([year, band, "female", total - male])
    return path


# ---- Workforce census --------------------------------------------------------------------

def _xml_el(tag: str, value) -> str:
    return f"<{tag}>{value}</{tag}>" if value not in (None, "") else ""


def write_workforce(path: Path, *, rng: random.Random, census: dt.date, lea: str = "999") -> Path:
    """One CSWW census, valid against the 2022 XSD, with national-like rates."""
    in_post_target = 120.0
    # one dict per worker; values are mixed (dates, numbers, None) as the XML needs them
    workers: list[dict[str, Any]] = []
    n = 0
    fte_in_post = 0.0
    while fte_in_post < in_post_target:
        n += 1
        fte = rng.choice([1.0, 1.0, 1.0, 0.8, 0.6, 0.5])
        fte_in_post += fte
        holds_cases = rng.random() < 0.65
        workers.append({"agency": 0, "fte": fte, "start": census - dt.timedelta(
            days=rng.randint(30, 4000)), "end": None, "role": 5 if holds_cases else
            rng.choice([1, 2, 3, 4, 6]), "cases": None})
    case_fte = sum(w["fte"] for w in workers if w["role"] == 5)
    cases_total = int(round(16.0 * case_fte * rng.uniform(0.95, 1.05)))
    holders = [w for w in workers if w["role"] == 5]
    for w in holders:
        w["cases"] = 0
    for _ in range(cases_total):
        rng.choice(holders)["cases"] += 1
    leaver_fte = 0.159 * fte_in_post * rng.uniform(0.9, 1.1)
    acc = 0.0
    while acc < leaver_fte:
        fte = rng.choice([1.0, 0.8, 0.5])
        acc += fte
        workers.append({"agency": 0, "fte": 0.0, "fte30": fte, "start": census - dt.timedelta(
            days=rng.randint(400, 3000)), "end": census - dt.timedelta(days=rng.randint(1, 360)),
            "role": 5, "cases": None})
    agency_fte = round(0.2165 * fte_in_post * rng.uniform(0.95, 1.05), 2)
    vacancies = round(0.233 * fte_in_post * rng.uniform(0.95, 1.05), 2)
    parts = [
        "<Message>", "<Header><CollectionDetails><Collection>CSWW</Collection>",
        f"<Year>{census.year}</Year><ReferenceDate>{census.isoformat()}</ReferenceDate>",
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel>",
        f"<LEA>{lea}</LEA><SoftwareCode>carestat.demo</SoftwareCode></Source></Header>",
        f"<LALevelVacancies><NumberOfVacancies>{vacancies:.2f}</NumberOfVacancies>"
        f"<NoAgencyFTE>{agency_fte:.2f}</NoAgencyFTE>"
        f"<NoAgencyHeadcount>{int(agency_fte * 1.1) + 1}</NoAgencyHeadcount></LALevelVacancies>",
    ]
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    for w in workers:
        swe = rng.choice(letters) + rng.choice(letters) + f"{rng.randrange(10**9, 10**10)}"
        parts.append(
            "<CSWWWorker>"
            + _xml_el("AgencyWorker", w["agency"]) + _xml_el("SWENo", swe)
            + _xml_el("FTE", f"{w['fte']:.6f}")
            + _xml_el("PersonBirthDate", dt.date(rng.randint(1960, 1998), rng.randint(1, 12),
                                                 rng.randint(1, 28)).isoformat())
            + _xml_el("GenderCurrent", rng.choice([1, 2, 2, 2]))
            + _xml_el("Ethnicity", rng.choice(["WBRI", "WBRI", "WBRI", "BAFR", "AIND", "MWBC"]))
            + _xml_el("QualInst", "Demoshire University")
            + _xml_el("QualLevel", rng.choice([1, 2]))
            + _xml_el("StepUpGrad", 0) + _xml_el("OrgRole", w["role"])
            + _xml_el("RoleStartDate", w["start"].isoformat())
            + _xml_el("StartOrigin", rng.choice([1, 2, 4, 9]))
            + (_xml_el("RoleEndDate", w["end"].isoformat()) + _xml_el("LeaverDestination", 1)
               + _xml_el("ReasonLeave", 1) if w["end"] else "")
            + (_xml_el("FTE30", f"{w['fte30']:.6f}") if w.get("fte30") else "")
            + _xml_el("Cases30", w["cases"])
            + "</CSWWWorker>"
        )
    parts.append("</Message>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n")
    return path


def write_adults_demo(
    out_dir: str | Path, *, seed: int = 2024, start: dt.date = dt.date(2022, 4, 1), years: int = 3
) -> dict:
    """Write Demoshire's adult CLD, population, case events and workforce censuses.

    Returns {"case_events": path, "cld": [{"path", "period", "loaded_on"}, ...],
    "population": path, "workforce": [paths], "ops_targets": DEMO_OPS_TARGETS,
    "extract_date": date}.
    """
    out = Path(out_dir)
    rng = random.Random(seed)
    end = dt.date(start.year + years, start.month, start.day)
    case_events = write_case_events(out / "case_events.csv", rng=rng, start=start, end=end)
    cld = write_cld(out / "cld", rng=rng, start=start, end=end - dt.timedelta(days=1))
    first, last = financial_year_start(start), financial_year_start(end - dt.timedelta(days=1))
    population = write_population(out / f"population_adults_{first}-{last}.csv",
                                  range(first, last + 1))
    workforce = [
        write_workforce(out / "workforce" / f"csww_{y}.xml", rng=rng, census=dt.date(y, 9, 30))
        for y in range(start.year, start.year + years)
        if dt.date(y, 9, 30) < end
    ]
    return {"case_events": case_events, "cld": cld, "population": population,
            "workforce": workforce, "ops_targets": DEMO_OPS_TARGETS, "extract_date": end}
