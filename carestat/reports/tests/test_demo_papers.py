"""Visual regression check on the demo's reports (issue 12): laid out by WeasyPrint, every one
of them, full and public, has a sane page count, no heading left at the foot of a page, no table
row split across pages and no near-empty page; its Word file is A4 with a picture for every
chart; its workbook's figures are typed cells."""

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from carestat.reports.models import Report
from carestat.reports.render import render, view
from carestat.reports.render.checks import check_layout
from carestat.reports.render.pdf import layout

pytestmark = pytest.mark.slow


@pytest.fixture
def demo_reports(story_day, db, settings, inline_jobs):
    settings.CARESTAT_JOBS_INLINE = False  # the files are rendered here, not by the publishing job
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from carestat import demo
    from carestat.core.tenancy import scoped_to

    demo.load()
    from carestat.core.models import Organisation

    org = Organisation.objects.get(slug=demo.ORG_SLUG)
    with scoped_to(org):
        yield list(Report.objects.filter(organisation=org).select_related("approved_by", "published_by"))


def _charts(v: dict) -> int:
    measures = sum(1 for s in v["sections"] for m in s["measures"] if m["chart"])
    forecasts = 0 if v["public"] else sum(1 for f in v["forecasts"] if f.get("chart"))
    return measures + forecasts + sum(len(d["charts"]) for d in v["domains"])


def test_the_demos_reports_are_fit_to_send_in_every_format(demo_reports):
    # three quarterly papers, and the scrutiny committee's report as approved (version 1) and
    # as reopened and approved again (version 2)
    assert len(demo_reports) == 5
    assert sorted(r.version_number for r in demo_reports if r.remit_id) == [1, 2]
    for report in demo_reports:
        for public in (False, True):
            v = view(report.snapshot, public=public, sign_off=report.sign_off())
            where = f"{report.title} ({'public' if public else 'full'})"
            checked = check_layout(layout(v))
            assert checked.problems == [], where
            # A quarter's paper with every domain's section (risks, money, commissioning, future
            # need, quality, governance) runs to about twenty pages; thirty would mean something
            # repeated or left unbroken.
            assert 4 <= checked.pages <= 30, (where, checked.pages)

            doc = Document(io.BytesIO(render(report.snapshot, "docx", public=public, sign_off=report.sign_off())))
            section = doc.sections[0]
            assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), where
            assert len(doc.inline_shapes) == _charts(v) > 0, where
            assert all(s._inline.docPr.get("descr") for s in doc.inline_shapes), where

            wb = load_workbook(io.BytesIO(render(report.snapshot, "xlsx", public=public,
                                                 sign_off=report.sign_off())))
            milestones = list(wb["Milestones"].iter_rows(min_row=2, values_only=True))
            assert milestones and all(isinstance(r[3], dt.datetime) for r in milestones if r[3]), where
            values = [r[5] for r in wb["Measures"].iter_rows(min_row=2, values_only=True)]
            numbers = [x for x in values if isinstance(x, int | float)]
            assert numbers and all(isinstance(x, int | float) or x in ("fewer than 5", None) for x in values), where
            for ws in wb.worksheets:
                assert ws.freeze_panes == "A2", (where, ws.title)
