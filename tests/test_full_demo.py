"""The whole demo loads through the real paths, and what the README promises is there."""

import pytest
from django.core.management import call_command

from carestat.casedata.models import SavedForecast, Submission
from carestat.measures.models import MeasureValue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    import datetime as dt

    import time_machine
    from django.test import override_settings

    from carestat.casedata.forecasting import against_actuals
    from carestat.core.models import Organisation
    from carestat.core.tenancy import scoped_to
    from carestat.demo import STORY_DAY

    data = tmp_path_factory.mktemp("demo")
    story = time_machine.travel(dt.datetime.combine(STORY_DAY, dt.time(10), tzinfo=dt.UTC), tick=True)
    with story, django_db_blocker.unblock(), override_settings(
        DATA_DIR=data, ANALYTICS_DIR=data / "analytics", UPLOADS_DIR=data / "uploads"
    ):
        try:
            call_command("demo", "--no-serve")  # with tenancy enforced, as on the command line
            with scoped_to(Organisation.objects.get(slug="demoshire")):
                comparison = against_actuals(SavedForecast.objects.get())
            yield {"comparison": comparison, "data": data}
        finally:
            # the demo's rows were committed outside any test transaction: remove them
            call_command("flush", interactive=False, verbosity=0)


def test_every_return_in_the_demo_loads(loaded, db):
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == {"current"}
    formats = set(Submission.objects.values_list("format", flat=True))
    assert formats == {"cin", "ssda903", "population", "case_events", "cld", "csww"}
    assert Submission.objects.filter(format="population").count() == 2  # children's and adults'


def test_measures_are_computed_from_the_demo_case_data_with_provenance(loaded, db):
    computed = MeasureValue.objects.filter(source="computed")
    codes = set(computed.values_list("measure__code", flat=True))
    for code in ("CIN-ASSESS-45WD", "LAC-COUNT", "OPS-BACKLOG", "OPS-WITHIN-TARGET", "ASCOF-2A", "ASCOF-2B",
                 "ASCOF-2C", "CSWW-AGENCY-RATE"):
        assert code in codes
    assert all(v.submissions and v.method_version for v in computed)


def test_the_demo_keeps_a_forecast_to_compare_with_what_happened(loaded, db):
    forecast = SavedForecast.objects.get()
    assert forecast.result["scenarios"][-1]["clears"]
    assert len(loaded["comparison"]["weeks"]) > 20


def test_the_demo_cost_model_explains_the_residential_overspend_from_its_own_returns(loaded, db):
    from decimal import Decimal

    from django.test import override_settings

    from carestat.core.models import Organisation
    from carestat.finance import costmodel
    from carestat.reports.models import Report

    org = Organisation.objects.get(slug="demoshire")
    with override_settings(ANALYTICS_DIR=loaded["data"] / "analytics"):  # each test gets its own otherwise
        model = costmodel.build(org, year="2026-27")
    residential = next(r for r in model.rows if r.driver.line.cost_code == "CS110")
    # 57 children against 52 budgeted at 250,000: 1,250,000 volume; 12,000 more each for 57: 684,000 price
    assert residential.volume == 57
    assert (residential.price_volume.volume_variance, residential.price_volume.price_variance) == (
        Decimal("1250000"), Decimal("684000"))
    money = [d for r in Report.objects.filter(organisation=org) for d in r.snapshot.get("domains", [])
             if d["key"] == "money"]
    assert money and any("What explains" in t["caption"] for d in money for t in d["tables"])
    # adults' lines take their activity from the adults' client level data at 31 March 2026,
    # counted as ASCOF counts it (6,313 supported in the community, ASCOF-3D's denominator for
    # 2025-26); home care by its planned hours a week, the measure ASC-HOMECARE-HOURS
    from carestat.measures.models import MeasureValue

    assert model.activity.adults_year == "2025-26"
    adults = {r.driver.line.cost_code: r.volume for r in model.rows if r.driver.line.cost_code.startswith("AS")}
    assert adults == {"AS110": 669, "AS120": 654, "AS130": Decimal("57330.75")}
    value = MeasureValue.objects.get(measure__organisation=org, measure__code="ASCOF-3D", period="2025-26")
    assert model.activity.counts["adults_community"] == int(value.denominator) == 6313
    hours = MeasureValue.objects.get(measure__organisation=org, measure__code="ASC-HOMECARE-HOURS", period="2025-26")
    assert (hours.value, hours.denominator) == (adults["AS130"], model.activity.homecare_people) == \
        (Decimal("57330.75"), 4524)


DEMO_ADMINS = ["helen.morgan@demoshire.example", "alex.hughes@westmarch.example", "claire.le.brun@jersey.example",
               "rhys.pritchard@glanmor.example"]


def test_every_recent_changes_link_opens_for_each_demo_admin_as_does_each_kind_of_records_history(loaded, db,
                                                                                                 client):
    from django.urls import reverse

    from carestat.core.models import AuditEntry, Membership, User
    from carestat.core.tests.test_pages import recent_changes_links

    kinds = set()
    for email in DEMO_ADMINS:
        user = User.objects.get(email=email)
        org = Membership.objects.get(user=user).organisation
        client.force_login(user)
        links = recent_changes_links(client.get(f"/o/{org.slug}/").content.decode())
        # the list shows the latest changes only; every kind of record changed in the demo is
        # linked the same way when it is among them, reporting periods included
        first_of_each_kind = {}
        for e in AuditEntry.unscoped.filter(organisation=org).exclude(record_type="").order_by("pk"):
            first_of_each_kind.setdefault(e.record_type, e)
        links += [reverse("core:record_history", args=[org.slug, e.record_type, e.record_id])
                  for e in first_of_each_kind.values()]
        kinds |= set(first_of_each_kind)
        for link in links:
            assert client.get(link).status_code == 200, f"{email}: {link}"
    assert {"reportingperiod", "report", "recommendation", "serviceline", "measurevalue"} <= kinds
