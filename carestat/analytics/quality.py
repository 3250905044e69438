"""Case-file quality audits: the random sample, allocation to auditors, moderation agreement and
the share graded good or better. No Django.

The sample is reproducible and checkable: the population is sorted by pseudonymised key, split
into strata (sorted by name), and each stratum draws with its own ``random.Random`` seeded by
the round's seed and the stratum's name. Anyone holding the same population, seed and request
gets the same keys, and one stratum's draw does not depend on another's.

Excluded cases (closed, audited recently) are removed before the draw, so they are never
sampled; a stratum asked for more cases than it has eligible is refused, naming the stratum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from carestat.analytics.pseudonymise import Pseudonymiser

# The default grading scale, best first: (value, label).
DEFAULT_SCALE: tuple[tuple[str, str], ...] = (
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("requires_improvement", "Requires improvement"),
    ("inadequate", "Inadequate"),
)
GOOD_OR_BETTER_PLACES = 2  # the first two grades of a scale count as "good or better"

STRATIFY_BY = {"none": "No strata (the whole population)", "team": "Team", "work_type": "Work type",
               "need": "Category of need"}
ALL_CASES = "All cases"

# The case list a council uploads: identifier, team and work type required.
CASE_LIST_REQUIRED = ("person_id", "team", "work_type")
CASE_LIST_OPTIONAL = ("need", "closed", "worker_manager")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

# The file ``carestat quality reidentify`` reads: the council's case list.
REID_REQUIRED = ("person_id", "case_reference")


class SampleError(ValueError):
    """A sample that cannot be drawn as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "strata"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Case:
    """One case of the population, by its pseudonymised key."""

    key: str
    team: str = ""
    work_type: str = ""
    need: str = ""
    closed: bool = False
    manager: str = ""  # the case worker's manager (an email) where the data says so

    def stratum(self, by: str) -> str:
        if by == "none":
            return ALL_CASES
        return getattr(self, by) or "Not recorded"


@dataclass(frozen=True)
class Exclusions:
    """Rules of a round: cases left out before the draw."""

    closed: bool = True
    audited_within_months: int | None = None


@dataclass
class Sample:
    seed: int
    stratify_by: str
    requested: dict[str, int]
    eligible: dict[str, int]  # per stratum, after exclusions
    excluded: dict[str, int]  # per rule: {"closed": n, "recently_audited": n}
    population: int
    cases: list[tuple[str, Case]] = field(default_factory=list)  # (stratum, case), stratum then key order

    @property
    def keys(self) -> list[str]:
        return [c.key for _, c in self.cases]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it has fewer days)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, min(d, day.day))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def strata_of(population: Iterable[Case], by: str) -> Counter:
    return Counter(c.stratum(by) for c in population)


def draw_sample(population: Sequence[Case], *, stratify_by: str, requested: dict[str, int], seed: int,
                exclusions: Exclusions = Exclusions(), last_audited: dict[str, dt.date] | None = None,
                as_of: dt.date | None = None) -> Sample:
    """Draw ``requested[stratum]`` cases at random from each stratum of ``population``.

    Deterministic given the seed and the population (whatever order it comes in): the
    population is sorted by key and each stratum draws with ``Random(f"{seed}:{stratum}")``.
    Excluded cases are removed first. Raises SampleError for an unknown stratification, a
    stratum that does not exist or that has fewer eligible cases than asked for."""
    if stratify_by not in STRATIFY_BY:
        raise SampleError(f"Stratify by one of {', '.join(STRATIFY_BY)} (not ‘{stratify_by}’)", "stratify_by")
    if not requested or not any(n > 0 for n in requested.values()):
        raise SampleError("Ask for at least one case from at least one stratum")
    if any(n < 0 for n in requested.values()):
        raise SampleError("A stratum's number of cases cannot be negative")
    keys = [c.key for c in population]
    if len(set(keys)) != len(keys):
        raise SampleError("The population names a case more than once", "population")
    ordered = sorted(population, key=lambda c: c.key)
    last_audited = last_audited or {}
    cutoff = None
    if exclusions.audited_within_months:
        cutoff = months_before(as_of or dt.date.today(), exclusions.audited_within_months)
    excluded = {"closed": 0, "recently_audited": 0}
    why_out: dict[str, Counter] = defaultdict(Counter)
    by_stratum: dict[str, list[Case]] = defaultdict(list)
    for case in ordered:
        s = case.stratum(stratify_by)
        if exclusions.closed and case.closed:
            excluded["closed"] += 1
            why_out[s]["closed"] += 1
            continue
        when = last_audited.get(case.key)
        if cutoff is not None and when is not None and when > cutoff:
            excluded["recently_audited"] += 1
            why_out[s]["recently audited"] += 1
            continue
        by_stratum[s].append(case)
    known = set(by_stratum) | set(why_out)
    for s in sorted(requested):
        n = requested[s]
        if n and s not in known:
            raise SampleError(f"There is no stratum ‘{s}’ in the population; the strata are "
                              f"{', '.join(sorted(known)) or 'none'}")
        have = len(by_stratum.get(s, []))
        if n > have:
            out = ", ".join(f"{k} {v}" for k, v in sorted(why_out[s].items()))
            raise SampleError(f"Stratum ‘{s}’ asks for {n} cases but has only {have} eligible"
                              + (f" ({out} excluded)" if out else ""))
    sample = Sample(seed=seed, stratify_by=stratify_by, requested={s: n for s, n in sorted(requested.items()) if n},
                    eligible={s: len(v) for s, v in sorted(by_stratum.items())}, excluded=excluded,
                    population=len(ordered))
    for s in sorted(requested):
        n = requested[s]
        if not n:
            continue
        rng = random.Random(f"{seed}:{s}")
        chosen = rng.sample(by_stratum[s], n)
        sample.cases.extend((s, c) for c in sorted(chosen, key=lambda c: c.key))
    return sample


