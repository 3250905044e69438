"""What quality audits add to the committee report ("Quality assurance") and the home page.

Audit counts are counts of people's case files, so the public version suppresses small numbers:
counts of 1 to 4 (and what would reveal them from the totals) are "fewer than 5", and a
percentage resting on a suppressed count is not shown."""

from __future__ import annotations

from carestat.analytics.judgements.suppression import suppress_table
from carestat.analytics.periods import parse_period
from carestat.core.contributions import SectionContext, Tile
from carestat.quality.models import AuditRound
from carestat.quality.selectors import round_results, share_by_round

GOOD, BELOW = "Good or better", "Below good"


def _rounds_in(org, period) -> list[AuditRound]:
    """Rounds whose quarter falls within the report's period."""
    out = []
    for r in AuditRound.objects.filter(organisation=org).select_related("tool_version__tool"):
        p = parse_period(r.period)
        if period.start <= p.start and p.end <= period.end:
            out.append(r)
    return sorted(out, key=lambda r: (r.period, r.title))


def _pct(share) -> float | str:
    return float(share.percent) if share.percent is not None else ""


def quality_section(ctx: SectionContext) -> dict | None:
    """Each round of the period: how many audits are done and the share graded good or better,
    by team, with the themes found and the plan actions they led to."""
    from carestat.charts.quality import share_good_chart

    org = ctx.organisation
    rounds = _rounds_in(org, ctx.period)
    if not rounds:
        return None
    paragraphs, tables = [], []
    for r in rounds:
        res = round_results(r)
        o = res.overall
        paragraphs.append(
            f"{r.title} ({r.period}): {r.cases.count()} case files were drawn at random, stratified by "
            f"{r.get_stratify_by_display().lower()} (seed {r.seed}); {o.total} audits are done, "
            + (f"{o.percent}% graded good or better." if o.percent is not None else "none graded yet."))
        teams = list(res.by_team)
        if teams:
            counts = [[res.by_team[t].good, res.by_team[t].total - res.by_team[t].good] for t in teams]
            published = suppress_table(teams, [GOOD, BELOW], counts)
            rows, public = [], []
            for t in [*teams, "Total"]:
                good = published.cells[(t, GOOD)]
                total = published.cells[(t, "Total")]
                share = res.by_team[t] if t != "Total" else o
                rows.append([t, share.good, share.total, _pct(share)])
                public.append([t, good.display, total.display,
                               _pct(share) if not (good.suppressed or total.suppressed) else ""])
            tables.append({"caption": f"{r.title}: audits graded good or better by team",
                           "headers": ["Team", GOOD, "Audits done", "Good or better %"],
                           "rows": rows, "public_rows": public})
        if res.themes:
            paragraphs.append("Themes found: " + "; ".join(f"{n} ({c})" for n, c in res.themes.items()) + ".")
        for link in res.actions:
            paragraphs.append(f"Finding: {link.finding} Action: ‘{link.action.title}’.")
    history = [(r, s) for r, s in share_by_round(org) if s.total]
    charts = []
    if len(history) > 1:
        chart = share_good_chart([f"{r.period} {r.service}" for r, _ in history],
                                 [s.percent for _, s in history], "Audits graded good or better by round (%)")
        charts.append({"svg": chart.svg, "caption": chart.table.caption, "summary": chart.table.summary})
    return {"paragraphs": paragraphs, "tables": tables, "charts": charts}


def home_tiles(access, period) -> list[Tile]:
    history = [(r, s) for r, s in share_by_round(access.organisation) if s.total]
    if not history:
        return []
    r, s = history[-1]
    return [Tile("Case files good or better", f"{s.percent}%",
                 f"{s.good} of {s.total} audits in ‘{r.title}’ ({r.period})",
                 f"/o/{access.organisation.slug}/quality/rounds/{r.pk}/results/", order=45)]
