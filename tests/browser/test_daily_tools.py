"""Daily use on a small screen: the main pages reflow at 320 CSS pixels with no sideways page
scroll (WCAG 1.4.10; wide tables scroll inside their own container), and the search box in the
header finds an action by a word in its update commentary, with axe on the pages."""

import datetime as dt

import pytest

from carestat.analytics.periods import quarter_of
from carestat.plans import services
from carestat.plans.tests.builders import quarter, small_plan
from carestat.risks.tests.access_rows import plant as plant_risk
from conftest import PASSWORD, access_for

pytestmark = pytest.mark.browser

TOLERANCE = 1  # sub-pixel rounding
# What sticks out, to name in the failure: the innermost elements whose right edge passes 320px.
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321
  && ![...e.children].some(c => c.getBoundingClientRect().right > 321)).slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + (e.id || '') + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _world(cast, org):
    world = small_plan(org, cast["admin"], cast["contributor"])
    q = quarter_of(dt.date.today())
    period = quarter(org, q.label, q.start, q.end)
    services.save_update(access_for(cast["contributor"], org), world["action"], period, delivery="at_risk",
                         percent_complete=40, commentary="Two locum therapists started on the North team",
                         submit=True)
    plant_risk(org, cast["admin"], "Demoshire")
    return world


def test_the_main_pages_reflow_at_320_pixels_without_sideways_scrolling(browser_page, cast, demoshire):
    world = _world(cast, demoshire)
    page = browser_page
    page.sign_in(cast["admin"].email, PASSWORD)
    page.page.set_viewport_size({"width": 320, "height": 640})
    plan = world["plan"].pk
    too_wide = {}
    for path in ["/o/demoshire/", "/o/demoshire/plans/", f"/o/demoshire/plans/{plan}/",
                 f"/o/demoshire/plans/{plan}/delivery/", f"/o/demoshire/actions/{world['action'].pk}/",
                 "/o/demoshire/plans/my-actions/", "/o/demoshire/measures/", "/o/demoshire/data/",
                 "/o/demoshire/reports/", "/o/demoshire/risks/", "/o/demoshire/finance/",
                 "/o/demoshire/governance/", "/o/demoshire/commissioning/", "/o/demoshire/demand/",
                 "/o/demoshire/quality/", "/o/demoshire/plans/approvals/", "/o/demoshire/notifications/",
                 "/o/demoshire/organisation/", "/o/demoshire/periods/", "/o/demoshire/members/",
                 "/o/demoshire/audit/", "/o/demoshire/search/?q=locum"]:
        page.goto(path)
        width = page.page.evaluate("document.documentElement.scrollWidth")
        if width > 320 + TOLERANCE:
            too_wide[path] = (width, page.page.evaluate(WIDEST))
    assert not too_wide, f"pages wider than 320px: {too_wide}"


def test_the_header_search_finds_an_action_by_a_word_in_its_commentary(browser_page, cast, demoshire):
    world = _world(cast, demoshire)
    page = browser_page
    page.sign_in(cast["viewer"].email, PASSWORD)
    page.goto("/o/demoshire/plans/")
    page.page.fill("#header-search", "locum")
    with page.page.expect_navigation():
        page.page.click(".app-header-search button")
    page.assert_accessible()
    assert "1 match for" in page.page.content()
    with page.page.expect_navigation():
        page.page.click(f"a[href='/o/demoshire/actions/{world['action'].pk}/']")
    assert world["action"].title in page.page.content()
    page.goto("/o/demoshire/audit/")  # the viewer may not: the header search is still there on the 403 page
    page.forgive(403)
