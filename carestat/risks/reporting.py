"""The risks section of the committee report and the risk tiles on the home page
(registered in RisksConfig.ready; see docs/decisions/0012).

The section is built as the risks stood on the report's as-of date: each risk's current score
is its latest current assessment on or before that day, and movement compares it with the
score at the end of the previous period. Risks are not counts of people, so nothing needs
suppressing; the public version leaves out owners' names."""

from __future__ import annotations

import datetime as dt

from carestat.analytics import risks as scoring
from carestat.charts.risk import HeatmapRisk, risk_heatmap
from carestat.core.contributions import SectionContext, Tile
from carestat.core.models import Unit
from carestat.risks.models import Risk, RiskStatus, matrix_for
from carestat.risks.register import RiskRow, _rows, mitigation_states, register_rows

TOP = 10


def _unit_ids(unit: Unit) -> set[int]:
    ids, frontier = {unit.pk}, [unit.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids |= set(frontier)
    return ids


def scoped_risks(ctx: SectionContext):
    # A risk with no current score by the as-of date is left out (see build_section), so a
    # register imported later with its history still reports as it stood then.
    qs = Risk.objects.filter(organisation=ctx.organisation, is_archived=False, status=RiskStatus.OPEN,
                             occurred_on__isnull=True).select_related("category", "unit", "owner", "organisation")
    if ctx.scope == "plan":
        return qs.filter(plan=ctx.plan) if ctx.plan is not None else qs.none()
    if ctx.scope == "unit":
        if ctx.unit is None:
            return qs.none()
        return qs.filter(unit_id__in=_unit_ids(ctx.unit))
    if ctx.scope == "remit":
        return qs.filter(plan__in=ctx.remit.plans.all()) if ctx.remit is not None else qs.none()
    return qs


def _owner(row: RiskRow) -> str:
    return row.risk.owner.display_name if row.risk.owner else ""


def build_section(ctx: SectionContext) -> dict | None:
    rows = _rows(scoped_risks(ctx), ctx.as_of, indicators=False)
    scored = []
    before_day = ctx.period.start - dt.timedelta(days=1)
    for row in rows:
        now = row.score_on(ctx.as_of)
        if now is None:
            continue
        scored.append((row, now, row.score_on(before_day)))
    if not scored:
        return None
    scored.sort(key=lambda t: (-t[1], t[0].risk.ref))
    above = [t for t in scored if scoring.above_appetite(t[1], t[0].appetite_max)]
    moved = [t for t in scored if scoring.movement(t[2], t[1]) in (scoring.Movement.UP, scoring.Movement.DOWN,
                                                                      scoring.Movement.NEW)]
    worse = sum(1 for t in scored if scoring.movement(t[2], t[1]) == scoring.Movement.UP)
    better = sum(1 for t in scored if scoring.movement(t[2], t[1]) == scoring.Movement.DOWN)
    overdue = []
    for row, _, _ in scored:
        for m in mitigation_states(row.risk, ctx.as_of):
            if m.overdue:
                overdue.append((row, m))

    def band(row: RiskRow) -> str:
        history = [a for a in row.current_history if a.assessed_on <= ctx.as_of]
        return history[-1].band if history else ""

    def move_words(prev, now) -> str:
        mv = scoring.movement(prev, now)
        if mv is None:
            return ""
        if mv in (scoring.Movement.UP, scoring.Movement.DOWN):
            return f"{mv.label} (from {prev})"
        return mv.label

    top = scored[:TOP]
    top_rows = [[r.risk.ref, r.risk.title, r.risk.category.name, now, band(r), r.appetite_max,
                 move_words(prev, now), _owner(r)] for r, now, prev in top]
    paragraphs = [
        f"{len(scored)} open risks are scored as at {ctx.as_of:%-d %B %Y}; {len(above)} "
        f"{'is' if len(above) == 1 else 'are'} above the organisation's appetite for their category.",
        f"Since {before_day:%-d %B %Y}, {worse} {'risk has' if worse == 1 else 'risks have'} worsened and {better} "
        f"{'has' if better == 1 else 'have'} improved; {len(overdue)} mitigating "
        f"{'action is' if len(overdue) == 1 else 'actions are'} overdue.",
    ]
    tables = [
        {"caption": f"Top {len(top)} risks by current score", "headers": ["Ref", "Risk", "Category",
                                                                          "Current score", "Band", "Appetite (at most)",
                                                                          "Movement", "Owner"],
         "rows": top_rows, "public_rows": [r[:-1] + [""] for r in top_rows]},
        {"caption": "Risks above appetite", "headers": ["Ref", "Risk", "Category", "Appetite", "Current score",
                                                        "Above by"],
         "rows": [[r.risk.ref, r.risk.title, r.risk.category.name, r.risk.category.appetite_words, now,
                   now - r.appetite_max] for r, now, _ in above]},
        {"caption": "Movement since the previous period", "headers": ["Ref", "Risk", "Previous score",
                                                                     "Current score", "Movement"],
         "rows": [[r.risk.ref, r.risk.title, "" if prev is None else prev, now, move_words(prev, now)]
                  for r, now, prev in moved]},
        {"caption": "Mitigating actions overdue", "headers": ["Ref", "Risk", "Action", "Due", "Action owner"],
         "rows": [[r.risk.ref, r.risk.title, m.mitigation.action.title, f"{m.mitigation.action.due:%-d %B %Y}",
                   m.mitigation.action.owner.display_name if m.mitigation.action.owner else ""]
                  for r, m in overdue],
         "public_rows": [[r.risk.ref, r.risk.title, m.mitigation.action.title,
                          f"{m.mitigation.action.due:%-d %B %Y}", ""] for r, m in overdue]},
    ]
    placed = []
    for r, _now, _ in scored:
        a = [x for x in r.current_history if x.assessed_on <= ctx.as_of][-1]
        placed.append(HeatmapRisk(r.risk.ref, r.risk.title, a.likelihood, a.impact, a.score, a.band))
    m = matrix_for(ctx.organisation)
    placed = [p for p in placed if p.likelihood <= len(m.likelihood) and p.impact <= len(m.impact)]
    heat = risk_heatmap(placed, likelihood=m.likelihood, impact=m.impact, band_for=m.band_for,
                        title=f"Current positions of {len(placed)} risks at {ctx.as_of:%-d %B %Y}",
                        chart_id=f"report-risks-{ctx.period.identifier}")
    charts = [{"svg": heat.svg, "caption": heat.table.caption, "summary": heat.table.summary}]
    return {"paragraphs": paragraphs, "tables": [t for t in tables if t["rows"]], "charts": charts}


def home_tiles(access, period) -> list[Tile]:
    rows = register_rows(access.organisation)
    if not rows:
        return []
    base = f"/o/{access.organisation.slug}/risks/"
    above = sum(1 for r in rows if r.flags.above_appetite)
    overdue = sum(1 for r in rows if r.flags.review_overdue)
    alerts = sum(1 for r in rows if r.flags.indicator_alert)
    return [
        Tile("Open risks", str(len(rows)), "on the risk register", base, order=40),
        Tile("Risks above appetite", str(above), f"of {len(rows)} open risks", f"{base}?flag=above_appetite",
             rag="red" if above else "green", order=41),
        Tile("Risk reviews overdue", str(overdue), f"{alerts} with an indicator alert", f"{base}review/",
             rag="amber" if overdue or alerts else "green", order=42),
    ]
