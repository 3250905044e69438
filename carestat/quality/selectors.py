"""Reading quality audits: one read layer for pages, API, CLI and the report section, so they
never disagree. Figures are worked out in carestat.analytics.quality."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from carestat.analytics import quality as calc
from carestat.quality.models import (
    AuditAnswer,
    AuditKind,
    AuditRound,
    AuditStatus,
    AuditTool,
    CaseAudit,
    FindingAction,
    Theme,
)


def tools(org) -> list[AuditTool]:
    return list(AuditTool.objects.filter(organisation=org).prefetch_related("versions"))


def rounds(org) -> list[AuditRound]:
    return list(AuditRound.objects.filter(organisation=org).select_related("tool_version__tool"))


@dataclass(frozen=True)
class Progress:
    cases: int
    allocated: int
    drafts: int
    done: int
    moderations: int
    moderated: int


def progress(round_: AuditRound) -> Progress:
    audits = Counter((a, s) for a, s in CaseAudit.objects.filter(round=round_).values_list("kind", "status"))
    allocated = sum(n for (k, _), n in audits.items() if k == AuditKind.AUDIT)
    return Progress(
        cases=round_.cases.count(), allocated=allocated,
        drafts=audits[(AuditKind.AUDIT, AuditStatus.DRAFT)],
        done=audits[(AuditKind.AUDIT, AuditStatus.SUBMITTED)],
        moderations=sum(n for (k, _), n in audits.items() if k == AuditKind.MODERATION),
        moderated=audits[(AuditKind.MODERATION, AuditStatus.SUBMITTED)])


def progress_by_round(org) -> list[tuple[AuditRound, Progress]]:
    return [(r, progress(r)) for r in rounds(org)]


@dataclass
class QuestionResult:
    code: str
    section: str
    text: str
    counts: dict[str, int]
    share: calc.Share
    agreement: calc.Share | None = None


@dataclass
class RoundResults:
    round: AuditRound
    overall: calc.Share
    overall_counts: dict[str, int]
    by_team: dict[str, calc.Share]
    by_stratum: dict[str, calc.Share]
    questions: list[QuestionResult]
    themes: dict[str, int]
    agreement_overall: calc.Share | None = None
    actions: list[FindingAction] = field(default_factory=list)


def round_results(round_: AuditRound) -> RoundResults:
    """Grades of the round's audits that are done: the share good or better overall, by team
    and stratum, per question (with agreement between auditor and moderator), and themes."""
    tv = round_.tool_version
    scale = tv.scale_values
    done = list(CaseAudit.objects.filter(round=round_, status=AuditStatus.SUBMITTED)
                .select_related("case").prefetch_related("themes"))
    primary = [a for a in done if a.kind == AuditKind.AUDIT]
    moderations = {a.case_id: a for a in done if a.kind == AuditKind.MODERATION}
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for audit_id, code, grade in AuditAnswer.objects.filter(audit__in=done).values_list("audit_id", "code", "grade"):
        answers[audit_id][code] = grade
    overall = calc.share_good([a.overall for a in primary], scale)
    teams: dict[str, list[str]] = defaultdict(list)
    strata: dict[str, list[str]] = defaultdict(list)
    for a in primary:
        teams[a.case.team or "Not recorded"].append(a.overall)
        strata[a.case.stratum].append(a.overall)
    pairs = []
    for a in primary:
        m = moderations.get(a.case_id)
        if m is None:
            continue
        pairs.extend((q["code"], answers[a.pk].get(q["code"], ""), answers[m.pk].get(q["code"], ""))
                     for q in tv.questions)
        pairs.append(("overall", a.overall, m.overall))
    agree = calc.agreement(pairs)
    questions = []
    for q in tv.questions:
        grades = [answers[a.pk].get(q["code"], "") for a in primary]
        counts = Counter(g for g in grades if g)
        questions.append(QuestionResult(q["code"], q["section"], q["text"], {s: counts[s] for s in scale},
                                        calc.share_good(grades, scale), agree.get(q["code"])))
    themes = Counter(t.name for a in primary for t in a.themes.all())
    total_agree = calc.Share(sum(s.good for c, s in agree.items() if c != "overall"),
                             sum(s.total for c, s in agree.items() if c != "overall")) if agree else None
    return RoundResults(
        round=round_, overall=overall, overall_counts={s: sum(1 for a in primary if a.overall == s) for s in scale},
        by_team={t: calc.share_good(g, scale) for t, g in sorted(teams.items())},
        by_stratum={t: calc.share_good(g, scale) for t, g in sorted(strata.items())},
        questions=questions, themes=dict(themes.most_common()), agreement_overall=total_agree,
        actions=list(FindingAction.objects.filter(round=round_).select_related("action", "theme")))


def themes_over_time(org) -> tuple[list[AuditRound], list[tuple[str, list[int]]]]:
    """How many audits done in each round (oldest first) were tagged with each theme."""
    rs = sorted(rounds(org), key=lambda r: (r.period, r.drawn_on, r.title))
    counts: dict[tuple[int, str], int] = Counter()
    rows = (CaseAudit.objects.filter(organisation=org, kind=AuditKind.AUDIT, status=AuditStatus.SUBMITTED)
            .values_list("round_id", "themes__name"))
    for rid, name in rows:
        if name:
            counts[(rid, name)] += 1
    names = list(Theme.objects.filter(organisation=org).values_list("name", flat=True))
    return rs, [(n, [counts[(r.pk, n)] for r in rs]) for n in names if any(counts[(r.pk, n)] for r in rs)]


def my_audits(access) -> list[CaseAudit]:
    return list(CaseAudit.objects.filter(organisation=access.organisation, auditor=access.user)
                .exclude(status=AuditStatus.SUBMITTED).select_related("round", "case"))


def share_by_round(org) -> list[tuple[AuditRound, calc.Share]]:
    """Each round (oldest first) with the share of its done audits graded good or better: the
    same figure as ``round_results(r).overall``, read in one query for every round rather than
    the round's whole results one round at a time (the home page shows it to everyone)."""
    rs = sorted(rounds(org), key=lambda r: (r.period, r.title))
    grades: dict[int, list[str]] = defaultdict(list)
    done = CaseAudit.objects.filter(round__in=rs, status=AuditStatus.SUBMITTED, kind=AuditKind.AUDIT)
    for round_id, overall in done.values_list("round_id", "overall"):
        grades[round_id].append(overall)
    return [(r, calc.share_good(grades[r.pk], r.tool_version.scale_values)) for r in rs]