def proportional(strata: dict[str, int], total: int) -> dict[str, int]:
    """``total`` cases shared across strata in proportion to their size (largest remainder),
    none asking for more than the stratum holds."""
    size = sum(strata.values())
    if size == 0 or total <= 0:
        return {s: 0 for s in strata}
    total = min(total, size)
    exact = {s: Decimal(n) * total / size for s, n in strata.items()}
    out = {s: int(v) for s, v in exact.items()}
    left = total - sum(out.values())
    for s in sorted(exact, key=lambda s: (-(exact[s] - out[s]), s))[:left]:
        out[s] += 1
    return out


# Allocation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Auditor:
    id: int
    email: str
    team: str = ""  # the unit they work in (for peer audits: never their own team)
    manages: str = ""  # the team they manage, if a manager


def can_audit(auditor: Auditor, case: Case, *, peer: bool) -> bool:
    """Not the case worker's manager (where the data names one, or the manager of its team),
    and in a peer round not a member of the case's own team."""
    if case.manager and case.manager.lower() == auditor.email.lower():
        return False
    if auditor.manages and case.team and auditor.manages == case.team:
        return False
    if peer and auditor.team and case.team and auditor.team == case.team:
        return False
    return True


def allocate(cases: Sequence[Case], auditors: Sequence[Auditor], *, peer: bool = False, moderation_percent: int = 0,
             seed: int = 0) -> tuple[dict[str, int], dict[str, int]]:
    """Each case to the least-loaded auditor allowed to audit it (ties by id), and a share of
    them to a second auditor to moderate. Returns ({key: auditor id}, {key: moderator id}).
    Raises SampleError naming the first case nobody may audit."""
    if not auditors:
        raise SampleError("Choose at least one auditor", "auditors")
    load: Counter = Counter()
    primary: dict[str, int] = {}
    for case in sorted(cases, key=lambda c: c.key):
        allowed = [a for a in auditors if can_audit(a, case, peer=peer)]
        if not allowed:
            raise SampleError(f"No chosen auditor may audit case {case.key} (team {case.team or 'not recorded'}): "
                              "each is its worker's manager or in its team; add another auditor", "auditors")
        who = min(allowed, key=lambda a: (load[a.id], a.id))
        primary[case.key] = who.id
        load[who.id] += 1
    moderation: dict[str, int] = {}
    if moderation_percent:
        n = int((Decimal(len(cases)) * moderation_percent / 100).to_integral_value(ROUND_HALF_UP))
        by_key = {c.key: c for c in cases}

        def second(key):
            return [a for a in auditors if a.id != primary[key] and can_audit(a, by_key[key], peer=peer)]

        # Only cases a second chosen auditor may look at can be moderated.
        open_to = [k for k in sorted(primary) if second(k)]
        rng = random.Random(f"{seed}:moderation")
        chosen = sorted(rng.sample(open_to, min(n, len(open_to))))
        mload: Counter = Counter()
        for key in chosen:
            allowed = second(key)
            who = min(allowed, key=lambda a: (mload[a.id], load[a.id], a.id))
            moderation[key] = who.id
            mload[who.id] += 1
    return primary, moderation


