import datetime as dt

from carestat.core import services as core_services
from carestat.plans import services
from conftest import access_for

D = dt.timedelta


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 'test')[1]}"}


def test_a_milestone_re_dated_twice_shows_baseline_both_revisions_and_slippage_in_the_api(client, world):
    m = world["m1"]
    a = access_for(world["cast"]["contributor"], world["org"])
    services.redate_milestone(a, m, new_date=m.baseline_date + D(21), reason="Agency start delayed")
    r = client.post(f"/api/v1/organisations/demoshire/milestones/{m.pk}/redate", content_type="application/json",
                    data={"new_date": (m.baseline_date + D(45)).isoformat(), "reason": "Second cohort needed"},
                    **_auth(world["cast"]["contributor"]))
    assert r.status_code == 200, r.content
    body = client.get(f"/api/v1/organisations/demoshire/actions/{world['action'].pk}",
                      **_auth(world["cast"]["viewer"])).json()
    got = next(x for x in body["milestones"] if x["id"] == m.pk)
    assert got["baseline_date"] == m.baseline_date.isoformat()
    assert [(c["new_date"], c["reason"]) for c in got["date_changes"]] == [
        ((m.baseline_date + D(21)).isoformat(), "Agency start delayed"),
        ((m.baseline_date + D(45)).isoformat(), "Second cohort needed")]
    assert got["slippage_days"] == 45
    assert got["slippage_working_days"] == world["org"].calendar.working_days_between(m.baseline_date,
                                                                                       m.baseline_date + D(45))


def test_the_api_submits_approves_and_refuses_changes_to_a_closed_period(client, world):
    url = f"/api/v1/organisations/demoshire/actions/{world['action'].pk}/updates/{world['period'].identifier}"
    payload = {"delivery": "on_track", "percent_complete": 55, "commentary": "Backlog down to 120", "submit": True}
    r = client.put(url, content_type="application/json", data=payload, **_auth(world["cast"]["contributor"]))
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = client.post(url + "/approve", content_type="application/json", data={}, **_auth(world["cast"]["manager"]))
    assert r.json()["status"] == "approved"
    core_services.close_period(access_for(world["cast"]["manager"], world["org"]), world["period"])
    r = client.put(url, content_type="application/json", data=payload, **_auth(world["cast"]["contributor"]))
    assert r.status_code == 409 and "closed" in r.json()["detail"]


def test_a_contributor_cannot_approve_through_the_api(client, world):
    url = f"/api/v1/organisations/demoshire/actions/{world['action'].pk}/updates/{world['period'].identifier}"
    client.put(url, content_type="application/json", **_auth(world["cast"]["contributor"]),
               data={"delivery": "on_track", "percent_complete": 5, "commentary": "Begun", "submit": True})
    r = client.post(url + "/approve", content_type="application/json", data={}, **_auth(world["cast"]["contributor"]))
    assert r.status_code == 403


def test_another_councils_admin_gets_404_for_a_demoshire_plan(client, world):
    r = client.get(f"/api/v1/organisations/westmarch/plans/{world['plan'].pk}", **_auth(world["cast"]["outsider"]))
    assert r.status_code == 404


def test_the_plan_endpoint_counts_match_the_tree(client, world):
    body = client.get(f"/api/v1/organisations/demoshire/plans/{world['plan'].pk}",
                      **_auth(world["cast"]["viewer"])).json()
    assert body["actions"] == 1 and body["milestones"] == 2 and sum(body["counts"].values()) == 2


def test_a_manager_builds_a_plan_through_the_api_and_a_contributor_cannot(client, world):
    base = "/api/v1/organisations/demoshire"
    auth = _auth(world["cast"]["manager"])
    post = lambda path, data, a=auth: client.post(base + path, content_type="application/json", data=data, **a)  # noqa: E731
    plan = post("/plans", {"kind": "portfolio", "title": "Adult care and health portfolio", "start": "2026-04-01",
                           "end": "2029-03-31"}).json()
    pri = post(f"/plans/{plan['id']}/priorities", {"title": "Safeguarding"}).json()
    obj = post(f"/priorities/{pri['id']}/objectives", {"statement": "People are safe from abuse"}).json()
    act = post(f"/objectives/{obj['id']}/actions", {"title": "Audit case files", "due": "2027-03-31",
                                                    "owner_email": world["cast"]["contributor"].email}).json()
    r = post(f"/actions/{act['id']}/milestones", {"title": "Framework agreed", "baseline_date": "2027-01-29"})
    assert r.status_code == 201
    tree = client.get(f"{base}/plans/{plan['id']}", **auth).json()
    assert (tree["actions"], tree["milestones"]) == (1, 1)
    r = post("/plans", {"kind": "portfolio", "title": "Another", "start": "2026-04-01", "end": "2029-03-31"},
             _auth(world["cast"]["contributor"]))
    assert r.status_code == 403
    r = post("/plans", {"kind": "portfolio", "title": "Backwards", "start": "2026-04-01", "end": "2025-03-31"})
    assert r.status_code == 422 and r.json()["field"] == "end"


