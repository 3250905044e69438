"""Lines, medium-term plans and scenarios change through the pages and the API: audited, and a
line with figures in a closed period keeps its cost code, place and state."""

import pytest

from carestat.core import services as core_services
from carestat.core.errors import Conflict, InvalidInput, PeriodClosed
from carestat.core.models import AuditEntry, ReportingPeriod
from carestat.finance import ledger, services
from carestat.finance.models import Scenario, ServiceLine
from carestat.finance.tests.builders import EXTRACT, ledger_csv


def _close(world, identifier):
    core_services.close_period(world["access"], ReportingPeriod.objects.get(
        organisation=world["access"].organisation, identifier=identifier))


def test_a_line_is_renamed_recoded_and_moved_with_one_audit_entry(world):
    a = world["access"]
    services.update_line(a, world["fostering"], name="Foster care", cost_code="CS125", parent=None)
    line = ServiceLine.objects.get(pk=world["fostering"].pk)
    assert (line.name, line.cost_code, line.parent) == ("Foster care", "CS125", None)
    assert AuditEntry.objects.get(action="finance.line.changed").message == (
        "Priya Shah changed service line CS120 ‘Fostering placements’: renamed it ‘Foster care’, re-coded it from "
        "CS120 to CS125, made it a top-level line")


def test_a_line_with_figures_in_a_closed_period_keeps_its_code_place_and_state_but_can_be_renamed(world, today):
    a = world["access"]
    ledger.import_ledger(a, ledger_csv(EXTRACT), filename="august.csv")
    _close(world, "2026-07")
    res = world["residential"]
    for change in ({"cost_code": "CS111"}, {"parent": None}, {"is_archived": True}):
        kw = {"name": res.name, "cost_code": res.cost_code, "parent": world["placements"], **change}
        with pytest.raises(PeriodClosed) as caught:
            services.update_line(a, res, **kw)
        assert "2026-07" in caught.value.message
    # the parent holds the residential line's closed figures too: it cannot move either
    with pytest.raises(PeriodClosed):
        services.update_line(a, world["placements"], name="Placements", cost_code="CS100", parent=world["teams"])
    services.update_line(a, res, name="External residential placements", cost_code="CS110",
                         parent=world["placements"])
    assert ServiceLine.objects.get(pk=res.pk).name == "External residential placements"


def test_a_line_cannot_sit_under_itself_or_take_anothers_code(world):
    a = world["access"]
    with pytest.raises(InvalidInput) as caught:
        services.update_line(a, world["placements"], name="x", cost_code="CS100", parent=world["residential"])
    assert caught.value.field == "parent"
    with pytest.raises(Conflict):
        services.update_line(a, world["teams"], name="x", cost_code="cs110")
    with pytest.raises(InvalidInput):  # its lines must go first
        services.update_line(a, world["placements"], name="x", cost_code="CS100", is_archived=True)


def test_recoding_a_modelled_line_keeps_its_scenarios_pointing_at_it(world):
    a = world["access"]
    services.set_driver(a, world["residential"], activity="residential", base_year="2026-27", unit_cost="1")
    s = services.save_scenario(a, name="Fewer", changes=[{"cost_code": "CS110", "kind": "volume", "amount": "-1",
                                                          "start": "2026-27-Q3"}])
    services.update_line(a, world["residential"], name="Residential", cost_code="CS119", parent=world["placements"])
    assert Scenario.objects.get(pk=s.pk).changes[0]["cost_code"] == "CS119"


def test_the_line_page_changes_a_line_and_archiving_hides_it_from_the_summary(world, client, manager):
    client.force_login(manager)
    url = f"/o/demoshire/finance/lines/{world['teams'].pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Social work teams", "cost_code": "CS200", "parent": "", "unit": "",
                                 "is_archived": "on"})
    assert response.status_code == 302
    assert ServiceLine.objects.get(pk=world["teams"].pk).is_archived
    bad = client.post(url, {"name": "", "cost_code": "CS200", "parent": "", "unit": ""})
    assert "Enter the line" in bad.content.decode()