# Results ----------------------------------------------------------------------------------

def good_or_better(scale: Sequence[str]) -> set[str]:
    return set(scale[:GOOD_OR_BETTER_PLACES])


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    good: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.good, self.total)


def share_good(grades: Iterable[str], scale: Sequence[str]) -> Share:
    """How many of ``grades`` are good or better on ``scale`` (best first)."""
    grades = [g for g in grades if g]
    top = good_or_better(scale)
    return Share(sum(1 for g in grades if g in top), len(grades))


def agreement(pairs: Iterable[tuple[str, str, str]]) -> dict[str, Share]:
    """Agreement per question between an audit and its moderation: ``pairs`` of
    (question code, auditor's grade, moderator's grade); a question counts where both graded."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, first, second in pairs:
        if not first or not second:
            continue
        out[code][1] += 1
        out[code][0] += first == second
    return {code: Share(a, t) for code, (a, t) in sorted(out.items())}


# Case lists -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseListProblem:
    file: str
    row: int  # 1 is the header
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, column {self.column}: {self.message}"


class CaseListInvalid(ValueError):
    def __init__(self, problems: list[CaseListProblem]):
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


def _rows(content: bytes, filename: str, required: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseListInvalid([CaseListProblem(filename, 1, "", "the file is not UTF-8 text (save it as CSV UTF-8)")]) \
            from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise CaseListInvalid([CaseListProblem(filename, 1, c, "this column is missing") for c in missing])
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if not rows:
        raise CaseListInvalid([CaseListProblem(filename, 2, "", "the file has no cases")])
    return header, rows


def read_case_list(content: bytes, filename: str, *, teams: Iterable[str], keyer: Pseudonymiser,
                   kind: str) -> list[Case]:
    """An uploaded case list as a population: every row checked (all or none), identifiers
    keyed with the deployment pseudonymiser (``kind`` as at ingest: "adult" or "child") and
    never kept. Teams must be the organisation's teams."""
    _, rows = _rows(content, filename, CASE_LIST_REQUIRED)
    known = {t.lower(): t for t in teams}
    problems: list[CaseListProblem] = []
    seen: dict[str, int] = {}
    cases = []
    for i, row in enumerate(rows, start=2):
        pid, team = row.get("person_id", ""), row.get("team", "")
        if not pid:
            problems.append(CaseListProblem(filename, i, "person_id", "enter the person's identifier"))
        elif pid.upper() in seen:
            problems.append(CaseListProblem(filename, i, "person_id",
                                            f"the same person is on row {seen[pid.upper()]}; list each case once"))
        else:
            seen[pid.upper()] = i
        if not team:
            problems.append(CaseListProblem(filename, i, "team", "enter the team"))
        elif team.lower() not in known:
            problems.append(CaseListProblem(filename, i, "team", f"‘{team}’ is not one of the organisation's teams"))
        if not row.get("work_type"):
            problems.append(CaseListProblem(filename, i, "work_type", "enter the work type"))
        closed = row.get("closed", "").lower()
        if closed not in YES | NO:
            problems.append(CaseListProblem(filename, i, "closed", f"write yes or no (not ‘{row['closed']}’)"))
        if problems:
            continue
        key = keyer(pid, kind=kind)
        if key is None:  # nothing left of the identifier once cleaned
            problems.append(CaseListProblem(filename, i, "person_id", "enter the person's identifier"))
            continue
        cases.append(Case(key=key, team=known[team.lower()], work_type=row["work_type"],
                          need=row.get("need", ""), closed=closed in YES, manager=row.get("worker_manager", "")))
    if problems:
        raise CaseListInvalid(problems)
    return cases


def reidentify(case_list: bytes, case_list_name: str, sample: bytes, sample_name: str, *,
               keyer: Pseudonymiser) -> list[dict[str, str]]:
    """Map a sample's keys back to the case system's references, locally: each person on the
    council's case list is keyed as at ingest and matched to the sample. Keys with no match are
    listed with an empty reference, so nothing is silently dropped."""
    _, people = _rows(case_list, case_list_name, REID_REQUIRED)
    _, wanted = _rows(sample, sample_name, ("key",))
    found: dict[str, str] = {}
    for row in people:
        for kind in ("adult", "child"):
            key = keyer(row["person_id"], kind=kind)
            if key:
                found.setdefault(key, row["case_reference"])
    return [{"key": w["key"], "stratum": w.get("stratum", ""), "case_reference": found.get(w["key"], "")}
            for w in wanted]


def sample_csv(rows: Iterable[dict[str, str]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return out.getvalue()