# Changing, archiving and restoring through the API ------------------------------------------

BASE = "/api/v1/organisations/demoshire"


def _call(client, method, path, data, user):
    return getattr(client, method)(BASE + path, content_type="application/json", data=data, **_auth(user))


def test_a_manager_renames_a_priority_rewords_an_objective_and_changes_an_action(client, world):
    from carestat.core.models import AuditEntry

    manager = world["cast"]["manager"]
    r = _call(client, "put", f"/priorities/{world['priority'].pk}", {"title": "Waiting lists"}, manager)
    assert r.status_code == 200 and r.json() == {"id": world["priority"].pk, "version": 2, "title": "Waiting lists"}
    r = _call(client, "put", f"/objectives/{world['objective'].pk}",
              {"statement": "No one waits more than 21 days"}, manager)
    assert r.status_code == 200 and r.json()["title"] == "No one waits more than 21 days"
    a = world["action"]
    r = _call(client, "put", f"/actions/{a.pk}", {
        "title": a.title, "due": a.due.isoformat(), "start": a.start.isoformat(),
        "owner_email": world["cast"]["contributor"].email, "lead_unit_id": world["ot"].pk,
        "bau_or_change": "bau", "phase": "Next 100 days"}, manager)
    assert r.status_code == 200, r.content
    assert (r.json()["phase"], r.json()["bau_or_change"], r.json()["owner"]) == ("Next 100 days", "bau", "Tom Okafor")
    a.refresh_from_db()
    assert (a.phase, a.bau_or_change, a.owner) == ("Next 100 days", "bau", world["cast"]["contributor"])
    messages = list(AuditEntry.objects.filter(action__in=["plans.priority.changed", "plans.objective.changed",
                                                         "plans.action.changed"]).values_list("message", flat=True))
    assert "Priya Shah changed priority ‘Waiting lists’: Title changed from ‘Backlog clearance’ to ‘Waiting lists’" \
        in messages
    assert any("Phase changed from ‘First 100 days’ to ‘Next 100 days’" in m for m in messages)
    tree = client.get(f"{BASE}/plans/{world['plan'].pk}", **_auth(world["cast"]["viewer"])).json()
    assert tree["priorities"][0]["title"] == "Waiting lists"
    assert tree["priorities"][0]["objectives"][0]["statement"] == "No one waits more than 21 days"


def test_a_manager_changes_a_plans_details_and_a_clashing_title_is_refused(client, world):
    manager, p = world["cast"]["manager"], world["plan"]
    body = {"kind": "portfolio", "title": "Adult care portfolio", "description": "Reported every half year",
            "start": p.start.isoformat(), "end": p.end.isoformat()}
    r = _call(client, "put", f"/plans/{p.pk}", body, manager)
    assert r.status_code == 200 and (r.json()["title"], r.json()["kind"]) == ("Adult care portfolio", "portfolio")
    _call(client, "post", "/plans", {**body, "title": "Another plan"}, manager)
    r = _call(client, "put", f"/plans/{p.pk}", {**body, "title": "another PLAN"}, manager)
    assert r.status_code == 409 and r.json() == {"detail": "There is already a plan called ‘another PLAN’",
                                                 "field": "title"}


def test_the_api_refuses_bad_changes_with_the_pages_messages_naming_the_field(client, world):
    manager, a = world["cast"]["manager"], world["action"]
    r = _call(client, "put", f"/actions/{a.pk}", {"title": a.title, "start": a.due.isoformat(),
                                                  "due": (a.due - D(1)).isoformat()}, manager)
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["detail"]) == ("due", "The action must be due on or after its start date")
    p = world["plan"]
    r = _call(client, "put", f"/plans/{p.pk}", {"kind": "portfolio", "title": "Backwards",
                                                "start": p.start.isoformat(),
                                                "end": (p.start - D(1)).isoformat()}, manager)
    assert r.status_code == 422 and r.json()["field"] == "end"
    r = _call(client, "put", f"/priorities/{world['priority'].pk}", {"title": "   "}, manager)
    assert r.status_code == 422 and r.json()["field"] == "title"
    a.refresh_from_db()
    p.refresh_from_db()
    assert a.due > a.start and p.title == "Adult social care improvement"


