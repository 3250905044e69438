"""The governance section of the committee report and the home page tiles (see
docs/decisions/0012). Recommendations are counts of recommendations, not of people, so no
small-number suppression applies; the public version leaves out owners' names and the
exempt business of meetings."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from carestat.analytics import governance as rules
from carestat.core.contributions import SectionContext, Tile
from carestat.governance.models import Meeting, MeetingStatus, Recommendation, Source


def _d(day) -> str:
    return f"{day:%-d %B %Y}"


def _scoped(ctx: SectionContext):
    rows = Recommendation.objects.filter(organisation=ctx.organisation).select_related("owner", "board")
    if ctx.scope == "plan" and ctx.plan is not None:
        rows = rows.filter(actions__objective__priority__plan=ctx.plan).distinct()
    elif ctx.scope == "remit" and ctx.remit is not None:
        rows = rows.filter(board__remit=ctx.remit)
    return list(rows)


def source_labels(org) -> dict[str, str]:
    """Recommendation sources as the organisation names them: a Crown dependency's external
    auditor is its Comptroller and Auditor General, its scrutiny a States scrutiny panel."""
    from carestat.jurisdictions.selectors import custom_terms

    labels = dict(Source.choices)
    own = custom_terms(org)
    if "external_auditor" in own:
        labels[Source.EXTERNAL_AUDITOR] = own["external_auditor"]
    if "scrutiny" in own:
        labels[Source.SCRUTINY] = f"{own['scrutiny']} resolution"
    if "public_accounts" in own:
        labels[Source.COMMITTEE] = f"Committee decision (including the {own['public_accounts']})"
    return labels


def report_section(ctx: SectionContext) -> dict | None:
    recs = _scoped(ctx)
    meetings = Meeting.objects.filter(organisation=ctx.organisation, date__gt=ctx.as_of,
                                      status=MeetingStatus.SCHEDULED).select_related("board").order_by("date")
    if ctx.scope == "remit" and ctx.remit is not None:
        meetings = meetings.filter(board__remit=ctx.remit)
    meetings = list(meetings[:6])
    if not recs and not meetings:
        return None
    as_of = ctx.as_of
    counts = rules.tracker_counts([rules.Row(r.source, r.status, r.due_date) for r in recs], as_of)
    labels = source_labels(ctx.organisation)
    by_source = [[labels[s], c.live, c.overdue, c.implemented, c.closed]
                 for s, c in sorted(counts.by_source.items(), key=lambda kv: labels[kv[0]])]
    total = counts.total
    by_source.append(["Total", total.live, total.overdue, total.implemented, total.closed])
    overdue = sorted((r for r in recs if r.is_overdue(as_of)), key=lambda r: r.due_date)
    overdue_rows = [[r.reference, labels[r.source], r.text[:160], _d(r.due_date), (as_of - r.due_date).days,
                     r.owner.display_name if r.owner else "No owner"] for r in overdue]
    since = [r for r in recs if r.implemented_on and ctx.period.start <= r.implemented_on <= as_of]
    since_rows = [[r.reference, labels[r.source], r.text[:160], _d(r.implemented_on), r.get_status_display()]
                  for r in sorted(since, key=lambda r: r.implemented_on)]
    paragraphs = [
        f"As at {_d(as_of)}, {total.live} recommendation{'s are' if total.live != 1 else ' is'} open or in "
        f"progress, of which {total.overdue} {'are' if total.overdue != 1 else 'is'} overdue; "
        f"{len(since)} {'were' if len(since) != 1 else 'was'} implemented in {ctx.period.identifier}."
    ]
    tables = [{"caption": "Recommendations by source", "headers": ["Source", "Open or in progress", "Overdue",
                                                                   "Implemented, awaiting verification",
                                                                   "Verified closed"], "rows": by_source}]
    tables.append({"caption": "Overdue recommendations",
                   "headers": ["Reference", "Source", "Recommendation", "Due", "Days overdue", "Owner"],
                   "rows": overdue_rows or [["None", "", "", "", "", ""]],
                   "public_rows": [row[:5] + ["Named in the full report"] for row in overdue_rows]
                   or [["None", "", "", "", "", ""]]})
    tables.append({"caption": f"Implemented since the last report ({ctx.period.identifier})",
                   "headers": ["Reference", "Source", "Recommendation", "Implemented", "Status"],
                   "rows": since_rows or [["None", "", "", "", ""]]})
    tables.append({"caption": "Next meetings", "headers": ["Board", "Date"],
                   "rows": [[m.board.name, _d(m.date)] for m in meetings] or [["None scheduled", ""]]})
    return {"paragraphs": paragraphs, "tables": tables}


def home_tiles(access, period) -> list[Tile]:
    """Open and overdue recommendations (when the tracker is in use) and the next meeting."""
    org = access.organisation
    today = timezone.localdate()
    live = Recommendation.objects.filter(organisation=org, status__in=rules.LIVE)
    n_live = live.count()
    n_overdue = live.filter(due_date__lt=today).count()
    slug = org.slug
    tiles = []
    if Recommendation.objects.filter(organisation=org).exists():  # an organisation not using the tracker sees none
        tiles.append(Tile(title="Open recommendations", value=str(n_live),
                          detail=f"{n_overdue} overdue" if n_overdue else "None overdue",
                          href=reverse("governance:tracker", args=[slug]) + ("?overdue=1" if n_overdue else ""),
                          rag="red" if n_overdue else ("green" if n_live else ""), order=60))
    nxt = (Meeting.objects.filter(organisation=org, date__gte=today, status=MeetingStatus.SCHEDULED)
           .filter(~Q(board__is_archived=True)).select_related("board").order_by("date").first())
    if nxt is not None:
        tiles.append(Tile(title="Next meeting", value=f"{nxt.date:%-d %b}", detail=nxt.board.name,
                          href=reverse("governance:meeting", args=[slug, nxt.pk]), order=61))
    return tiles
