"""A saving names the risk to its delivery: chosen and cleared on the form and the API, shown on
the savings tracker, and listed on the risk's page (through a record panel, so the risks app
does not import finance)."""

import pytest

from carestat.core import services as core_services
from carestat.core.errors import InvalidInput
from carestat.core.models import AuditEntry
from carestat.finance import services
from carestat.risks import services as risk_services
from conftest import access_for


def _risk(org, admin, ref="CSF-02", title="Children's placement costs overspend"):
    a = access_for(admin, org)
    category = risk_services.add_category(a, name="Financial", appetite="minimal", max_target_score=6)
    return risk_services.create_risk(a, ref=ref, title=title, cause="More children in care", event="Overspend",
                                     consequence="Savings elsewhere", category=category)


@pytest.fixture
def risk(world, admin, demoshire):
    return _risk(demoshire, admin)


def test_a_saving_is_linked_to_a_risk_and_the_risk_page_lists_it(world, risk, client, viewer):
    saving = services.add_saving(world["access"], reference="CS-01", title="Step down residential placements",
                                 targets={"2026-27": "500000"}, risk=risk)
    assert saving.risk == risk
    client.force_login(viewer)
    html = client.get(f"/o/demoshire/risks/{risk.pk}/").content.decode()
    assert "Savings at risk" in html and "CS-01 Step down residential placements" in html
    assert "target £500,000.00 in 2026-27" in html
    tracker = client.get("/o/demoshire/finance/savings/").content.decode()
    assert "CSF-02 Children&#39;s placement costs overspend" in tracker or "CSF-02 Children's placement" in tracker


def test_a_risk_with_no_savings_says_so(world, risk, client, viewer):
    client.force_login(viewer)
    assert "No savings in the programme are linked to this risk." in client.get(
        f"/o/demoshire/risks/{risk.pk}/").content.decode()


def test_the_savings_risk_is_chosen_and_cleared_on_its_page_and_audited(world, risk, client, manager):
    saving = services.add_saving(world["access"], reference="CS-01", title="Step down", targets={"2026-27": "1"})
    client.force_login(manager)
    url = f"/o/demoshire/finance/savings/{saving.pk}/"
    response = client.post(url, {"op": "links", "l-risk": str(risk.pk), "l-owner": "", "l-line": "", "l-action": ""})
    assert response.status_code == 302
    saving.refresh_from_db()
    assert saving.risk == risk
    assert AuditEntry.objects.filter(action="finance.saving.linked").last().message == (
        "Priya Shah set saving CS-01's risk to CSF-02: Children's placement costs overspend")
    client.post(url, {"op": "links", "l-risk": ""})
    saving.refresh_from_db()
    assert saving.risk is None


def test_another_councils_risk_or_an_archived_one_cannot_be_linked(world, risk, westmarch, outsider, admin,
                                                                   demoshire):
    theirs = _risk(westmarch, outsider, ref="W-01", title="Theirs")
    with pytest.raises(InvalidInput) as caught:
        services.add_saving(world["access"], reference="CS-01", title="x", targets={"2026-27": "1"}, risk=theirs)
    assert caught.value.field == "risk"
    risk_services.archive_risk(access_for(admin, demoshire), risk, reason="Merged into another risk")
    risk.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.add_saving(world["access"], reference="CS-02", title="x", targets={"2026-27": "1"}, risk=risk)


def test_the_api_sets_and_clears_a_savings_risk(world, risk, client, manager):
    token = core_services.create_api_token(manager, "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = "/api/v1/organisations/demoshire/finance/savings"
    body = client.post(url, {"reference": "CS-01", "title": "Step down", "risk_id": risk.pk,
                             "targets": [{"year": "2026-27", "target": "100"}]},
                       content_type="application/json", **auth).json()
    assert (body["risk_id"], body["risk"]) == (risk.pk, "CSF-02 Children's placement costs overspend")
    cleared = client.put(f"{url}/{body['id']}/links", {"risk_id": None}, content_type="application/json",
                         **auth).json()
    assert cleared["risk_id"] is None
    assert client.put(f"{url}/{body['id']}/links", {"risk_id": 999999}, content_type="application/json",
                      **auth).status_code == 404
