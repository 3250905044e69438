"""One writer per analytics store: web processes read summaries from the database or open the
store read-only, a reader that meets a load says so in words, and a return hashed with another
pseudonymisation key is refused rather than giving the same children new keys."""

import pytest

from carestat.analytics.store import Store
from carestat.casedata import forecasting, services, stores
from carestat.casedata.models import StoreSummary, Submission
from carestat.casedata.tests.test_forecasts import AS_OF, write_events
from carestat.core.errors import InvalidInput


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture
def loaded(manager_access, tmp_path):
    submission = services.ingest(manager_access, [write_events(tmp_path / "ot_events.csv")], format="case_events")
    assert submission.status == "current", submission.rejection_reason
    return submission


@pytest.fixture
def web_process():
    stores.serving_web()
    yield
    stores._process["web"] = False


def test_a_load_records_the_stores_work_types_and_where_its_events_end(manager_access, loaded):
    summary = StoreSummary.objects.get(organisation=manager_access.organisation)
    assert summary.work_types == ["ot_assessment"]
    assert summary.case_events_end.isoformat() == "2026-04-03"  # the last sign-off: Friday of week 14


def test_the_forecast_page_lists_work_types_without_opening_the_store(client, manager, manager_access, loaded,
                                                                     monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the page opened the analytics store")

    monkeypatch.setattr(Store, "__init__", refuse)
    client.force_login(manager)
    html = client.get(f"/o/{manager_access.organisation.slug}/data/forecasts/").content.decode()
    assert 'value="ot_assessment"' in html
    assert "3 April 2026" in html


def test_a_store_loaded_before_summaries_were_kept_is_summarised_once_read_only(manager_access, loaded):
    StoreSummary.objects.all().delete()
    assert forecasting.work_types(manager_access.organisation) == ["ot_assessment"]
    assert StoreSummary.objects.filter(organisation=manager_access.organisation).count() == 1


def test_a_web_process_never_writes_a_store(manager_access, tmp_path, web_process):
    with pytest.raises(stores.WebProcessCannotWrite, match="run as jobs on `carestat worker`"):
        services.ingest(manager_access, [write_events(tmp_path / "ot_events.csv")], format="case_events")
    assert not Submission.objects.filter(status="current").exists()


def test_a_web_process_still_forecasts_from_the_store_opened_read_only(manager_access, loaded, web_process):
    result = forecasting.run_forecast(manager_access, "ot_assessment", as_of=AS_OF, extra_per_week=40)
    assert result["starting_backlog"] == 400


def test_a_forecast_during_a_load_says_the_data_is_being_updated(manager_access, loaded, monkeypatch):
    monkeypatch.setattr(stores, "READ_WAIT_SECONDS", 0.2)
    with services.open_store(manager_access.organisation):  # a load holding the file for writing
        with pytest.raises(stores.StoreBusy, match="being updated by a load or a computation running now"):
            with stores.reading(manager_access.organisation, wait=0.2):
                pass


def test_the_api_answers_503_with_retry_after_while_the_store_is_busy(client, manager, manager_access, loaded):
    client.force_login(manager)
    with services.open_store(manager_access.organisation):
        response = client.get(f"/api/v1/organisations/{manager_access.organisation.slug}/forecasts/run",
                              {"work_type": "ot_assessment", "as_of": AS_OF.isoformat()})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "being updated" in response.json()["detail"]


def test_each_load_records_the_fingerprint_of_the_key_that_hashed_it(manager_access, loaded, settings):
    assert loaded.key_fingerprint == services.pseudonymiser().fingerprint
    assert len(loaded.key_fingerprint) == 16 and loaded.key_fingerprint not in settings.PSEUDONYMISATION_KEY


def test_a_return_hashed_with_a_different_key_is_refused_and_nothing_is_stored(manager_access, loaded, settings,
                                                                              tmp_path):
    before = services.pseudonymiser().fingerprint
    settings.PSEUDONYMISATION_KEY = "another-deployments-key-" + "x" * 20
    again = services.ingest(manager_access, [write_events(tmp_path / "more.csv", weeks=15)], format="case_events")
    assert again.status == "rejected"
    assert f"fingerprint {before}" in again.rejection_reason
    assert "different key" in again.rejection_reason
    assert Submission.objects.get(pk=loaded.pk).status == "current"  # the loaded return is untouched
    assert StoreSummary.objects.get(organisation=manager_access.organisation).case_events_end.isoformat() == \
        "2026-04-03"


def test_run_forecast_without_any_store_says_to_load_case_events(manager_access):
    with pytest.raises(InvalidInput, match="No case events of work type"):
        forecasting.run_forecast(manager_access, "ot_assessment")
