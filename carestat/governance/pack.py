"""A meeting's public pack: its public agenda items, the public versions of the published
CareStat reports among its papers (small numbers already suppressed by the reports renderer),
and the decisions taken in public; as a standalone web page and as a PDF (WeasyPrint, as the
reports do). Exempt items, their minutes and decisions, and unpublished reports stay out."""

from __future__ import annotations

from django.template.loader import get_template
from django.utils import timezone

from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.permissions import Perm
from carestat.governance.models import Meeting
from carestat.reports.models import ReportStatus
from carestat.reports.render import view
from carestat.reports.render.html import print_css


def contents(meeting: Meeting) -> dict:
    """What the public pack holds, as plain values."""
    items, papers = [], []
    for item in meeting.items.filter(is_public=True).select_related("report__period", "plan", "measure"):
        paper = ""
        if item.report_id:
            if item.report.status == ReportStatus.PUBLISHED:
                paper = f"{item.report.title} (public version, below)"
                papers.append({"item": item, "title": item.report.title,
                               "r": view(item.report.snapshot, public=True, sign_off=item.report.sign_off())})
            else:
                paper = f"{item.report.title}: not yet published, so not in the public pack"
        elif item.plan_id:
            paper = f"Plan: {item.plan.title}"
        elif item.measure_id:
            paper = f"Measure {item.measure.code}: {item.measure}"
        items.append({"position": item.position, "title": item.title, "presenter": item.presenter, "paper": paper,
                      "minutes": item.minutes if meeting.is_frozen else ""})
    decisions = [d for d in meeting.decisions.select_related("item") if d.item is None or d.item.is_public]
    return {"meeting": meeting, "board": meeting.board, "organisation": meeting.organisation.name, "agenda": items,
            "decisions": decisions, "papers": papers, "minutes_approved": meeting.is_frozen,
            "made_at": timezone.localtime()}


def pack_html(access: Access, meeting: Meeting) -> str:
    access.require(Perm.VIEW)
    return get_template("governance/pack.html", using="jinja2").render({"p": contents(meeting), "css": print_css()})


def pack_pdf(access: Access, meeting: Meeting) -> bytes:
    from weasyprint import HTML

    data = HTML(string=pack_html(access, meeting), base_url=None).write_pdf()
    log_action("governance.pack.downloaded", actor=access.user, organisation=access.organisation, record=meeting,
               message=f"{access.user.display_name} downloaded the public pack of {meeting} as PDF")
    return data


def filename(meeting: Meeting) -> str:
    return f"{meeting.organisation.slug}-{meeting.board.name.lower().replace(' ', '-')}-{meeting.date}-public-pack.pdf"
