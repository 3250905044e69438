import pytest

from carestat.core.errors import InvalidInput
from carestat.measures import services
from carestat.measures.tests.helpers import make_objective
from conftest import access_for


def test_a_manager_links_a_measure_to_a_plan_objective_and_the_page_shows_it(client, permanent_share, manager,
                                                                             demoshire):
    objective = make_objective(demoshire)
    client.force_login(manager)
    response = client.post("/o/demoshire/measures/WF-PERMANENT-SHARE/objectives/new/", {"objective": objective.pk})
    assert response.status_code == 302
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert "Recruit and keep a permanent frontline workforce" in page
    plan_id = objective.priority.plan_id
    listed = client.get(f"/o/demoshire/measures/?plan={plan_id}").content.decode()
    assert "Frontline staff who are permanent employees" in listed


def test_a_measure_cannot_be_linked_to_another_councils_objective(permanent_share, manager, demoshire, westmarch):
    other = make_objective(westmarch)
    with pytest.raises(InvalidInput, match="Choose an objective of one of this organisation's plans"):
        services.link_objective(access_for(manager, demoshire), permanent_share, other)


def test_the_measures_list_filtered_by_a_plan_leaves_out_unlinked_measures(client, permanent_share, ot_measure,
                                                                          manager, demoshire):
    objective = make_objective(demoshire)
    services.link_objective(access_for(manager, demoshire), permanent_share, objective)
    client.force_login(manager)
    listed = client.get(f"/o/demoshire/measures/?plan={objective.priority.plan_id}").content.decode()
    assert "Frontline staff who are permanent employees" in listed
    assert "OT assessments completed within 28 days" not in listed
