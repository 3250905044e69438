"""Demoshire's children's data in the real formats, for demos, tests and the benchmark.

``write_children_demo(out_dir, seed=..., years=(2022, 2023, 2024))`` simulates children's
social care in a fictional county and writes, per collection year (2024 = the year ending
31 March 2024): ``CIN_Census_<year>.xml`` (valid against that year's XSD),
``SSDA903_<year>_header.csv``, ``SSDA903_<year>_episodes.csv``, ``SSDA903_<year>_reviews.csv``
and one ``population_<last year>.csv``.

The simulation keeps one timeline per child and writes each year what the census of that
year holds (activity in the year, dates after the census end blanked), so the files obey
the DfE rules CareStat checks. Its parameters are set so the measures sit near the national
values in reference/measure_catalogue.csv: about 22% re-referrals, 86% of assessments within
45 working days, 81% of ICPCs within 15 working days, about 4% of CP plans lasting 2 years,
roughly 450 children looked after and about 68% long-term stability. Same seed, same files.

``cin_children`` and ``lac_children`` (sizes) scale it: the benchmark uses 50,000 and 10,000.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from carestat.analytics.calendar import calendar_for
from carestat.analytics.periods import financial_year_bounds

ONE_DAY = dt.timedelta(days=1)
DISABILITIES = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT"]
ETHNICITIES = ["WBRI"] * 14 + ["WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "OOTH"]
SOURCES = ["1A", "1B", "2A", "3A", "3B", "3C", "5A", "5B", "6", "8", "9"]
NEEDS = ["N1"] * 55 + ["N2"] * 3 + ["N3"] * 8 + ["N4"] * 14 + ["N5"] * 3 + ["N6"] * 2 + \
    ["N7"] * 3 + ["N8"] * 7 + ["N9"] * 5
ABUSE = ["NEG"] * 50 + ["EMO"] * 37 + ["PHY"] * 7 + ["SAB"] * 4 + ["MUL"] * 2
FACTORS = ["1B", "1C", "2B", "2C", "3A", "3B", "4A", "4B", "5A", "5B", "6A", "6B", "14A"]
FOSTER = ["U1", "U3", "U4", "U5", "U6"]
OTHER_PLACES = ["K2", "R1", "P1", "H5", "S1"]


def fy_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The collection year ending 31 March ``year``."""
    return financial_year_bounds(year - 1)


# -- simulation --------------------------------------------------------------------------
def _simulate_cin(rng: random.Random, n_children: int, first: dt.date, last: dt.date, cal):
    """Children with referral timelines from ``first`` to ``last``."""
    span = (last - first).days
    children = []
    for i in range(n_children):
        dob = first - dt.timedelta(days=rng.randint(60, 17 * 365))
        r = first + dt.timedelta(days=rng.randint(0, span))
        if r <= dob:
            r = dob + dt.timedelta(days=30)
        child: dict[str, Any] = {
            "id": f"DS{i:07d}",
            "upn": f"A{rng.randrange(10**12):012d}" if rng.random() < 0.8 else None,
            "dob": dob,
            "sex": "1" if rng.random() < 0.52 else "2",
            "ethnicity": rng.choice(ETHNICITIES),
            "disabilities": [rng.choice(DISABILITIES)] if rng.random() < 0.12 else ["NONE"],
            "episodes": [],
        }
        while r <= last:
            ep = _referral(rng, r, cal)
            child["episodes"].append(ep)
            closure = ep["closure"]
            if closure is None:
                break
            # about a fifth of referrals follow another within 12 months
            chance = rng.random()
            if chance < 0.36:
                r = closure + dt.timedelta(days=rng.randint(14, 300))
            elif chance < 0.5:
                r = closure + dt.timedelta(days=rng.randint(400, 1500))
            else:
                break
        children.append(child)
    return children


