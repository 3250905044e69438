import datetime as dt

import pytest
from django.utils import timezone

from carestat.core import services
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import AuditEntry, Membership, ReportingPeriod, Role, UnitKind
from conftest import access_for


def test_creating_an_organisation_adds_this_and_last_years_periods(db):
    org = services.create_organisation(name="Sarnia States", jurisdiction="guernsey")
    fy = ReportingPeriod.objects.filter(organisation=org, kind="year").values_list("identifier", flat=True)
    today = timezone.localdate()
    this_year = today.year if today.month >= 4 else today.year - 1
    assert set(fy) == {f"{this_year - 1}-{this_year % 100:02d}", f"{this_year}-{(this_year + 1) % 100:02d}"}
    # each year: 1 year + 2 halves + 4 quarters + 12 months
    assert ReportingPeriod.objects.filter(organisation=org).count() == 2 * 19
    assert org.slug == "sarnia-states"


def test_an_unknown_jurisdiction_is_refused_naming_the_field(db):
    with pytest.raises(InvalidInput) as exc:
        services.create_organisation(name="Paris", jurisdiction="france")
    assert exc.value.field == "jurisdiction"


def test_a_duplicate_short_name_is_refused(demoshire):
    with pytest.raises(Conflict, match="short name ‘demoshire’"):
        services.create_organisation(name="Another", slug="demoshire", jurisdiction="england")


def test_a_team_cannot_be_created_outside_another_unit(admin_access):
    with pytest.raises(InvalidInput, match="must sit within another unit") as exc:
        services.add_unit(admin_access, name="Lonely team", kind=UnitKind.TEAM, parent=None)
    assert exc.value.field == "parent"


def test_a_directorate_cannot_sit_within_a_team(admin_access):
    d = services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    t = services.add_unit(admin_access, name="OT", kind=UnitKind.TEAM, parent=d)
    with pytest.raises(InvalidInput, match="cannot sit within a team"):
        services.add_unit(admin_access, name="Oops", kind=UnitKind.SERVICE, parent=t)


def test_unit_names_are_unique_within_an_organisation_ignoring_case(admin_access):
    services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    with pytest.raises(Conflict):
        services.add_unit(admin_access, name="ADULTS", kind=UnitKind.DIRECTORATE, parent=None)


def test_a_unit_of_another_organisation_cannot_be_a_parent(admin_access, outsider, westmarch):
    theirs = services.add_unit(access_for(outsider, westmarch), name="W", kind=UnitKind.DIRECTORATE, parent=None)
    with pytest.raises(InvalidInput, match="this organisation"):
        services.add_unit(admin_access, name="Team", kind=UnitKind.TEAM, parent=theirs)


def test_a_manager_cannot_add_units(manager_access):
    with pytest.raises(NotAllowed, match="manager"):
        services.add_unit(manager_access, name="X", kind=UnitKind.DIRECTORATE, parent=None)


def test_adding_someone_new_gives_a_one_time_password_that_signs_them_in_to_choose_their_own(admin_access, client):
    membership, one_time = services.add_member(admin_access, email="New.Person@Demoshire.example",
                                               full_name="New Person", role=Role.CONTRIBUTOR)
    assert membership.user.username == "new.person@demoshire.example"
    assert one_time and len(one_time) >= 12
    response = client.post("/sign-in/", {"email": "new.person@demoshire.example", "password": one_time})
    assert response.status_code == 302 and response["Location"] == "/account/password/"


def test_adding_an_existing_member_twice_is_refused(admin_access, viewer):
    with pytest.raises(Conflict, match="already a member"):
        services.add_member(admin_access, email=viewer.email, role=Role.VIEWER)


def test_a_bad_email_is_refused_naming_the_field(admin_access):
    with pytest.raises(InvalidInput) as exc:
        services.add_member(admin_access, email="not-an-email", role=Role.VIEWER)
    assert exc.value.field == "email"
    assert not Membership.objects.filter(user__username="not-an-email").exists()


def test_the_last_admin_cannot_be_demoted(admin_access):
    with pytest.raises(Conflict, match="at least one admin"):
        services.change_membership(admin_access, admin_access.membership, role=Role.VIEWER, unit=None, is_active=True)


