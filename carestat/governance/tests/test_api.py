import datetime as dt

import pytest
from django.utils import timezone

from carestat.core import services as core_services
from carestat.governance.models import Extension, Recommendation
from carestat.governance.tests.builders import small_governance
from carestat.plans.tests.builders import small_plan

P = "/api/v1/organisations/demoshire/governance"


@pytest.fixture
def world(demoshire, admin, contributor):
    return small_governance(demoshire, admin, contributor)


def _client(client, user):
    _, token = core_services.create_api_token(user, "test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_recommendation_is_raised_from_a_decision_answered_extended_and_closed_through_the_api(
        client, world, manager, contributor, admin):
    today = timezone.localdate()
    c = _client(client, manager)
    r = c.post(P + "/recommendations", content_type="application/json", data={
        "source": "scrutiny", "source_document": "Scrutiny minutes", "reference": "S1",
        "raised_on": str(world["meeting"].date), "text": "Share backlog figures", "due_date": str(today),
        "owner_id": contributor.pk, "board_id": world["board"].pk, "decision_id": world["decision"].pk})
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["decision_id"] == world["decision"].pk and rec["status"] == "open"
    r = c.post(P + f"/recommendations/{rec['id']}/actions", content_type="application/json",
               data={"action_id": world["action"].pk})
    assert r.json()["actions"][0]["title"] == "Clear the OT assessment backlog"
    assert r.json()["actions"][0]["rag"] is not None
    owner = _client(client, contributor)
    r = owner.post(P + f"/recommendations/{rec['id']}/extensions", content_type="application/json",
                   data={"new_due_date": str(today + dt.timedelta(days=14)), "reason": "Awaiting validated data"})
    ext_id = r.json()["extensions"][0]["id"]
    r = owner.post(P + f"/extensions/{ext_id}/decision", content_type="application/json", data={"approve": True})
    assert r.status_code == 403
    r = _client(client, manager).post(P + f"/extensions/{ext_id}/decision", content_type="application/json",
                                      data={"approve": True, "meeting_id": world["meeting"].pk})
    assert r.json()["due_date"] == str(today + dt.timedelta(days=14))
    c.post(P + f"/recommendations/{rec['id']}/status", content_type="application/json",
           data={"status": "implemented", "reason": "Figures circulated"})
    r = c.post(P + f"/recommendations/{rec['id']}/status", content_type="application/json",
               data={"status": "closed", "reason": "Verified"})
    assert r.status_code == 422 and r.json()["field"] == "evidence"
    r = c.post(P + f"/recommendations/{rec['id']}/status", content_type="application/json",
               data={"status": "closed", "reason": "Verified", "evidence": "Email to all members, 3 December"})
    assert r.json()["status"] == "closed"
    assert Extension.objects.get(pk=ext_id).status == "approved"


def test_a_due_date_before_the_recommendation_is_a_422_and_stores_nothing(client, world, manager):
    r = _client(client, manager).post(P + "/recommendations", content_type="application/json", data={
        "source": "internal_audit", "source_document": "IA 2026/07", "reference": "1", "raised_on": "2026-05-01",
        "due_date": "2026-04-30", "text": "Do it"})
    assert r.status_code == 422 and r.json()["field"] == "due_date"
    assert not Recommendation.objects.filter(source_document="IA 2026/07").exists()


def test_linking_another_organisations_action_is_a_404_and_links_nothing(client, world, westmarch, outsider, manager):
    theirs = small_plan(westmarch, outsider, outsider)
    r = _client(client, manager).post(P + f"/recommendations/{world['rec'].pk}/actions",
                                      content_type="application/json", data={"action_id": theirs["action"].pk})
    assert r.status_code == 404
    assert world["rec"].actions.count() == 1


def test_boards_meetings_and_the_filtered_tracker_read_through_the_api(client, world, viewer):
    c = _client(client, viewer)
    boards = c.get(P + "/boards").json()
    assert boards[0]["name"] == "Health and Adult Social Care Scrutiny Committee"
    assert boards[0]["members"] == ["Cllr Jane Ellis (chair)", "Cllr Ravi Patel (member)"]
    m = c.get(P + f"/meetings/{world['meeting'].pk}").json()
    assert m["items"][0]["plan_id"] == world["plan"].pk
    assert m["decisions"][0]["text"] == "That backlog figures be shared with all members"
    assert [r["reference"] for r in c.get(P + "/recommendations?source=external_auditor").json()] == ["R1"]
    assert c.get(P + "/recommendations?overdue=true").json() == []
    counts = c.get(P + "/recommendations/counts").json()
    assert counts == [{"source": "external_auditor", "total": 1, "live": 1, "overdue": 0, "extended": 0,
                       "implemented": 0, "closed": 0, "not_accepted": 0}]


def test_a_viewer_cannot_create_a_board(client, world, viewer):
    r = _client(client, viewer).post(P + "/boards", content_type="application/json",
                                     data={"name": "Care Quality Group", "kind": "care_quality"})
    assert r.status_code == 403