def test_an_owner_from_another_council_is_not_found_and_not_named(client, world):
    a = world["action"]
    r = _call(client, "put", f"/actions/{a.pk}", {"title": a.title, "due": a.due.isoformat(),
                                                  "owner_email": world["cast"]["outsider"].email},
              world["cast"]["manager"])
    assert r.status_code == 422 and r.json()["field"] == "owner_email"
    assert r.json()["detail"] == "Nobody in Demoshire County Council signs in as alex@westmarch.example"
    a.refresh_from_db()
    assert a.owner == world["cast"]["contributor"]


def test_a_viewer_gets_403_and_another_council_404_when_changing_through_the_api(client, world):
    a, m = world["action"], world["m1"]
    r = _call(client, "put", f"/actions/{a.pk}", {"title": "Viewer's title", "due": a.due.isoformat()},
              world["cast"]["viewer"])
    assert r.status_code == 403
    r = _call(client, "post", f"/milestones/{m.pk}/rename", {"title": "Viewer's title"}, world["cast"]["viewer"])
    assert r.status_code == 403 and "does not allow" in r.json()["detail"]
    r = _call(client, "post", f"/milestones/{m.pk}/rename", {"title": "Outsider's title"}, world["cast"]["outsider"])
    assert r.status_code == 404
    r = client.post(f"/api/v1/organisations/westmarch/milestones/{m.pk}/rename", content_type="application/json",
                    data={"title": "Outsider's title"}, **_auth(world["cast"]["outsider"]))
    assert r.status_code == 404
    a.refresh_from_db()
    m.refresh_from_db()
    assert (a.title, m.title) == ("Clear the OT assessment backlog", "Recruit agency OTs")


def test_a_manager_renames_a_milestone_through_the_api_and_its_dates_stay(client, world):
    m = world["m1"]
    r = _call(client, "post", f"/milestones/{m.pk}/rename", {"title": "Recruit agency and bank OTs"},
              world["cast"]["manager"])
    assert r.status_code == 200
    body = r.json()
    assert body["title"] == "Recruit agency and bank OTs"
    assert body["baseline_date"] == body["forecast_date"] == m.baseline_date.isoformat()
    assert body["date_changes"] == []


def test_renaming_through_the_api_refuses_dates_rather_than_ignoring_them(client, world):
    m = world["m1"]
    r = _call(client, "post", f"/milestones/{m.pk}/rename",
              {"title": "Recruit agency OTs later", "forecast_date": (m.baseline_date + D(30)).isoformat()},
              world["cast"]["manager"])
    assert r.status_code == 422 and r.json()["field"] == "forecast_date"
    m.refresh_from_db()
    assert (m.title, m.forecast_date) == ("Recruit agency OTs", m.baseline_date)


def test_archiving_and_restoring_through_the_api_follow_the_tree(client, world):
    from carestat.core.models import AuditEntry

    manager = world["cast"]["manager"]
    reason = {"reason": "Folded into another theme"}
    assert _call(client, "post", f"/actions/{world['action'].pk}/archive", reason, manager).status_code == 200
    assert _call(client, "post", f"/priorities/{world['priority'].pk}/archive", reason, manager).status_code == 200
    tree = client.get(f"{BASE}/plans/{world['plan'].pk}", **_auth(manager)).json()
    assert tree["priorities"] == []
    r = _call(client, "post", f"/actions/{world['action'].pk}/unarchive", {"reason": "Needed again"}, manager)
    assert r.status_code == 409 and "restore that priority first" in r.json()["detail"]
    r = _call(client, "post", f"/priorities/{world['priority'].pk}/unarchive", {"reason": "Theme is back"}, manager)
    assert r.status_code == 200 and r.json() == {"id": world["priority"].pk, "version": 3, "title": "Backlog clearance"}
    r = _call(client, "post", f"/actions/{world['action'].pk}/unarchive", {"reason": "Needed again"}, manager)
    assert r.status_code == 200
    tree = client.get(f"{BASE}/plans/{world['plan'].pk}", **_auth(manager)).json()
    assert tree["actions"] == 1 and tree["milestones"] == 2
    r = _call(client, "post", f"/actions/{world['action'].pk}/unarchive", {"reason": "Needed again"}, manager)
    assert r.status_code == 409 and r.json()["detail"] == "‘Clear the OT assessment backlog’ is not archived"
    assert AuditEntry.objects.filter(action="plans.action.unarchived").count() == 1


def test_restoring_through_the_api_needs_a_reason_and_a_manager(client, world):
    manager = world["cast"]["manager"]
    _call(client, "post", f"/objectives/{world['objective'].pk}/archive", {"reason": "Merged into another"}, manager)
    r = _call(client, "post", f"/objectives/{world['objective'].pk}/unarchive", {"reason": ""}, manager)
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = _call(client, "post", f"/objectives/{world['objective'].pk}/unarchive", {"reason": "Needed again"},
              world["cast"]["contributor"])
    assert r.status_code == 403
    world["objective"].refresh_from_db()
    assert world["objective"].is_archived
