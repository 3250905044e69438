"""The case data pages and the API list the same submissions and saved forecasts, none of
another council's, because both read carestat.casedata.selectors."""

import re

from carestat.casedata import selectors
from carestat.casedata.models import SavedForecast, Submission
from carestat.casedata.tests.access_rows import build


def _world(demoshire, westmarch):
    w = {"org": demoshire}
    build(w)
    current = Submission.objects.create(organisation=demoshire, format="csww", files=["workforce.xml"],
                                        status="current")
    theirs = {"org": westmarch}
    build(theirs)
    return w, current, theirs


def _ids(client, page_url, pattern, api_url):
    on_page = {int(x) for x in re.findall(pattern, client.get(page_url).content.decode())}
    return on_page, {row["id"] for row in client.get(api_url).json()}


def test_the_case_data_page_and_api_list_the_same_submissions(client, viewer, demoshire, westmarch):
    w, current, _ = _world(demoshire, westmarch)
    client.force_login(viewer)
    on_page, in_api = _ids(client, "/o/demoshire/data/", r'href="/o/demoshire/data/(\d+)/"',
                           "/api/v1/organisations/demoshire/submissions")
    assert on_page == in_api == {w["submission"].pk, current.pk}


def test_only_current_submissions_without_measures_wait_for_them(demoshire, westmarch):
    w, current, _ = _world(demoshire, westmarch)
    assert list(selectors.awaiting_measures(demoshire)) == [current]


def test_the_forecasts_page_and_api_list_the_same_saved_forecasts(client, viewer, demoshire, westmarch):
    w, _, theirs = _world(demoshire, westmarch)
    client.force_login(viewer)
    on_page, in_api = _ids(client, "/o/demoshire/data/forecasts/", r'href="/o/demoshire/data/forecasts/(\d+)/"',
                           "/api/v1/organisations/demoshire/forecasts")
    assert on_page == in_api == {w["forecast"].pk}
    assert SavedForecast.objects.filter(pk=theirs["forecast"].pk, organisation=westmarch).exists()