def _referral(rng, r: dt.date, cal) -> dict:
    ep = {"referral": r, "source": rng.choice(SOURCES), "need": rng.choice(NEEDS),
          "nfa": False, "assessments": [], "s47": [], "cpps": [], "closure": None,
          "reason": None}
    if rng.random() < 0.07:
        ep["nfa"] = True
        ep["need"] = None
        ep["closure"] = r + dt.timedelta(days=rng.randint(0, 2))
        ep["reason"] = "RC8"
        return ep
    start = r + dt.timedelta(days=rng.randint(0, 3))
    within = rng.random() < 0.86
    duration = rng.randint(8, 45) if within else rng.randint(46, 85)
    auth = cal.add_working_days(start, duration)
    ep["assessments"].append({"start": start, "auth": auth,
                              "factors": rng.sample(FACTORS, rng.randint(1, 3))})
    done = auth
    if rng.random() < 0.22:
        s47 = start + dt.timedelta(days=rng.randint(0, 4))
        if rng.random() < 0.55:
            wd = rng.randint(5, 15) if rng.random() < 0.81 else rng.randint(16, 30)
            icpc = cal.add_working_days(s47, wd)
            ep["s47"].append({"start": s47, "icpc": icpc, "not_required": False})
            if rng.random() < 0.8:
                length = rng.randint(740, 1000) if rng.random() < 0.06 else \
                    rng.randint(60, 700)
                end = icpc + dt.timedelta(days=length)
                ep["cpps"].append({"start": icpc, "end": end, "category": rng.choice(ABUSE)})
                done = max(done, end)
            else:
                done = max(done, icpc)
        else:
            ep["s47"].append({"start": s47, "icpc": None, "not_required": True})
    ep["closure"] = done + dt.timedelta(days=rng.randint(1, 200))
    ep["reason"] = rng.choice(["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7"])
    return ep


def _simulate_lac(rng: random.Random, n_children: int, first: dt.date, last: dt.date):
    """Children looked after: periods of care made of episodes, from ``first`` to ``last``."""
    span = (last - first).days
    children = []
    for i in range(n_children):
        start = first + dt.timedelta(days=rng.randint(0, span))
        age_days = rng.randint(0, 17 * 365 - 200)
        dob = start - dt.timedelta(days=age_days)
        child: dict[str, Any] = {"id": f"DL{i:07d}", "dob": dob,
                                 "sex": "1" if rng.random() < 0.55 else "2", "episodes": []}
        if rng.random() < 0.04:  # short breaks: V3 stays, each its own period of care
            day = start
            while day <= last:
                end = day + dt.timedelta(days=rng.randint(2, 10))
                child["episodes"].append({"decom": day, "dec": end, "rne": "S", "ls": "V3",
                                          "cin": "N1", "place": "K2", "rec": "E8"})
                day = end + dt.timedelta(days=rng.randint(40, 120))
            children.append(child)
            continue
        stay_days = int(rng.expovariate(1 / 900))
        end_of_care = start + dt.timedelta(days=max(stay_days, 14))
        eighteenth = dt.date(dob.year + 18, dob.month, min(dob.day, 28))
        end_of_care = min(end_of_care, eighteenth)
        stable = rng.random() < 0.8
        need = rng.choice(NEEDS[:-5])
        ls = "V2" if rng.random() < 0.25 else "C2"
        place = rng.choice(FOSTER) if rng.random() < 0.8 else rng.choice(OTHER_PLACES)
        day, rne = start, "S"
        while True:
            mean = 2600 if stable else 220
            length = max(int(rng.expovariate(1 / mean)), 7)
            nxt = day + dt.timedelta(days=length)
            ep = {"decom": day, "dec": None, "rne": rne, "ls": ls, "cin": need,
                  "place": place, "rec": None}
            child["episodes"].append(ep)
            if nxt >= end_of_care:
                ep["dec"] = end_of_care
                ep["rec"] = rng.choice(["E4A", "E13", "E8", "E11", "E41"])
                break
            ep["dec"] = nxt
            ep["rec"] = "X1"
            day = nxt
            change = rng.random()
            if change < 0.6:
                rne, place = "P", rng.choice(FOSTER + OTHER_PLACES)
            elif change < 0.8:
                rne = "L"
                ls = "C2" if ls != "C2" else "C1"
            else:
                rne, place = "T", place
        children.append(child)
    return children


