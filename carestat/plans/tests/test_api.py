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
