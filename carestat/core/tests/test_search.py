"""One search across the organisation's records: by words in titles, codes and commentary, on
SQLite (plain contains) and on PostgreSQL (full-text search); never another council's records,
never a draft update to anyone but its writer."""

import datetime as dt

from carestat.core import search
from carestat.plans import services
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for


def _plan_with_update(org, admin, contributor, *, commentary, submit=True):
    world = small_plan(org, admin, contributor)
    today = dt.date.today()
    period = quarter(org, "Q-now", today - dt.timedelta(days=30), today + dt.timedelta(days=30))
    services.save_update(access_for(contributor, org), world["action"], period, delivery="at_risk",
                         percent_complete=40, commentary=commentary, submit=submit)
    return world


def _hits(access, query, key=None):
    return [(g.key, h.title) for g in search.search(access, query) for h in g.hits if key in (None, g.key)]


def test_search_finds_an_action_by_a_word_in_its_update_commentary(demoshire, admin, contributor, viewer):
    world = _plan_with_update(demoshire, admin, contributor,
                              commentary="Two locum therapists started; waiting lists are falling.")
    hits = _hits(access_for(viewer, demoshire), "therapists")
    assert ("updates", world["action"].title) in hits


def test_search_finds_an_action_by_a_word_of_its_title_and_a_measure_by_its_code(
        demoshire, admin, contributor, viewer):
    from carestat.measures.models import Measure

    _plan_with_update(demoshire, admin, contributor, commentary="On track")
    Measure.objects.create(organisation=demoshire, code="ASCOF-2B", title="Older people still at home",
                           domain="adults", unit="percent", polarity="higher")
    viewer_access = access_for(viewer, demoshire)
    assert ("actions", "Clear the OT assessment backlog") in _hits(viewer_access, "backlog")
    assert _hits(viewer_access, "ascof-2b", "measures") == [("measures", "Older people still at home")]


def test_search_shows_a_draft_update_only_to_the_person_writing_it(demoshire, admin, contributor, viewer, manager):
    _plan_with_update(demoshire, admin, contributor, commentary="Unsent musings about tribunals", submit=False)
    assert _hits(access_for(contributor, demoshire), "tribunals", "updates")
    assert not _hits(access_for(viewer, demoshire), "tribunals", "updates")
    assert not _hits(access_for(manager, demoshire), "tribunals", "updates")


def test_search_never_finds_another_councils_records(demoshire, westmarch, admin, contributor, outsider):
    _plan_with_update(demoshire, admin, contributor, commentary="Two locum therapists started")
    assert search.search(access_for(outsider, westmarch), "therapists") == []
    assert search.search(access_for(outsider, westmarch), "backlog") == []


def test_an_empty_search_finds_nothing(demoshire, admin, contributor, viewer):
    _plan_with_update(demoshire, admin, contributor, commentary="On track")
    assert search.search(access_for(viewer, demoshire), "   ") == []


def test_the_search_page_and_the_api_list_the_same_action(client, demoshire, admin, contributor, viewer):
    world = _plan_with_update(demoshire, admin, contributor, commentary="Two locum therapists started")
    client.force_login(viewer)
    page = client.get("/o/demoshire/search/?q=therapists").content.decode()
    assert f"/o/demoshire/actions/{world['action'].pk}/" in page
    assert "1 match for" in page
    answer = client.get("/api/v1/organisations/demoshire/search?q=therapists").json()
    assert [(g["key"], [h["url"] for h in g["hits"]]) for g in answer] == [
        ("updates", [f"/o/demoshire/actions/{world['action'].pk}/"])]


def test_every_page_has_a_search_box_in_the_header(client, demoshire, viewer):
    client.force_login(viewer)
    page = client.get("/o/demoshire/").content.decode()
    assert 'action="/o/demoshire/search/"' in page and 'name="q"' in page