# -- writers: real formats ---------------------------------------------------------------
def _el(tag: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        value = value.isoformat()
    return f"<{tag}>{escape(str(value))}</{tag}>"


def cin_census_xml(children: list[dict], year: int, *, lea: str = "999") -> str:
    """A CIN census document for collection ``year`` from already-filtered child dicts.

    A child dict: id, upn, dob, sex ("1"/"2", or "M"/"F" from 2025), ethnicity,
    disabilities, episodes [{referral, source, need, closure, reason, nfa, assessments
    [{start, auth, factors}], s47 [{start, icpc, not_required}], cpps [{start, end,
    category}]}].
    """
    sex_tag = "Sex" if year > 2024 else "GenderCurrent"
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n<Message><Header><CollectionDetails>"
        f"<Collection>CIN</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source>"
        f"<SourceLevel>L</SourceLevel><LEA>{lea}</LEA><SoftwareCode>Demoshire</SoftwareCode>"
        f"<Release>1</Release><SerialNo>001</SerialNo><DateTime>{year}-05-01T09:00:00"
        "</DateTime></Source></Header><Children>\n"
    ]
    for c in children:
        sex = c["sex"]
        if year > 2024:
            sex = {"1": "M", "2": "F"}.get(sex, sex)
        parts = [
            "<Child><ChildIdentifiers>", _el("LAchildID", c["id"]), _el("UPN", c.get("upn")),
            _el("UPNunknown", None if c.get("upn") else "UN1"),
            _el("PersonBirthDate", c.get("dob")),
            _el("ExpectedPersonBirthDate", c.get("expected_dob")), _el(sex_tag, sex),
            "</ChildIdentifiers><ChildCharacteristics>", _el("Ethnicity", c["ethnicity"]),
            "<Disabilities>", *(_el("Disability", d) for d in c["disabilities"]),
            "</Disabilities></ChildCharacteristics>",
        ]
        for ep in c["episodes"]:
            parts += ["<CINdetails>", _el("CINreferralDate", ep["referral"]),
                      _el("ReferralSource", ep["source"]), _el("PrimaryNeedCode", ep["need"]),
                      _el("CINclosureDate", ep["closure"]),
                      _el("ReasonForClosure", ep["reason"] if ep["closure"] else None)]
            for a in ep["assessments"]:
                parts += ["<Assessments>", _el("AssessmentActualStartDate", a["start"]),
                          _el("AssessmentAuthorisationDate", a["auth"])]
                if a["auth"] and a.get("factors"):
                    parts += ["<FactorsIdentifiedAtAssessment>",
                              *(_el("AssessmentFactors", f) for f in a["factors"]),
                              "</FactorsIdentifiedAtAssessment>"]
                parts.append("</Assessments>")
            for s in ep["s47"]:
                parts += ["<Section47>", _el("S47ActualStartDate", s["start"]),
                          _el("DateOfInitialCPC", s["icpc"]),
                          _el("ICPCnotRequired", "true" if s["not_required"] else "false"),
                          "</Section47>"]
            parts.append(_el("ReferralNFA", "true" if ep["nfa"] else "false"))
            for p in ep["cpps"]:
                parts += ["<ChildProtectionPlans>", _el("CPPstartDate", p["start"]),
                          _el("CPPendDate", p["end"]),
                          _el("InitialCategoryOfAbuse", p["category"]),
                          _el("LatestCategoryOfAbuse", p["category"]),
                          _el("NumberOfPreviousCPP", 1), "</ChildProtectionPlans>"]
            parts.append("</CINdetails>")
        parts.append("</Child>\n")
        out.append("".join(parts))
    out.append("</Children></Message>\n")
    return "".join(out)