def test_changing_a_role_is_audited_in_plain_words(admin_access, viewer, demoshire):
    m = Membership.objects.get(user=viewer, organisation=demoshire)
    services.change_membership(admin_access, m, role=Role.MANAGER, unit=None, is_active=True)
    entry = AuditEntry.objects.filter(action="core.membership.changed").get()
    assert entry.before == {"role": "Viewer", "unit": None, "is_active": True}
    assert entry.after["role"] == "Manager"
    assert "Role changed from ‘Viewer’ to ‘Manager’" in entry.message
    assert entry.actor == admin_access.user


def test_closing_a_period_that_has_not_ended_is_refused(manager_access, demoshire):
    future = ReportingPeriod.objects.create(
        organisation=demoshire, identifier="2099-00", kind="month",
        start=dt.date(2099, 1, 1), end=dt.date(2099, 1, 31),
    )
    with pytest.raises(Conflict, match="has not ended yet"):
        services.close_period(manager_access, future)


def test_reopening_needs_a_reason_and_both_steps_are_recorded(manager_access, demoshire):
    period = ReportingPeriod.objects.create(
        organisation=demoshire, identifier="2024-25-Q2", kind="quarter",
        start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 30),
    )
    services.close_period(manager_access, period)
    period.refresh_from_db()
    assert period.is_closed
    with pytest.raises(InvalidInput, match="reason"):
        services.reopen_period(manager_access, period, "  ")
    services.reopen_period(manager_access, period, "Late update from the OT team")
    period.refresh_from_db()
    assert not period.is_closed
    actions = list(AuditEntry.objects.filter(record_type="reportingperiod", record_id=str(period.pk))
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["core.period.closed", "core.period.reopened"]
    reopened = AuditEntry.objects.get(action="core.period.reopened")
    assert reopened.after["reason"] == "Late update from the OT team"


def test_a_viewer_cannot_close_a_period(viewer, demoshire):
    period = ReportingPeriod.objects.create(
        organisation=demoshire, identifier="2024-25-Q1", kind="quarter",
        start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30),
    )
    with pytest.raises(NotAllowed):
        services.close_period(access_for(viewer, demoshire), period)
    period.refresh_from_db()
    assert not period.is_closed


def test_api_tokens_are_stored_only_as_a_hash_and_stop_working_when_revoked(viewer):
    token, plain = services.create_api_token(viewer, "Power BI")
    assert plain.startswith("cst_") and plain not in token.token_hash
    assert services.user_for_token(plain) == viewer
    services.revoke_api_token(viewer, token)
    assert services.user_for_token(plain) is None
    assert services.user_for_token("cst_made-up") is None


def test_someone_else_cannot_revoke_my_token(viewer, admin):
    token, _ = services.create_api_token(viewer, "Mine")
    with pytest.raises(NotAllowed):
        services.revoke_api_token(admin, token)


def test_the_last_admin_cannot_leave_through_a_copy_read_before_they_became_admin(admin_access, manager, demoshire):
    stale = Membership.objects.get(user=manager, organisation=demoshire)
    services.change_membership(admin_access, Membership.objects.get(pk=stale.pk), role=Role.ADMIN, unit=None,
                               is_active=True)
    priya = access_for(manager, demoshire)
    services.change_membership(priya, admin_access.membership, role=Role.VIEWER, unit=None, is_active=True)
    with pytest.raises(Conflict, match="at least one admin"):
        services.change_membership(priya, stale, role=Role.ADMIN, unit=None, is_active=False)
    assert Membership.objects.filter(organisation=demoshire, role=Role.ADMIN, is_active=True).count() == 1


def test_changing_a_unit_from_a_copy_writes_only_its_name_and_archiving_not_when_it_was_created(admin_access):
    unit = services.add_unit(admin_access, name="Shared Lives", kind=UnitKind.DIRECTORATE, parent=None)
    created = unit.created_at
    from carestat.core.models import Unit

    Unit.objects.filter(pk=unit.pk).update(created_at=created - dt.timedelta(days=300))
    saved = services.update_unit(admin_access, unit, name="Shared Lives Scheme", is_archived=False)
    assert saved.name == "Shared Lives Scheme"
    assert Unit.objects.get(pk=unit.pk).created_at == created - dt.timedelta(days=300)
