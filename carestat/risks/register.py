"""The register as people see it: each risk with its latest inherent, current and target
scores, its flags (carestat.analytics.risks), its key indicators judged the way the measures
app judges them, and its mitigations with their status and RAG from the plan.

Pages, the API, the command line, the report section and the home tiles all call these, so
they can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from carestat.analytics import risks as scoring
from carestat.core.models import Organisation
from carestat.measures.judging import judge
from carestat.measures.models import Measure
from carestat.plans import rules as plan_rules
from carestat.plans.models import rules_for
from carestat.plans.progress import judge_action, judge_milestone
from carestat.risks.models import Assessment, AssessmentKind, KeyIndicator, Mitigation, Risk, RiskStatus


@dataclass
class IndicatorState:
    indicator: KeyIndicator
    rag: str | None
    rag_label: str
    variation_label: str
    latest: str
    alert: bool
    why: str = ""


@dataclass
class MitigationState:
    mitigation: Mitigation
    status: plan_rules.Status | None
    rag: plan_rules.Rag | None

    @property
    def overdue(self) -> bool:
        return self.status == plan_rules.Status.OVERDUE


@dataclass
class RiskRow:
    risk: Risk
    inherent: Assessment | None
    current: Assessment | None
    target: Assessment | None
    current_history: list[Assessment]
    flags: scoring.Flags
    indicators: list[IndicatorState] = field(default_factory=list)

    @property
    def appetite_max(self) -> int:
        return self.risk.category.max_target_score

    @property
    def current_score(self) -> int:
        return self.current.score if self.current else 0

    @property
    def movement(self) -> scoring.Movement | None:
        scores = [a.score for a in self.current_history]
        return scoring.movement(scores[-2] if len(scores) > 1 else None, scores[-1] if scores else None)

    def score_on(self, day: dt.date) -> int | None:
        """The current score as it stood on ``day``."""
        before = [a for a in self.current_history if a.assessed_on <= day]
        return before[-1].score if before else None


def indicator_state(indicator: KeyIndicator, cache: dict | None = None) -> IndicatorState:
    """A linked measure's latest judgement: an alert when it is red, or when statistical process
    control shows special-cause concerning variation."""
    measure: Measure = indicator.measure
    if cache is not None and measure.pk in cache:
        report = cache[measure.pk]
    else:
        report = judge(measure, chart=False)
        if cache is not None:
            cache[measure.pk] = report
    variation = report.variation
    red = report.rag == "red"
    concerning = variation is not None and variation.kind == "concerning"
    why = []
    if red:
        why.append(f"{measure.code} is red")
    if concerning:
        why.append(f"{measure.code} shows {variation.label.lower()}")
    return IndicatorState(indicator, report.rag, report.rag_label, variation.label if variation else "",
                          report.latest_display, red or concerning, "; ".join(why))


def mitigation_states(risk: Risk, today: dt.date | None = None) -> list[MitigationState]:
    today = today or timezone.localdate()
    settings = rules_for(risk.organisation)
    out = []
    for m in (risk.mitigations.filter(is_archived=False)
              .select_related("action__objective__priority__plan", "action__owner")):
        a = m.action
        nodes = [judge_milestone(ms, a, today, settings, risk.organisation)
                 for ms in a.milestones.filter(is_archived=False)]
        rollup = judge_action(a, nodes, today, settings)
        out.append(MitigationState(m, rollup.status, rollup.rag))
    return out


def _rows(risks, today: dt.date, *, indicators: bool = True) -> list[RiskRow]:
    risks = list(risks)
    by_risk: dict[int, list[Assessment]] = {r.pk: [] for r in risks}
    for a in Assessment.objects.filter(risk__in=risks).select_related("period").order_by("assessed_on", "pk"):
        by_risk[a.risk_id].append(a)
    kri: dict[int, list[KeyIndicator]] = {r.pk: [] for r in risks}
    if indicators:
        for k in KeyIndicator.objects.filter(risk__in=risks, is_archived=False).select_related("measure__catalogue"):
            kri[k.risk_id].append(k)
    cache: dict = {}
    rows = []
    for r in risks:
        history = by_risk[r.pk]
        latest = {kind: None for kind in AssessmentKind.values}
        for a in history:
            latest[a.kind] = a
        current_history = [a for a in history if a.kind == AssessmentKind.CURRENT]
        states = [indicator_state(k, cache) for k in kri[r.pk]]
        flags = scoring.flags(current_scores=[a.score for a in current_history],
                              appetite_max=r.category.max_target_score, next_review_on=r.next_review, today=today,
                              is_open=r.is_open, indicator_alert=any(s.alert for s in states))
        rows.append(RiskRow(r, latest["inherent"], latest["current"], latest["target"], current_history, flags,
                            states))
    return rows


def register_rows(org: Organisation, *, today: dt.date | None = None, include_closed: bool = False,
                  issues: bool | None = False, indicators: bool = True) -> list[RiskRow]:
    """The organisation's risks (open ones unless ``include_closed``; ``issues`` True for the
    issues log only, False to leave issues out, None for both), sorted by current score."""
    today = today or timezone.localdate()
    qs = Risk.objects.filter(organisation=org, is_archived=False).select_related("category", "unit", "owner",
                                                                                   "organisation")
    if not include_closed:
        qs = qs.filter(status=RiskStatus.OPEN)
    if issues is True:
        qs = qs.filter(occurred_on__isnull=False)
    elif issues is False:
        qs = qs.filter(occurred_on__isnull=True)
    return sort_rows(_rows(qs, today, indicators=indicators), "score")


def risk_row(risk: Risk, today: dt.date | None = None) -> RiskRow:
    return _rows([risk], today or timezone.localdate())[0]


FLAG_FILTERS = {
    "above_appetite": ("Above appetite", lambda row: row.flags.above_appetite),
    "review_overdue": ("Review overdue", lambda row: row.flags.review_overdue),
    "worsening": ("Worsening", lambda row: row.flags.worsening),
    "needs_review": ("Needs review", lambda row: row.flags.needs_review),
}

SORTS = {
    "score": ("Current score, highest first", lambda r: (-r.current_score, r.risk.ref)),
    "ref": ("Reference", lambda r: (r.risk.ref,)),
    "review": ("Next review, soonest first", lambda r: (r.risk.next_review, r.risk.ref)),
    "gap": ("Furthest above appetite first", lambda r: (-(r.current_score - r.appetite_max), r.risk.ref)),
    "category": ("Category", lambda r: (r.risk.category.name, -r.current_score, r.risk.ref)),
}


def filter_rows(rows: list[RiskRow], *, flags: list[str] = (), category: str = "", unit: str = "") -> list[RiskRow]:
    out = rows
    for f in flags:
        if f in FLAG_FILTERS:
            test = FLAG_FILTERS[f][1]
            out = [r for r in out if test(r)]
    if category:
        out = [r for r in out if str(r.risk.category_id) == category]
    if unit:
        out = [r for r in out if str(r.risk.unit_id) == unit]
    return out


def sort_rows(rows: list[RiskRow], key: str) -> list[RiskRow]:
    return sorted(rows, key=SORTS.get(key, SORTS["score"])[1])
