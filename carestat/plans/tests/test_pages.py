import datetime as dt

from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.models import AuditEntry
from carestat.plans import services
from carestat.plans.models import ActionUpdate, UpdateStatus
from conftest import access_for

D = dt.timedelta


def test_the_plan_list_shows_each_plan_with_its_counts(client, world):
    client.force_login(world["cast"]["viewer"])
    html = client.get("/o/demoshire/plans/").content.decode()
    assert "Adult social care improvement" in html and "Improvement programme" in html


def test_the_plan_tree_filters_by_phase_without_javascript(client, world):
    client.force_login(world["cast"]["viewer"])
    pk = world["plan"].pk
    html = client.get(f"/o/demoshire/plans/{pk}/?phase=First+100+days").content.decode()
    assert "Clear the OT assessment backlog" in html
    html = client.get(f"/o/demoshire/plans/{pk}/?phase=Year+2").content.decode()
    assert "Clear the OT assessment backlog" not in html and "No actions match these filters" in html


def test_a_contributor_submits_an_update_from_the_action_page(client, world):
    client.force_login(world["cast"]["contributor"])
    q = core_services.current_period(world["org"])
    period = q or world["period"]
    r = client.post(f"/o/demoshire/actions/{world['action'].pk}/", {
        "period": period.identifier, "delivery": "at_risk", "percent_complete": "30",
        "commentary": "Waiting list down to 240", "submit": "1"})
    assert r.status_code == 302
    assert ActionUpdate.objects.get(action=world["action"], period=period).status == UpdateStatus.SUBMITTED


def test_a_bad_percent_is_shown_on_the_form(client, world):
    client.force_login(world["cast"]["contributor"])
    r = client.post(f"/o/demoshire/actions/{world['action'].pk}/", {
        "period": world["period"].identifier, "delivery": "at_risk", "percent_complete": "140", "commentary": "x"})
    assert r.status_code == 200 and "Percent complete must be 100 or less" in r.content.decode()


def test_a_milestone_re_dated_twice_shows_baseline_both_revisions_and_slippage_on_the_action_page(client, world):
    m, a = world["m1"], access_for(world["cast"]["contributor"], world["org"])
    services.redate_milestone(a, m, new_date=m.baseline_date + D(21), reason="Agency start delayed")
    services.redate_milestone(a, m, new_date=m.baseline_date + D(45), reason="Second cohort needed")
    client.force_login(world["cast"]["viewer"])
    html = client.get(f"/o/demoshire/actions/{world['action'].pk}/").content.decode()
    fmt = lambda d: f"{d:%-d %B %Y}"  # noqa: E731
    for text in ("Agency start delayed", "Second cohort needed", fmt(m.baseline_date), fmt(m.baseline_date + D(21)),
                 fmt(m.baseline_date + D(45))):
        assert text in html
    wd = world["org"].calendar.working_days_between(m.baseline_date, m.baseline_date + D(45))
    assert f"45 / {wd}" in html


def test_the_milestone_form_refuses_a_re_date_without_a_reason(client, world):
    client.force_login(world["cast"]["contributor"])
    r = client.post(f"/o/demoshire/milestones/{world['m1'].pk}/", {
        "op": "redate", "new_date-day": "1", "new_date-month": "2", "new_date-year": "2031", "reason": ""})
    assert r.status_code == 200 and "Give the reason for moving the date" in r.content.decode()


def test_the_delivery_page_lists_a_slipped_milestone_with_both_dates(client, world):
    m = world["m2"]
    services.redate_milestone(access_for(world["cast"]["manager"], world["org"]), m,
                              new_date=m.baseline_date + D(30), reason="Provider capacity")
    client.force_login(world["cast"]["auditor"])
    html = client.get(f"/o/demoshire/plans/{world['plan'].pk}/delivery/").content.decode()
    assert "1 milestone overdue or slipped" in html and "Backlog under 100" in html


def test_the_timeline_has_an_svg_and_a_data_table(client, world):
    client.force_login(world["cast"]["viewer"])
    html = client.get(f"/o/demoshire/plans/{world['plan'].pk}/timeline/").content.decode()
    assert "<svg" in html and 'id="timeline-table"' in html and "Recruit agency OTs" in html


def test_what_changed_shows_additions_this_quarter(client, world):
    today = timezone.localdate()
    from carestat.plans.tests.builders import quarter

    q = quarter(world["org"], "2099-00-Q1", today - D(3), today + D(60))
    client.force_login(world["cast"]["viewer"])
    html = client.get(f"/o/demoshire/plans/{world['plan'].pk}/changes/?period={q.identifier}").content.decode()
    assert "Recruit agency OTs" in html


def test_a_manager_returns_an_update_from_the_action_page(client, world):
    update = services.save_update(access_for(world["cast"]["contributor"], world["org"]), world["action"],
                                  world["period"], delivery="on_track", percent_complete=20, commentary="Started",
                                  submit=True)
    client.force_login(world["cast"]["manager"])
    r = client.post(f"/o/demoshire/actions/{world['action'].pk}/updates/{world['period'].identifier}/review/",
                    {"decision": "return", "comments": "Add the waiting list figure"})
    assert r.status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED
    assert AuditEntry.objects.filter(action="plans.update.returned").exists()
