"""The risk register through the API: list with flags, create, score, link, and refusals."""

import pytest

from carestat.core import services as core_services
from carestat.plans.tests.builders import small_plan
from carestat.risks.models import Assessment, Mitigation, Risk
from carestat.risks.tests.builders import red_measure, small_register

A = "/api/v1/organisations/demoshire"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 'test')[1]}"}


@pytest.fixture
def world(demoshire, cast):
    return small_register(demoshire, cast["admin"], cast["contributor"])


def test_the_register_lists_scores_and_flags_and_filters_by_flag(client, world, viewer):
    body = client.get(f"{A}/risks", **_auth(viewer)).json()
    [r] = body
    assert (r["ref"], r["current"]["score"], r["target"]["score"], r["movement"]) == ("R01", 16, 6, "up")
    assert r["flags"] == ["Above appetite", "Worsening"]
    assert client.get(f"{A}/risks?flag=review_overdue", **_auth(viewer)).json() == []
    bad = client.get(f"{A}/risks?flag=scary", **_auth(viewer))
    assert bad.status_code == 422 and "‘scary’ is not a flag" in bad.json()["detail"]


def test_a_manager_creates_scores_and_links_a_risk_through_the_api(client, world, manager, admin, demoshire):
    r = client.post(f"{A}/risks", content_type="application/json", **_auth(manager),
                    data={"ref": "R02", "title": "DoLS backlog grows", "category": "workforce",
                          "owner_email": "tom@demoshire.example", "priority_id": world["priority"].pk})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    s = client.post(f"{A}/risks/{rid}/assessments", content_type="application/json", **_auth(manager),
                    data={"kind": "current", "likelihood": 4, "impact": 3, "score": 12,
                          "reason": "Applications up a third"})
    assert s.status_code == 201 and s.json()["band"] == "High"
    m = client.post(f"{A}/risks/{rid}/mitigations/actions/{world['action'].pk}", **_auth(manager))
    assert m.status_code == 201
    measure = red_measure(demoshire, admin)
    k = client.post(f"{A}/risks/{rid}/indicators/measures/{measure.pk}", **_auth(manager))
    assert k.status_code == 201
    detail = client.get(f"{A}/risks/{rid}", **_auth(manager)).json()
    assert detail["plan_id"] == world["plan"].pk
    assert detail["mitigations"][0]["action"] == "Clear the OT assessment backlog"
    assert detail["indicators"][0]["alert"] is True
    assert "Indicator alert" in detail["flags"]


def test_an_impossible_score_is_refused_with_a_clear_message_and_nothing_stored(client, world, manager):
    before = Assessment.objects.count()
    r = client.post(f"{A}/risks/{world['risk'].pk}/assessments", content_type="application/json",
                    **_auth(manager), data={"kind": "current", "likelihood": 3, "impact": 3, "score": 10,
                                            "reason": "Quarterly review"})
    assert r.status_code == 422 and r.json() == {"detail": "A likelihood of 3 and an impact of 3 score 9, not 10",
                                                 "field": "score"}
    r = client.post(f"{A}/risks/{world['risk'].pk}/assessments", content_type="application/json",
                    **_auth(manager), data={"kind": "current", "likelihood": 6, "impact": 3,
                                            "reason": "Quarterly review"})
    assert r.status_code == 422 and r.json()["field"] == "likelihood"
    assert Assessment.objects.count() == before


def test_linking_another_councils_action_is_refused_without_saying_what_it_is(client, world, manager, westmarch,
                                                                               outsider):
    theirs = small_plan(westmarch, outsider, outsider)
    r = client.post(f"{A}/risks/{world['risk'].pk}/mitigations/actions/{theirs['action'].pk}", **_auth(manager))
    assert r.status_code == 422
    assert r.json()["detail"] == (f"No action {theirs['action'].pk} in a plan of Demoshire County Council; choose "
                                  "an action of this organisation")
    assert Mitigation.objects.filter(risk=world["risk"]).count() == 1


def test_another_councils_risk_is_not_found(client, world, outsider):
    assert client.get(f"/api/v1/organisations/westmarch/risks/{world['risk'].pk}", **_auth(outsider)).status_code \
        == 404


def test_the_matrix_changes_through_the_api_for_admins_only(client, world, admin, manager):
    data = {"likelihood": ["Low", "Medium", "High"], "impact": ["Low", "Medium", "High"],
            "bands": [{"label": "Green", "min_score": 1, "rag": "green"}, {"label": "Red", "min_score": 6,
                                                                         "rag": "red"}]}
    assert client.put(f"{A}/risk-matrix", content_type="application/json", data=data,
                      **_auth(manager)).status_code == 403
    r = client.put(f"{A}/risk-matrix", content_type="application/json", data=data, **_auth(admin))
    assert r.status_code == 422 and "levels above 3" in r.json()["detail"]
    assert Risk.objects.get(ref="R01").assessments.count() == 4
