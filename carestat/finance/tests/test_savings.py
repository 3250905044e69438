"""The savings programme's rules: targets per year, status changes audited, writing off needs a
reason, closed years frozen, links kept within the organisation."""

import pytest

from carestat.core import services as core_services
from carestat.core.errors import Conflict, InvalidInput, NotAllowed, PeriodClosed
from carestat.core.models import AuditEntry, ReportingPeriod
from carestat.finance import services
from conftest import access_for


def _saving(world, **kw):
    return services.add_saving(world["access"], reference="CS-01", title="Step down residential placements",
                               targets={"2025-26": "200000", "2026-27": "500000"}, **kw)


def test_a_saving_keeps_a_target_for_each_year_and_its_creation_is_audited(world):
    saving = _saving(world)
    assert [(t.year, t.target) for t in saving.targets.all()] == [("2025-26", 200000), ("2026-27", 500000)]
    entry = AuditEntry.objects.get(action="finance.saving.created")
    assert entry.message == ("Priya Shah added saving CS-01 ‘Step down residential placements’ with targets of "
                             "£200,000.00 in 2025-26, £500,000.00 in 2026-27")


def test_writing_a_saving_off_needs_a_reason_and_the_change_is_audited(world):
    saving = _saving(world)
    with pytest.raises(InvalidInput) as caught:
        services.update_saving(world["access"], saving, status="written_off", deliverability="red")
    assert caught.value.field == "reason"
    services.update_saving(world["access"], saving, status="written_off", deliverability="red",
                           reason="Market rates rose faster than the step-down")
    assert AuditEntry.objects.get(action="finance.saving.changed").message == (
        "Priya Shah set saving CS-01 to written off, deliverability red: Market rates rose faster than the step-down")


def test_a_closed_years_delivered_figure_is_frozen(world):
    saving = _saving(world)
    year = ReportingPeriod.objects.get(organisation=world["access"].organisation, identifier="2025-26")
    core_services.close_period(world["access"], year)
    with pytest.raises(PeriodClosed):
        services.record_delivery(world["access"], saving, year="2025-26", delivered="150000")
    services.record_delivery(world["access"], saving, year="2026-27", delivered="150000")


def test_references_are_unique_and_years_must_be_financial_years(world):
    _saving(world)
    with pytest.raises(Conflict):
        _saving(world)
    with pytest.raises(InvalidInput):
        services.add_saving(world["access"], reference="CS-02", title="x", targets={"2026": "1"})


def test_a_saving_cannot_be_linked_to_another_councils_action(world, outsider, westmarch):
    from carestat.plans.tests.builders import small_plan

    theirs = small_plan(westmarch, outsider, outsider)["action"]
    with pytest.raises(InvalidInput):
        _saving(world, action=theirs)


def test_viewers_cannot_add_savings(world, viewer, demoshire):
    with pytest.raises(NotAllowed):
        services.add_saving(access_for(viewer, demoshire), reference="X", title="x", targets={"2026-27": "1"})
