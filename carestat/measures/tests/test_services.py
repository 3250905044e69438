import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from carestat.analytics.measures.base import MeasureResult
from carestat.core.errors import Conflict, InvalidInput, NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry, ReportingPeriod
from carestat.measures import services
from carestat.measures.catalogue import load_catalogue
from carestat.measures.judging import judge
from carestat.measures.models import CatalogueMeasure, MeasureValue, MeasureValueRevision, ValueStatus
from conftest import access_for


def test_the_catalogue_loads_every_code_once_and_reloading_changes_nothing(db):
    created, updated = load_catalogue()
    assert created == CatalogueMeasure.objects.count() == 46
    assert load_catalogue() == (0, 46)
    reref = CatalogueMeasure.objects.get(code="CIN-REREF-12M")
    assert reref.national_value == Decimal("22.6") and reref.polarity == "lower_is_better"


def test_a_contributors_value_awaits_approval_and_is_left_out_of_judgements(permanent_share, contributor, manager,
                                                                           demoshire):
    value = services.enter_value(access_for(contributor, demoshire), permanent_share, period="2025-26-Q1",
                                 numerator=82, denominator=100)
    assert value.status == ValueStatus.SUBMITTED and value.value == Decimal("82.0000")
    assert judge(permanent_share).judgement is None
    services.approve_value(access_for(manager, demoshire), value)
    report = judge(permanent_share)
    assert report.latest.pk == value.pk
    assert AuditEntry.objects.filter(action="measures.value.approved", record_id=str(value.pk)).exists()


def test_a_managers_own_entry_is_approved_as_it_is_entered(permanent_share, manager, demoshire):
    value = services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q1", value="82")
    assert value.status == ValueStatus.APPROVED and value.approved_by == manager


def test_a_viewer_cannot_enter_a_value(permanent_share, viewer, demoshire):
    with pytest.raises(NotAllowed):
        services.enter_value(access_for(viewer, demoshire), permanent_share, period="2025-26-Q1", value="82")


def test_a_value_for_the_wrong_kind_of_period_is_refused_naming_the_kind(permanent_share, manager, demoshire):
    with pytest.raises(InvalidInput, match="quarterly, so its values are for a quarter such as 2025-26-Q2"):
        services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-09", value="82")


def test_a_value_that_disagrees_with_its_numerator_and_denominator_is_refused(permanent_share, manager, demoshire):
    with pytest.raises(InvalidInput, match=r"does not match the numerator and denominator \(41 / 50 = 82%\)"):
        services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q1", value="90",
                             numerator=41, denominator=50)


def test_a_revision_keeps_the_old_value_in_history(permanent_share, manager, demoshire):
    access = access_for(manager, demoshire)
    first = services.enter_value(access, permanent_share, period="2025-26-Q1", value="80", is_provisional=True)
    with pytest.raises(InvalidInput, match="give the reason for revising it"):
        services.enter_value(access, permanent_share, period="2025-26-Q1", value="82")
    revised = services.enter_value(access, permanent_share, period="2025-26-Q1", value="82",
                                   reason="Agency staff recounted")
    assert revised.pk == first.pk and revised.value == Decimal("82") and revised.version == 2
    old = MeasureValueRevision.objects.get(current=revised)
    assert (old.version, old.value, old.is_provisional, old.reason) == (1, Decimal("80"), True,
                                                                        "Agency staff recounted")
    assert MeasureValue.objects.filter(measure=permanent_share).count() == 1


def test_a_closed_period_freezes_its_values(permanent_share, manager, demoshire):
    ReportingPeriod.objects.create(organisation=demoshire, identifier="2024-25-Q1", kind="quarter",
                                   start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30), status="closed")
    with pytest.raises(PeriodClosed, match="2024-25-Q1 is closed"):
        services.enter_value(access_for(manager, demoshire), permanent_share, period="2024-25-Q1", value="82")


def test_a_local_measure_cannot_take_a_catalogue_code(catalogue, manager, demoshire):
    with pytest.raises(Conflict, match="is a catalogue measure"):
        services.add_local_measure(access_for(manager, demoshire), code="WF-PERMANENT-SHARE", title="x",
                                   domain="workforce", unit="percent", polarity="higher_is_better")


