"""The demo's plans load through the services, and their numbers agree everywhere."""

import datetime as dt
import re

import pytest

from carestat.core import services as core_services
from carestat.core.models import AuditEntry, User
from carestat.plans.models import ActionUpdate, MilestoneDateChange, PeriodSnapshot, Plan, UpdateStatus
from carestat.plans.progress import plan_tree


@pytest.fixture
def demo(story_day, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from carestat.core import demo as core_demo
    from carestat.plans import demo as plans_demo

    org = core_demo.load(None, lambda msg: None)
    return plans_demo.load(org, lambda msg: None)


def test_every_demo_plan_is_visible_and_its_numbers_add_up_between_tree_delivery_and_api(client, demo):
    viewer = User.objects.get(username="jane.ellis@demoshire.example")
    client.force_login(viewer)
    token = core_services.create_api_token(viewer, "test")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    plans = list(Plan.objects.filter(organisation=demo, is_archived=False))
    assert len(plans) == 4
    listing = client.get("/o/demoshire/plans/").content.decode()
    api_list = {p["id"]: p for p in client.get("/api/v1/organisations/demoshire/plans", **auth).json()}
    for plan in plans:
        assert plan.title.replace("'", "&#39;") in listing
        tree = plan_tree(plan)
        html = client.get(f"/o/demoshire/plans/{plan.pk}/").content.decode()
        shown = int(re.search(r'id="delivery-count">(\d+) milestones', html).group(1))
        delivery_html = client.get(f"/o/demoshire/plans/{plan.pk}/delivery/").content.decode()
        delivery_rows = delivery_html.count('href="/o/demoshire/milestones/')
        api_tree = client.get(f"/api/v1/organisations/demoshire/plans/{plan.pk}", **auth).json()
        api_delivery = client.get(f"/api/v1/organisations/demoshire/plans/{plan.pk}/delivery", **auth).json()
        assert shown == delivery_rows == len(api_delivery) == len(tree.delivery()) == api_tree["overdue_or_slipped"]
        assert api_tree["milestones"] == sum(api_tree["counts"].values()) == tree.rollup.total
        assert sum(sum(p["counts"].values()) for p in api_tree["priorities"]) == api_tree["milestones"]
        api_actions = sum(len(o["actions"]) for p in api_tree["priorities"] for o in p["objectives"])
        assert api_actions == api_tree["actions"] == len(tree.actions()) == api_list[plan.pk]["actions"]
        assert html.count('href="/o/demoshire/actions/') == api_actions


def test_the_demo_has_history_slips_completions_and_a_current_quarter_awaiting_approval(demo):
    assert MilestoneDateChange.objects.count() >= 12
    assert ActionUpdate.objects.filter(status=UpdateStatus.APPROVED).count() > 100
    assert ActionUpdate.objects.filter(status=UpdateStatus.SUBMITTED, period__identifier="2026-27-Q3").exists()
    assert AuditEntry.objects.filter(action="plans.update.returned").exists()
    assert AuditEntry.objects.filter(action="core.period.reopened").exists()
    assert PeriodSnapshot.objects.filter(period__identifier="2024-25-Q1").exists()
    tom = User.objects.get(username="tom.okafor@demoshire.example")
    assert tom.owned_actions.count() >= 4


def test_what_changed_in_the_demo_quarter_shows_re_dates_and_rag_moves_against_the_frozen_quarter(client, demo):
    from carestat.core.models import ReportingPeriod
    from carestat.plans.progress import changes_since_last_period

    plan = Plan.objects.get(title__startswith="Adult Social Care Improvement")
    q2 = ReportingPeriod.objects.get(organisation=demo, identifier="2026-27-Q2")
    changes = changes_since_last_period(plan, q2)
    assert {c.reason[:20] for c in changes.redated} >= {"Locality South train", "The supplier's migra"}
    assert changes.previous.identifier == "2026-27-Q1" and changes.rag_changes
    client.force_login(User.objects.get(username="sam.reid@demoshire.example"))
    html = client.get(f"/o/demoshire/plans/{plan.pk}/changes/?period=2026-27-Q2").content.decode()
    assert "Locality South training postponed" in html


def test_every_demo_milestones_revised_date_is_the_last_date_in_its_history_on_the_page_and_in_the_api(client, demo):
    from carestat.plans.models import Milestone

    sam = User.objects.get(username="sam.reid@demoshire.example")
    client.force_login(sam)
    milestones = list(Milestone.objects.prefetch_related("date_changes"))
    assert len(milestones) == 64
    contradicting = []
    for m in milestones:
        history = list(m.date_changes.all())
        expected = history[-1].new_date if history else m.baseline_date
        api = client.get(f"/api/v1/organisations/demoshire/milestones/{m.pk}").json()
        if (m.forecast_date, dt.date.fromisoformat(api["forecast_date"])) != (expected, expected):
            contradicting.append(m.title)
        elif history:
            assert [c["new_date"] for c in api["date_changes"]][-1] == expected.isoformat()
    assert contradicting == []
    # A milestone re-dated and then achieved: the page shows the revised date its history ends on.
    m = Milestone.objects.get(title="Four agency occupational therapists in post")
    html = client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    assert m.forecast_date == dt.date(2024, 5, 20) and "20 May 2024" in html


def test_what_changed_in_the_demo_lists_as_added_only_what_was_added_in_that_quarter(client, demo):
    from carestat.core.models import ReportingPeriod
    from carestat.plans.progress import changes_since_last_period

    client.force_login(User.objects.get(username="sam.reid@demoshire.example"))
    quarters = list(ReportingPeriod.objects.filter(organisation=demo, kind="quarter", start__gte=dt.date(2024, 4, 1),
                                                   start__lte=dt.date.today()).order_by("start"))
    for plan in Plan.objects.filter(organisation=demo):
        for q in quarters:
            for item in changes_since_last_period(plan, q).added:
                action = getattr(item, "action", item)
                assert q.start <= action.start <= q.end, (plan.title, q.identifier, str(item))
        current = quarters[-1]
        html = client.get(f"/o/demoshire/plans/{plan.pk}/changes/?period={current.identifier}").content.decode()
        assert 'id="added">Added (0)</h2>' in html, plan.title