def test_a_medium_term_plan_is_retitled_and_lengthened_on_its_page_and_the_api(world, client, manager):
    mtp = services.create_medium_term_plan(world["access"], title="MTFP", first_year="2026-27", years=3)
    client.force_login(manager)
    response = client.post(f"/o/demoshire/finance/plans/{mtp.pk}/edit/",
                           {"title": "MTFP 2026 to 2030", "first_year": "2026-27", "years": "4", "plan": ""})
    assert response.status_code == 302
    mtp.refresh_from_db()
    assert (mtp.title, mtp.year_labels[-1]) == ("MTFP 2026 to 2030", "2029-30")
    assert AuditEntry.objects.get(action="finance.mtp.changed").message == (
        "Priya Shah changed medium-term plan ‘MTFP’: now ‘MTFP 2026 to 2030’, 2026-27 to 2029-30")
    token = core_services.create_api_token(manager, "t")[1]
    body = client.put(f"/api/v1/organisations/demoshire/finance/medium-term-plans/{mtp.pk}",
                      {"title": "MTFP", "first_year": "2025-26", "years": 5}, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["year_labels"] == ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30"]


@pytest.fixture
def modelled(world):
    a = world["access"]
    services.set_driver(a, world["residential"], activity="residential", base_year="2026-27", unit_cost="100000")
    services.set_driver(a, world["fostering"], activity="fostering", base_year="2026-27", unit_cost="40000")
    return services.save_scenario(a, name="Fewer residential", changes=[
        {"cost_code": "CS110", "kind": "volume", "amount": "-2", "start": "2026-27-Q3"}])


def test_a_scenarios_changes_are_edited_added_and_removed_on_its_page(world, modelled, client, manager):
    client.force_login(manager)
    url = f"/o/demoshire/finance/model/scenarios/{modelled.pk}/"
    assert "Change 1: amount" in client.get(url).content.decode()
    response = client.post(url, {
        "name": "Fewer residential, more fostering", "description": "",
        "c0_cost_code": "CS110", "c0_kind": "volume", "c0_amount": "-3", "c0_start": "2026-27-Q4",
        "c1_cost_code": "CS120", "c1_kind": "volume", "c1_amount": "3", "c1_start": "2026-27-Q4"})
    assert response.status_code == 302
    modelled.refresh_from_db()
    assert modelled.name == "Fewer residential, more fostering"
    assert modelled.changes == [
        {"cost_code": "CS110", "kind": "volume", "amount": "-3.00", "start": "2026-27-Q4"},
        {"cost_code": "CS120", "kind": "volume", "amount": "3.00", "start": "2026-27-Q4"}]
    client.post(url, {"name": modelled.name, "c0_cost_code": "CS110", "c0_kind": "volume", "c0_amount": "-3",
                      "c0_start": "2026-27-Q4", "c0_remove": "on", "c1_cost_code": "CS120", "c1_kind": "volume",
                      "c1_amount": "3", "c1_start": "2026-27-Q4"})
    modelled.refresh_from_db()
    assert [c["cost_code"] for c in modelled.changes] == ["CS120"]
    assert AuditEntry.objects.filter(action="finance.scenario.changed").count() == 2


def test_an_archived_scenario_leaves_the_comparison_but_not_while_the_report_names_it(world, modelled, client,
                                                                                      manager):
    from carestat.finance import costmodel
    from carestat.finance.models import settings_for

    a = world["access"]
    current = settings_for(a.organisation)
    services.save_settings(a, report_scenario=modelled, **{k: str(getattr(current, k))
                                                           for k in services.SETTINGS_FIELDS})
    with pytest.raises(Conflict):
        services.archive_scenario(a, modelled, reason="Superseded by the new plan")
    services.save_settings(a, report_scenario=None, **{k: str(getattr(current, k)) for k in services.SETTINGS_FIELDS})
    client.force_login(manager)
    response = client.post(f"/o/demoshire/finance/model/scenarios/{modelled.pk}/archive/",
                           {"reason": "Superseded by the new plan"})
    assert response.status_code == 302
    assert [r.scenario for r in costmodel.build(a.organisation, year="2026-27").results] == [None]
    assert AuditEntry.objects.get(action="finance.scenario.archived").message == (
        "Priya Shah archived scenario ‘Fewer residential’: Superseded by the new plan")


def test_the_api_changes_a_line_and_a_scenario_and_archives_it(world, modelled, client, manager):
    token = core_services.create_api_token(manager, "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = "/api/v1/organisations/demoshire/finance"
    body = client.put(f"{url}/lines/{world['teams'].pk}", {"name": "Teams", "cost_code": "CS210"},
                      content_type="application/json", **auth).json()
    assert (body["name"], body["cost_code"]) == ("Teams", "CS210")
    body = client.put(f"{url}/model/scenarios/{modelled.pk}", {"name": "Fewer", "changes": [
        {"cost_code": "CS110", "kind": "unit_cost", "amount": "-5", "start": "2027-28-Q1"}]},
        content_type="application/json", **auth).json()
    assert body["changes"] == [{"cost_code": "CS110", "kind": "unit_cost", "amount": "-5.00", "start": "2027-28-Q1"}]
    archived = client.post(f"{url}/model/scenarios/{modelled.pk}/archive", {"reason": "No longer needed"},
                           content_type="application/json", **auth).json()
    assert archived["is_archived"] is True
