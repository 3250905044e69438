"""Two people editing at once: the second to save, having opened an older version, is told
who changed it and when, and nothing of theirs overwrites it. The same check runs in the
services, on the pages (a hidden version in each form) and in the API (409)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.errors import Conflict
from carestat.plans import services
from carestat.plans.models import Action, ActionUpdate, Milestone, Objective, Plan, Priority
from conftest import access_for

D = dt.timedelta
BASE = "/api/v1/organisations/demoshire"


def acc(w, role):
    return access_for(w["cast"][role], w["org"])


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 'test')[1]}"}


def _date(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _priya_renames_the_action(w):
    a = w["action"]
    services.update_action(acc(w, "manager"), a, title="Clear the OT backlog by March", due=a.due, owner=a.owner,
                           lead_unit=a.lead_unit, phase=a.phase, start=a.start)


def _hhmm():
    return f"{timezone.localtime():%H:%M}"


# Services ---------------------------------------------------------------------------------

def test_changing_an_action_opened_before_a_colleagues_change_is_refused_naming_who_and_when(world):
    a = world["action"]
    opened = a.version
    _priya_renames_the_action(world)
    with pytest.raises(Conflict) as refused:
        services.update_action(acc(world, "admin"), a, title=a.title, due=a.due + D(30), owner=a.owner,
                               lead_unit=a.lead_unit, phase=a.phase, start=a.start, expected_version=opened)
    assert refused.value.message.startswith(
        f"Action ‘Clear the OT backlog by March’ was changed by Priya Shah at {_hhmm()} since you opened it; reload")
    saved = Action.objects.get(pk=a.pk)
    assert (saved.title, saved.due, saved.version) == ("Clear the OT backlog by March", a.due, opened + 1)


def test_an_edit_made_on_the_version_now_held_is_saved_and_raises_the_version(world):
    a = world["action"]
    saved = services.update_action(acc(world, "manager"), a, title="Clear the OT backlog", due=a.due, owner=a.owner,
                                   lead_unit=a.lead_unit, phase=a.phase, start=a.start, expected_version=a.version)
    assert (saved.title, saved.version) == ("Clear the OT backlog", a.version + 1)


@pytest.mark.parametrize("edit", ["plan", "priority", "objective", "rename", "redate", "complete", "override"])
def test_every_plan_edit_refuses_a_version_older_than_the_record(world, edit):
    m, p = world["m1"], world["plan"]
    services.archive(acc(world, "manager"), world["m2"], reason="Folded into the first milestone")
    # Someone changes each record once after it was opened at version 1.
    services.update_plan(acc(world, "manager"), p, kind=p.kind, title="ASC improvement", start=p.start, end=p.end,
                         owner_unit=p.owner_unit)
    services.update_priority(acc(world, "manager"), world["priority"], title="Waiting lists")
    services.update_objective(acc(world, "manager"), world["objective"], statement="No one waits over 21 days")
    services.rename_milestone(acc(world, "manager"), m, title="Recruit four agency OTs")
    admin = acc(world, "admin")
    calls = {
        "plan": lambda: services.update_plan(admin, p, kind=p.kind, title="Mine", start=p.start, end=p.end,
                                             expected_version=1),
        "priority": lambda: services.update_priority(admin, world["priority"], title="Mine", expected_version=1),
        "objective": lambda: services.update_objective(admin, world["objective"], statement="Mine",
                                                       expected_version=1),
        "rename": lambda: services.rename_milestone(admin, m, title="Mine", expected_version=1),
        "redate": lambda: services.redate_milestone(admin, m, new_date=m.baseline_date + D(9), reason="Agency late",
                                                    expected_version=1),
        "complete": lambda: services.complete_milestone(admin, m, actual_date=timezone.localdate(),
                                                        expected_version=1),
        "override": lambda: services.override_rag(admin, m, rag="red", reason="Agency unreliable",
                                                  expected_version=1),
    }
    with pytest.raises(Conflict, match="was changed by Priya Shah at .* since you opened it"):
        calls[edit]()
    assert Plan.objects.get().title == "ASC improvement"
    assert Priority.objects.get().title == "Waiting lists"
    assert Objective.objects.get().statement == "No one waits over 21 days"
    m = Milestone.objects.get(pk=m.pk)
    assert (m.title, m.forecast_date, m.actual_date, m.rag_override) == (
        "Recruit four agency OTs", m.baseline_date, None, "")


def test_an_update_opened_when_there_was_none_is_refused_once_someone_else_has_saved_one(world):
    services.save_update(acc(world, "manager"), world["action"], world["period"], delivery="at_risk",
                         percent_complete=30, commentary="Agency OTs delayed a fortnight")
    with pytest.raises(Conflict, match=f"The {world['period'].identifier} update on ‘Clear the OT assessment "
                                       "backlog’ was changed by Priya Shah"):
        services.save_update(acc(world, "contributor"), world["action"], world["period"], delivery="on_track",
                             percent_complete=40, commentary="Going well", expected_version=0)
    assert ActionUpdate.objects.get().commentary == "Agency OTs delayed a fortnight"


# Pages ------------------------------------------------------------------------------------

def test_the_action_form_carries_its_version_and_a_stale_save_shows_the_error_and_keeps_the_colleagues_change(
        client, world):
    a = world["action"]
    client.force_login(world["cast"]["admin"])
    html = client.get(f"/o/demoshire/actions/{a.pk}/edit/").content.decode()
    assert re.search(r'<input type="hidden" name="version" value="1">', html)
    _priya_renames_the_action(world)
    r = client.post(f"/o/demoshire/actions/{a.pk}/edit/", {
        "title": a.title, "owner": str(a.owner_id), "lead_unit": str(a.lead_unit_id), "bau_or_change": "change",
        "phase": a.phase, **_date("start", a.start), **_date("due", a.due + D(30)), "version": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and "govuk-error-summary" in html
    assert "was changed by Priya Shah at" in html and "since you opened it; reload it to see their change" in html
    assert Action.objects.get(pk=a.pk).title == "Clear the OT backlog by March"


@pytest.mark.parametrize("url,fields", [
    ("/o/demoshire/plans/{plan}/edit/", lambda w: {"title": "Mine", "kind": "improvement",
                                                   **_date("start", w["plan"].start), **_date("end", w["plan"].end)}),
    ("/o/demoshire/priorities/{priority}/edit/", lambda w: {"title": "Mine"}),
    ("/o/demoshire/objectives/{objective}/edit/", lambda w: {"statement": "Mine"}),
    ("/o/demoshire/milestones/{m1}/edit/", lambda w: {"title": "Mine"}),
])
def test_each_change_form_refuses_a_stale_version_on_the_page(client, world, url, fields):
    target = url.format(plan=world["plan"].pk, priority=world["priority"].pk, objective=world["objective"].pk,
                        m1=world["m1"].pk)
    client.force_login(world["cast"]["manager"])
    assert 'name="version" value="1"' in client.get(target).content.decode()
    r = client.post(target, {**fields(world), "version": "1"})
    assert r.status_code == 302  # the version opened is the one held: saved
    client.force_login(world["cast"]["admin"])
    r = client.post(target, {**fields(world), "version": "1"})
    assert r.status_code == 200 and "was changed by Priya Shah" in r.content.decode()


def test_re_dating_on_the_milestone_page_after_someone_else_did_is_refused(client, world):
    m = world["m1"]
    client.force_login(world["cast"]["contributor"])
    assert 'name="version" value="1"' in client.get(f"/o/demoshire/milestones/{m.pk}/").content.decode()
    services.redate_milestone(acc(world, "manager"), m, new_date=m.baseline_date + D(14), reason="Agency delay")
    r = client.post(f"/o/demoshire/milestones/{m.pk}/", {"op": "redate", **_date("new_date", m.baseline_date + D(7)),
                                                         "reason": "Start date moved", "version": "1"})
    assert r.status_code == 200 and "was changed by Priya Shah" in r.content.decode()
    assert Milestone.objects.get(pk=m.pk).forecast_date == m.baseline_date + D(14)


def test_the_update_form_opened_before_a_managers_draft_is_refused(client, world):
    a, q = world["action"], world["period"]
    client.force_login(world["cast"]["contributor"])
    html = client.get(f"/o/demoshire/actions/{a.pk}/").content.decode()
    assert f'name="version" value="{q.identifier}:0"' in html
    services.save_update(acc(world, "manager"), a, q, delivery="at_risk", percent_complete=30,
                         commentary="Agency OTs delayed a fortnight")
    r = client.post(f"/o/demoshire/actions/{a.pk}/", {
        "period": q.identifier, "delivery": "on_track", "percent_complete": "40", "commentary": "Going well",
        "version": f"{q.identifier}:0", "draft": "1"})
    assert r.status_code == 200 and "was changed by Priya Shah" in r.content.decode()
    assert ActionUpdate.objects.get().commentary == "Agency OTs delayed a fortnight"


# API --------------------------------------------------------------------------------------

def test_the_api_refuses_a_stale_version_with_409_and_saves_a_current_one_or_none(client, world):
    a = world["action"]
    body = {"title": "Mine", "due": a.due.isoformat(), "start": a.start.isoformat(), "lead_unit_id": world["ot"].pk,
            "owner_email": world["cast"]["contributor"].email}
    admin = _auth(world["cast"]["admin"])
    got = client.get(f"{BASE}/actions/{a.pk}", **admin).json()
    assert got["version"] == 1
    _priya_renames_the_action(world)
    r = client.put(f"{BASE}/actions/{a.pk}", data={**body, "version": 1}, content_type="application/json", **admin)
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert "was changed by Priya Shah at" in r.json()["detail"]
    assert Action.objects.get(pk=a.pk).title == "Clear the OT backlog by March"
    r = client.put(f"{BASE}/actions/{a.pk}", data={**body, "version": 2}, content_type="application/json", **admin)
    assert r.status_code == 200 and r.json()["version"] == 3 and r.json()["title"] == "Mine"
    r = client.put(f"{BASE}/actions/{a.pk}", data={**body, "title": "Mine again"}, content_type="application/json",
                   **admin)
    assert r.status_code == 200 and r.json()["version"] == 4


def test_the_api_refuses_stale_milestone_and_update_edits_with_409(client, world):
    m, q = world["m1"], world["period"]
    contributor = _auth(world["cast"]["contributor"])
    services.rename_milestone(acc(world, "manager"), m, title="Recruit four agency OTs")
    r = client.post(f"{BASE}/milestones/{m.pk}/redate", content_type="application/json", **contributor,
                    data={"new_date": (m.baseline_date + D(7)).isoformat(), "reason": "Start moved", "version": 1})
    assert r.status_code == 409
    assert "Milestone ‘Recruit four agency OTs’ was changed by Priya Shah" in r.json()["detail"]
    services.save_update(acc(world, "manager"), world["action"], q, delivery="at_risk", percent_complete=30,
                         commentary="Agency OTs delayed a fortnight")
    r = client.put(f"{BASE}/actions/{world['action'].pk}/updates/{q.identifier}", content_type="application/json",
                   **contributor, data={"delivery": "on_track", "percent_complete": 40, "commentary": "Fine",
                                        "version": 0})
    assert r.status_code == 409
    assert Milestone.objects.get(pk=m.pk).forecast_date == m.baseline_date


def test_the_openapi_document_offers_a_version_on_every_change_body(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("PlanChangeIn", "TitleChangeIn", "StatementChangeIn", "ActionChangeIn", "MilestoneTitleIn",
                 "RedateIn", "CompleteIn", "OverrideIn", "UpdateIn"):
        assert "409" in schemas[name]["properties"]["version"]["description"], name