def test_82_percent_against_a_70_percent_target_is_green_and_explained(permanent_share, manager, demoshire):
    access = access_for(manager, demoshire)
    services.set_target(access, permanent_share, period="2025-26", value=70)
    services.enter_value(access, permanent_share, period="2025-26-Q1", value="82")
    report = judge(permanent_share)
    assert report.target.period == "2025-26"
    assert report.rag == "green"
    assert report.judgement.rag.explanation.startswith(
        "82.0% is 12.0 points above the target of 70.0%, so the target is met: green.")


def test_computed_values_keep_their_provenance_and_recomputing_the_same_changes_nothing(catalogue, demoshire,
                                                                                        manager):
    at = timezone.now()
    results = [
        MeasureResult("CIN-REREF-12M", "2024-25", 21.5, 43, 200, "percent", "1.0"),
        MeasureResult("CIN-REREF-12M", "2024-25", 30.0, 3, 10, "percent", "1.0", breakdown=(("team", "North"),)),
        MeasureResult("CIN-REREF-12M", "2024-25", 20.5, 40, 190, "percent", "1.0", breakdown=(("team", "South"),)),
    ]
    outcome = services.record_computed_values(demoshire, results, submissions=["sub-7"], computed_at=at,
                                              computed_by=manager)
    assert outcome.created == ["CIN-REREF-12M 2024-25"]
    value = MeasureValue.objects.get(measure__code="CIN-REREF-12M")
    assert (value.source, value.status, value.submissions, value.method_version) == ("computed", "approved",
                                                                                     ["sub-7"], "1.0")
    assert value.measure.frequency == "annual" and len(value.breakdown) == 2
    assert "method version 1.0" in value.provenance and "sub-7" in value.provenance
    again = services.record_computed_values(demoshire, results, submissions=["sub-7"], computed_at=at)
    assert again.unchanged == ["CIN-REREF-12M 2024-25"] and not again.revised


def test_changing_a_measures_settings_from_a_copy_read_earlier_writes_back_nothing_else(permanent_share, manager,
                                                                                       demoshire):
    from carestat.measures.models import Measure

    stale = Measure.objects.get(pk=permanent_share.pk)
    Measure.objects.filter(pk=stale.pk).update(notes="Agency staff on contracts over 12 months count as permanent")
    saved = services.change_measure_settings(access_for(manager, demoshire), stale, owner_unit=None, tolerance=2,
                                             tolerance_kind=stale.tolerance_kind, is_public=True)
    fresh = Measure.objects.get(pk=stale.pk)
    assert (fresh.tolerance, fresh.is_public) == (Decimal(2), True) == (saved.tolerance, saved.is_public)
    assert fresh.notes == "Agency staff on contracts over 12 months count as permanent"


def test_an_english_council_is_not_offered_welsh_measures_and_a_welsh_one_not_englands(db):
    from carestat.core.models import Organisation
    from carestat.measures.selectors import offered_catalogue

    england = Organisation.objects.create(name="Eng", slug="eng", jurisdiction="england")
    wales = Organisation.objects.create(name="Cym", slug="cym", jurisdiction="wales")
    english = {c.code for c in offered_catalogue(england)}
    welsh = {c.code for c in offered_catalogue(wales)}
    assert "CIN-ASSESS-45WD" in english and "WAL-PM24" not in english
    assert "WAL-PM24" in welsh and "CIN-ASSESS-45WD" not in welsh
    # CareStat's own operational measures apply everywhere; DoLS in England and Wales
    assert {"OPS-BACKLOG", "DOLS-NOT-COMPLETED"} <= english & welsh
    assert "WAL-PM24" in {c.code for c in offered_catalogue(england, every_jurisdiction=True)}


def test_a_catalogue_row_naming_an_unknown_jurisdiction_is_refused(db, tmp_path):
    import pytest

    from carestat.core.errors import InvalidInput

    path = tmp_path / "cat.csv"
    path.write_text("code,title,domain,computed_from,unit,polarity,numerator,denominator,period_basis,notes,"
                    "national_value,national_period,national_source,jurisdictions\n"
                    "X-1,T,children,,percent,higher_is_better,,,,,,,,atlantis\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="row 2, column jurisdictions: ‘atlantis’"):
        load_catalogue(path)
