"""How a milestone's status and RAG are derived, and how they roll up the plan.

Pure functions over plain values (no Django), so every rule can be tested at its edges.
The rules and their defaults are written down in docs/decisions/0002-plan-status-rules.md;
each organisation may change the numbers (``RuleSettings``), not the shape of the rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    COMPLETE = "complete"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"  # complete
    GREY = "grey"  # not started

    @property
    def label(self) -> str:
        return {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Complete", "grey": "Not started"}[self.value]


# Worst first: a roll-up takes the first of these that any child has.
STATUS_SEVERITY = [Status.OVERDUE, Status.AT_RISK, Status.ON_TRACK, Status.NOT_STARTED, Status.COMPLETE]
RAG_SEVERITY = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.GREY, Rag.BLUE]


@dataclass(frozen=True)
class RuleSettings:
    """An organisation's numbers for the rules. Defaults are CareStat's documented defaults."""

    # At risk when the forecast has slipped more than this many days past the baseline.
    at_risk_slip_days: int = 14
    # At risk when due within this many days and the action is less than the percent below.
    due_soon_days: int = 14
    due_soon_below_percent: int = 75
    # Overdue counts as red when the action is under this percent complete, amber otherwise.
    # 100 (the default) makes every overdue item red; some committees use 50.
    overdue_red_below_percent: int = 100
    # When true, a re-dating by someone who does not manage the action that would take a red
    # milestone out of red waits for a manager's approval (docs/decisions: re-dating out of red).
    redate_out_of_red_needs_approval: bool = False


DEFAULT_RULES = RuleSettings()


@dataclass(frozen=True)
class Judgement:
    status: Status
    rag: Rag
    overridden: bool = False
    override_reason: str = ""


def milestone_status(
    *,
    baseline: dt.date,
    forecast: dt.date | None,
    actual: dt.date | None,
    today: dt.date,
    started: bool = True,
    percent: int = 0,
    rules: RuleSettings = DEFAULT_RULES,
) -> Status:
    """Complete if it has an actual date on or before today; overdue if its forecast (or
    baseline) date has passed; not started if its action has not started; at risk if it has
    slipped more than ``at_risk_slip_days`` or is due soon with little progress; else on track."""
    if actual is not None and actual <= today:
        return Status.COMPLETE
    due = forecast or baseline
    if due < today:
        return Status.OVERDUE
    if not started:
        return Status.NOT_STARTED
    if (due - baseline).days > rules.at_risk_slip_days:
        return Status.AT_RISK
    if (due - today).days <= rules.due_soon_days and percent < rules.due_soon_below_percent:
        return Status.AT_RISK
    return Status.ON_TRACK


def rag_for(status: Status, *, percent: int = 0, rules: RuleSettings = DEFAULT_RULES) -> Rag:
    """Complete is blue, not started grey, at risk amber, on track green; overdue is red
    unless the action is at least ``overdue_red_below_percent`` complete, then amber."""
    if status is Status.COMPLETE:
        return Rag.BLUE
    if status is Status.NOT_STARTED:
        return Rag.GREY
    if status is Status.AT_RISK:
        return Rag.AMBER
    if status is Status.OVERDUE:
        return Rag.RED if percent < rules.overdue_red_below_percent else Rag.AMBER
    return Rag.GREEN


def judge_milestone(
    *,
    baseline: dt.date,
    forecast: dt.date | None,
    actual: dt.date | None,
    today: dt.date,
    started: bool = True,
    percent: int = 0,
    override: str = "",
    override_reason: str = "",
    rules: RuleSettings = DEFAULT_RULES,
) -> Judgement:
    """Status and RAG; a manual override replaces the RAG (never the status) and says so."""
    status = milestone_status(baseline=baseline, forecast=forecast, actual=actual, today=today,
                              started=started, percent=percent, rules=rules)
    if override:
        return Judgement(status, Rag(override), overridden=True, override_reason=override_reason)
    return Judgement(status, rag_for(status, percent=percent, rules=rules))


def worst_status(statuses: Iterable[Status]) -> Status | None:
    """All complete is complete; otherwise the worst of overdue, at risk, on track; all not
    started (or not started and complete) is not started. None when there is nothing."""
    seen = set(statuses)
    if not seen:
        return None
    if seen == {Status.COMPLETE}:
        return Status.COMPLETE
    for s in STATUS_SEVERITY[:3]:
        if s in seen:
            return s
    return Status.NOT_STARTED


def worst_rag(rags: Iterable[Rag]) -> Rag | None:
    """The worst RAG present: red, amber, green, then not started, then complete."""
    seen = set(rags)
    if not seen:
        return None
    if seen == {Rag.BLUE}:
        return Rag.BLUE
    for r in RAG_SEVERITY:
        if r in seen:
            return r
    return None  # pragma: no cover


@dataclass
class Rollup:
    """A node's rolled-up status and RAG with counts of the milestones (or items) beneath it."""

    status: Status | None = None
    rag: Rag | None = None
    counts: Counter = field(default_factory=Counter)  # RAG value -> number of milestones

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def roll_up(children: Iterable[Rollup | Judgement]) -> Rollup:
    """Worst-of status and RAG over children, with the milestone counts added up."""
    statuses, rags, counts = [], [], Counter()
    for child in children:
        if isinstance(child, Judgement):
            statuses.append(child.status)
            rags.append(child.rag)
            counts[child.rag.value] += 1
        else:
            if child.status is not None:
                statuses.append(child.status)
            if child.rag is not None:
                rags.append(child.rag)
            counts.update(child.counts)
    return Rollup(worst_status(statuses), worst_rag(rags), counts)


def slippage_days(baseline: dt.date, forecast: dt.date | None, actual: dt.date | None) -> int:
    """Calendar days from the baseline to the actual date (if done) or the forecast."""
    return ((actual or forecast or baseline) - baseline).days
