"""The plan lists a page and the API share hold the same records, archived and other
councils' included, because both read them through carestat.plans.selectors."""

import re

from carestat.core import services as core_services
from carestat.core.models import UnitKind
from carestat.plans import services
from carestat.plans.models import PlanKind
from carestat.plans.tests.builders import small_plan
from conftest import access_for


def _page_ids(client, url: str, pattern: str) -> set[int]:
    r = client.get(url)
    assert r.status_code == 200
    return {int(x) for x in re.findall(pattern, r.content.decode())}


def _api_ids(client, url: str) -> set[int]:
    r = client.get(url)
    assert r.status_code == 200
    return {row["id"] for row in r.json()}


def _my_actions(client):
    page = _page_ids(client, "/o/demoshire/plans/my-actions/", r'href="/o/demoshire/actions/(\d+)/"')
    api = _api_ids(client, "/api/v1/organisations/demoshire/my-actions")
    return page, api


def _second_action(world, title, **kw):
    a = access_for(world["cast"]["admin"], world["org"])
    return services.add_action(a, world["objective"], title=title, owner=world["cast"]["contributor"],
                               lead_unit=world["ot"], due=world["action"].due, **kw)


def test_my_actions_page_and_api_list_the_same_actions(client, world):
    other = _second_action(world, "Recruit two OTs")
    client.force_login(world["cast"]["contributor"])
    page, api = _my_actions(client)
    assert page == api == {world["action"].pk, other.pk}


def test_an_archived_plans_actions_leave_my_actions_on_the_page_and_in_the_api(client, world):
    a = access_for(world["cast"]["admin"], world["org"])
    services.archive(a, world["plan"], reason="Replaced by the 3-year programme")
    client.force_login(world["cast"]["contributor"])
    page, api = _my_actions(client)
    assert page == api == set()


def test_an_archived_action_priority_or_objective_leaves_my_actions_alike(client, world):
    a = access_for(world["cast"]["admin"], world["org"])
    dropped = _second_action(world, "Pilot trusted assessors")
    services.archive(a, dropped, reason="The pilot was not funded")
    client.force_login(world["cast"]["contributor"])
    page, api = _my_actions(client)
    assert page == api == {world["action"].pk}
    services.archive(a, world["objective"], reason="Folded into the backlog objective")
    page, api = _my_actions(client)
    assert page == api == set()


def test_my_actions_lists_an_action_led_by_another_unit_in_both(client, world):
    a = access_for(world["cast"]["admin"], world["org"])
    safeguarding = core_services.add_unit(a, name="Safeguarding", kind=UnitKind.TEAM, parent=world["adults"])
    elsewhere = services.add_action(a, world["objective"], title="Joint triage with safeguarding",
                                    owner=world["cast"]["contributor"], lead_unit=safeguarding,
                                    due=world["action"].due)
    client.force_login(world["cast"]["contributor"])
    page, api = _my_actions(client)
    assert page == api == {world["action"].pk, elsewhere.pk}


def test_another_councils_actions_are_in_neither_my_actions_list(client, world, westmarch):
    outsider = world["cast"]["outsider"]
    theirs = small_plan(westmarch, outsider, outsider)
    client.force_login(outsider)
    page = _page_ids(client, "/o/westmarch/plans/my-actions/", r'href="/o/westmarch/actions/(\d+)/"')
    api = _api_ids(client, "/api/v1/organisations/westmarch/my-actions")
    assert page == api == {theirs["action"].pk}
    client.force_login(world["cast"]["contributor"])
    page, api = _my_actions(client)
    assert page == api == {world["action"].pk}


def _plans(client, archived: bool):
    page = _page_ids(client, "/o/demoshire/plans/" + ("?show=archived" if archived else ""),
                     r'href="/o/demoshire/plans/(\d+)/"')
    api = _api_ids(client, "/api/v1/organisations/demoshire/plans" + ("?archived=true" if archived else ""))
    return page, api


def test_the_plans_page_and_api_list_the_same_plans_with_and_without_archived_ones(client, world, westmarch):
    a = access_for(world["cast"]["admin"], world["org"])
    old = services.create_plan(a, kind=PlanKind.PORTFOLIO, title="Portfolio plan 2023-24", start=world["plan"].start,
                               end=world["plan"].end)
    services.archive(a, old, reason="The year is over")
    outsider = world["cast"]["outsider"]
    small_plan(westmarch, outsider, outsider)
    client.force_login(world["cast"]["viewer"])
    page, api = _plans(client, archived=False)
    assert page == api == {world["plan"].pk}
    page, api = _plans(client, archived=True)
    assert page == api == {world["plan"].pk, old.pk}