def census_view(child: dict, year: int) -> dict | None:
    """What collection ``year``'s census holds for a child, or None if nothing."""
    s, e = fy_bounds(year)
    eps = []
    for ep in child["episodes"]:
        r, closure = ep["referral"], ep["closure"]
        if r > e or (closure is not None and closure < s):
            continue
        view = dict(ep, closure=closure if closure and closure <= e else None)
        view["assessments"] = [
            dict(a, auth=a["auth"] if a["auth"] and a["auth"] <= e else None)
            for a in ep["assessments"]
            if (a["auth"] and s <= a["auth"] <= e) or (s <= a["start"] <= e and
                                                      (a["auth"] is None or a["auth"] > e))
        ]
        view["s47"] = [
            dict(x, icpc=x["icpc"] if x["icpc"] and x["icpc"] <= e else None)
            for x in ep["s47"]
            if (x["icpc"] and s <= x["icpc"] <= e) or (s <= x["start"] <= e and
                                                      (x["icpc"] is None or x["icpc"] > e))
        ]
        view["cpps"] = [
            dict(p, end=p["end"] if p["end"] and p["end"] <= e else None)
            for p in ep["cpps"] if p["start"] <= e and (p["end"] is None or p["end"] >= s)
        ]
        eps.append(view)
    if not eps:
        return None
    return dict(child, episodes=eps)


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def write_903_year(children: list[dict], year: int, out_dir: Path) -> list[Path]:
    """SSDA903 header, episodes and reviews CSVs for ``year`` from simulated children."""
    s, e = fy_bounds(year)
    header_rows, episode_rows, review_rows = [], [], []
    for c in children:
        eps = [ep for ep in c["episodes"] if ep["decom"] <= e and
               (ep["dec"] is None or ep["dec"] >= s)]
        if not eps:
            continue
        header_rows.append([c["id"], c["sex"], _fmt(c["dob"]), "WBRI", "UN2", "", ""])
        for ep in eps:
            dec = ep["dec"] if ep["dec"] and ep["dec"] <= e else None
            episode_rows.append([c["id"], _fmt(ep["decom"]), ep["rne"], ep["ls"], ep["cin"],
                                 ep["place"], "PR1", _fmt(dec), ep["rec"] if dec else "",
                                 "", "", "", ""])
            review = ep["decom"] + dt.timedelta(days=20)
            if ep["ls"] not in ("V3", "V4") and s <= review <= e and \
                    (ep["dec"] is None or review < ep["dec"]):
                review_rows.append([c["id"], _fmt(c["dob"]), _fmt(review), "PN1"])
    files = []
    for name, cols, rows in (
        ("header", ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], header_rows),
        ("episodes", ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                      "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
         episode_rows),
        ("reviews", ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"], review_rows),
    ):
        path = out_dir / f"SSDA903_{year}_{name}.csv"
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            w.writerows(rows)
        files.append(path)
    return files


def write_population(out_dir: Path, year: int, *, scale: float = 1.0) -> Path:
    """Mid-year population estimates by age band and sex (Demoshire: ~130,000 children)."""
    bands = {"under 1": 7000, "1-4": 29000, "5-9": 38000, "10-15": 46000, "16+": 15000}
    path = out_dir / f"population_{year}.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["year", "age_band", "sex", "population"])
        for band, total in bands.items():
            male = round(total * scale * 0.512)
            w.writerow([year, band, "male", male])
            w.writerow([year, band, "female", round(total * scale) - male])
    return path


def write_children_demo(out_dir: str | Path, *, seed: int = 2024,
                        years: tuple[int, ...] = (2022, 2023, 2024),
                        cin_children: int = 7000, lac_children: int = 1700,
                        jurisdiction: str = "england") -> dict[str, list[Path]]:
    """Write Demoshire's files; returns {"cin": [...], "ssda903": [...], "population": [...]}.

    ``cin_children``: children ever referred over the simulated span (the default gives about
    2,000 children in need a year); ``lac_children``: children ever looked after.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cal = calendar_for(jurisdiction)
    first_year, last_year = min(years), max(years)
    # start the simulation early so the first written year has a realistic history
    cin_first = dt.date(first_year - 6, 4, 1)
    sim_end = dt.date(last_year, 3, 31)
    cin = _simulate_cin(rng, cin_children, cin_first, sim_end, cal)
    lac = _simulate_lac(rng, lac_children, dt.date(first_year - 6, 4, 1), sim_end)
    written: dict[str, list[Path]] = {"cin": [], "ssda903": [], "population": []}
    for year in sorted(years):
        views = [v for v in (census_view(c, year) for c in cin) if v is not None]
        path = out / f"CIN_Census_{year}.xml"
        path.write_text(cin_census_xml(views, year), encoding="utf-8")
        written["cin"].append(path)
        written["ssda903"].extend(write_903_year(lac, year, out))
    written["population"].append(write_population(out, last_year))
    return written
