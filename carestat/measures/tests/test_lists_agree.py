"""The measures page and the API list the same measures under every filter they share, and
the same recomputed figures, because both read carestat.measures.selectors."""

import re
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from carestat.core import services as core_services
from carestat.core.models import UnitKind
from carestat.measures import services
from carestat.measures.models import Measure, PendingRevision
from carestat.plans.tests.builders import small_plan
from conftest import access_for


@pytest.fixture
def measures(catalogue, cast, demoshire, westmarch, ot_measure, permanent_share):
    a = access_for(cast["admin"], demoshire)
    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    services.link_objective(a, ot_measure, w["objective"])
    team = core_services.add_unit(a, name="Workforce team", kind=UnitKind.TEAM, parent=w["adults"])
    services.change_measure_settings(a, permanent_share, owner_unit=team, tolerance=2, tolerance_kind="absolute",
                                     is_public=False)
    gone = services.add_local_measure(a, code="OLD-1", title="A measure no longer tracked", domain="adults",
                                      unit="count", polarity="lower_is_better")
    Measure.objects.filter(pk=gone.pk).update(is_archived=True)
    outsider = cast["outsider"]
    services.add_local_measure(access_for(outsider, westmarch), code="WM-1", title="Westmarch's own",
                               domain="adults", unit="count", polarity="lower_is_better", is_public=True)
    return {"plan": w["plan"], "team": team, "ot": ot_measure, "share": permanent_share}


def _both(client, **query):
    qs = urlencode(query)
    page = client.get(f"/o/demoshire/measures/?{qs}")
    api = client.get(f"/api/v1/organisations/demoshire/measures?{qs}")
    assert page.status_code == api.status_code == 200
    on_page = set(re.findall(r'href="/o/demoshire/measures/([A-Z0-9-]+)/', page.content.decode()))
    return on_page, {row["code"] for row in api.json()}


def test_the_measures_page_and_api_list_the_same_measures_under_each_filter(client, cast, measures):
    client.force_login(cast["viewer"])
    ot, share = measures["ot"].code, measures["share"].code
    assert _both(client) == ({ot, share}, {ot, share})
    assert _both(client, public="true") == ({ot}, {ot})
    assert _both(client, plan=measures["plan"].pk) == ({ot}, {ot})
    assert _both(client, unit=measures["team"].pk) == ({share}, {share})
    assert _both(client, domain="adults") == ({ot}, {ot})
    assert _both(client, plan="²") == (set(), set())


def _revision(access, measure, period, value, status="pending"):
    services.enter_value(access, measure, period=period, value=value)
    current = measure.values.get(period=period)
    return PendingRevision.objects.create(current=current, value=value + 1, computed_at=timezone.now(),
                                          replaces_value=current.value, replaces_version=current.version,
                                          status=status)


def test_the_recomputed_figures_page_and_api_list_the_same_pending_revisions(client, cast, demoshire, westmarch,
                                                                             ot_measure, permanent_share):
    mine = _revision(access_for(cast["manager"], demoshire), ot_measure, "2026-04", 70)
    _revision(access_for(cast["manager"], demoshire), permanent_share, "2026-27-Q1", 80, status="rejected")
    theirs = services.add_local_measure(access_for(cast["outsider"], westmarch), code="WM-1", title="Westmarch's",
                                        domain="adults", unit="count", polarity="lower_is_better")
    _revision(access_for(cast["outsider"], westmarch), theirs, "2026-27-Q1", 5)
    client.force_login(cast["manager"])  # who sees each revision's decision links
    page = client.get("/o/demoshire/measures/recomputed/").content.decode()
    on_page = {int(x) for x in re.findall(r'/o/demoshire/measures/recomputed/(\d+)/reject/', page)}
    in_api = {row["id"] for row in client.get("/api/v1/organisations/demoshire/recomputed-figures").json()}
    assert on_page == in_api == {mine.pk}
