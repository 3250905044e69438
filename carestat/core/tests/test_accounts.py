"""Passwords, resets, API token expiry, lockouts and who sees whose details."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from carestat.core import services
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import ApiToken, AuditEntry, Membership, Role, User
from conftest import PASSWORD

NEW_PASSWORD = "kettle-lantern-orchard-7"


def _change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post("/account/password/", {"old_password": old, "new_password": new,
                                              "new_password_again": new if again is None else again})


# Changing one's own password -----------------------------------------------------------

def test_a_person_changes_their_password_with_their_current_one_and_it_is_audited(client, viewer):
    client.force_login(viewer)
    response = _change(client)
    assert response.status_code == 302 and response["Location"] == "/"
    viewer.refresh_from_db()
    assert viewer.check_password(NEW_PASSWORD) and not viewer.check_password(PASSWORD)
    assert client.get("/o/demoshire/").status_code == 200  # this browser stays signed in
    entry = AuditEntry.objects.get(action="core.user.password_changed")
    assert entry.actor == viewer and entry.message == "Jane Ellis changed their password"
    assert NEW_PASSWORD not in str(entry.after) and PASSWORD not in entry.message


def test_changing_a_password_needs_the_current_one(client, viewer):
    client.force_login(viewer)
    page = _change(client, old="not-my-password").content.decode()
    assert "Your current password is not right" in page and 'href="#id_old_password"' in page
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="core.user.password_changed").exists()


@pytest.mark.parametrize(("new", "again", "says"), [
    ("short-one", None, "too short"),
    ("123456789012345", None, "entirely numeric"),
    ("password1234", None, "too common"),
    (NEW_PASSWORD, "something-else-entirely", "not the same"),
])
def test_a_new_password_must_pass_the_password_rules(client, viewer, new, again, says):
    client.force_login(viewer)
    page = _change(client, new=new, again=again).content.decode()
    assert says in page
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_changing_a_password_signs_out_the_persons_other_browsers(client, viewer):
    other = Client()
    other.force_login(viewer)
    client.force_login(viewer)
    _change(client)
    assert other.get("/o/demoshire/").status_code == 302


# An admin's reset --------------------------------------------------------------------

def _membership(user, org):
    return Membership.objects.get(user=user, organisation=org)


def test_an_admin_resets_a_members_password_and_they_must_choose_their_own_at_sign_in(
        client, admin_access, viewer, demoshire):
    one_time = services.reset_member_password(admin_access, _membership(viewer, demoshire))
    viewer.refresh_from_db()
    assert viewer.must_change_password and viewer.check_password(one_time) and not viewer.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="core.user.password_reset")
    assert entry.message == ("Helen Morgan reset Jane Ellis's password; they must choose a new one when "
                             "they next sign in")
    assert one_time not in str(entry.after) + entry.message

    response = client.post("/sign-in/?next=/o/demoshire/", {"email": viewer.email, "password": one_time})
    assert response["Location"] == "/account/password/?next=%2Fo%2Fdemoshire%2F"
    # Every other page waits until they have chosen their own password.
    assert client.get("/o/demoshire/plans/")["Location"] == "/account/password/?next=%2Fo%2Fdemoshire%2Fplans%2F"
    assert client.get("/api/v1/me").status_code == 403
    assert "Your password was chosen by someone else" in client.get("/account/password/").content.decode()
    response = client.post("/account/password/?next=/o/demoshire/", {
        "old_password": one_time, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD,
        "next": "/o/demoshire/"})
    assert response["Location"] == "/o/demoshire/"
    viewer.refresh_from_db()
    assert not viewer.must_change_password
    assert client.get("/o/demoshire/plans/").status_code == 200


def test_a_reset_signs_the_member_out_of_the_browsers_they_were_using(client, admin_access, viewer, demoshire):
    client.force_login(viewer)
    services.reset_member_password(admin_access, _membership(viewer, demoshire))
    assert client.get("/o/demoshire/")["Location"].startswith("/sign-in/")


def test_a_reset_revokes_the_members_api_tokens_and_says_so(admin_access, viewer, demoshire):
    from carestat.core.models import AuditEntry

    _, plain = services.create_api_token(viewer, "Power BI refresh")
    assert services.user_for_token(plain) == viewer
    services.reset_member_password(admin_access, _membership(viewer, demoshire))
    assert services.user_for_token(plain) is None
    entry = AuditEntry.unscoped.filter(action="core.user.password_reset").latest("id")
    assert entry.message.endswith("their 1 API token no longer works")


def test_the_reset_page_shows_the_one_time_password_once_to_an_admin(client, admin, viewer, demoshire):
    client.force_login(admin)
    url = f"/o/demoshire/members/{_membership(viewer, demoshire).pk}/reset-password/"
    assert 'id="one-time-password"' not in client.get(url).content.decode()
    page = client.post(url).content.decode()
    one_time = page.split('id="one-time-password">')[1].split("<")[0]
    viewer.refresh_from_db()
    assert viewer.check_password(one_time)


def test_only_an_admin_of_the_members_own_organisation_can_reset_a_password(
        client, manager, outsider, viewer, demoshire):
    url = f"/o/demoshire/members/{_membership(viewer, demoshire).pk}/reset-password/"
    client.force_login(manager)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD) and not viewer.must_change_password


def test_a_member_who_also_belongs_to_another_council_cannot_be_reset_from_here(
        admin_access, viewer, westmarch, demoshire):
    Membership.objects.create(user=viewer, organisation=westmarch, role=Role.VIEWER)
    with pytest.raises(Conflict, match="another organisation"):
        services.reset_member_password(admin_access, _membership(viewer, demoshire))
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_an_admin_cannot_reset_their_own_password_from_the_members_page(admin_access):
    with pytest.raises(InvalidInput, match="Change your own password"):
        services.reset_member_password(admin_access, admin_access.membership)


def test_an_admin_of_another_organisation_cannot_reset_through_the_service(outsider, westmarch, viewer, demoshire):
    from conftest import access_for

    with pytest.raises(NotAllowed):
        services.reset_member_password(access_for(outsider, westmarch), _membership(viewer, demoshire))


# Adding someone by email ----------------------------------------------------------------

def test_adding_another_councils_user_by_email_is_refused_without_naming_them(client, admin, outsider):
    client.force_login(admin)
    page = client.post("/o/demoshire/members/", {"email": outsider.email, "full_name": "", "role": "viewer"})
    body = page.content.decode()
    assert "already signs in to CareStat for another organisation" in body
    assert outsider.display_name not in body and "Hughes" not in body
    assert not Membership.objects.filter(user=outsider, organisation__slug="demoshire").exists()
    assert not AuditEntry.objects.filter(action="core.membership.created").exists()


def test_the_server_operator_can_still_add_someone_who_belongs_to_another_council(demoshire, outsider):
    from carestat.core.management.base import command_access

    membership, one_time = services.add_member(command_access(demoshire, None), email=outsider.email,
                                               role=Role.VIEWER)
    assert membership.user == outsider and one_time is None


def test_the_api_refuses_another_councils_user_without_naming_them(client, admin, outsider):
    token = services.create_api_token(admin, "t")[1]
    response = client.post("/api/v1/organisations/demoshire/memberships", {"email": outsider.email, "role": "viewer"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 409 and outsider.display_name not in response.content.decode()


# Who sees staff emails -----------------------------------------------------------------

def test_the_memberships_api_shows_staff_emails_to_admins_only(client, cast):
    for who, sees_emails in [("admin", True), ("viewer", False), ("contributor", False), ("manager", False),
                             ("auditor", False)]:
        token = services.create_api_token(cast[who], "t")[1]
        rows = client.get("/api/v1/organisations/demoshire/memberships",
                          HTTP_AUTHORIZATION=f"Bearer {token}").json()
        emails = {r["email"] for r in rows}
        assert len(rows) == 5 and "Jane Ellis" in {r["full_name"] for r in rows}
        if sees_emails:
            assert emails == {"helen@demoshire.example", "priya@demoshire.example", "tom@demoshire.example",
                              "jane@demoshire.example", "sam@demoshire.example"}
        else:
            assert emails == {None}, who


# API token expiry -------------------------------------------------------------------------

def test_a_new_token_expires_after_the_configured_number_of_days(viewer, settings):
    settings.CARESTAT_API_TOKEN_DAYS = 30
    token, _ = services.create_api_token(viewer, "Power BI")
    assert dt.timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert "working until" in AuditEntry.objects.get(action="core.token.created").message


def test_an_expired_token_gets_401_saying_it_expired(client, viewer):
    token, plain = services.create_api_token(viewer, "Power BI")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/me", **auth)
    assert response.status_code == 401
    assert "expired on" in response.json()["detail"] and "Power BI" in response.json()["detail"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_tokens_page_shows_when_each_token_expires(client, viewer):
    token, _ = services.create_api_token(viewer, "Power BI")
    old, _ = services.create_api_token(viewer, "Old script")
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.make_aware(dt.datetime(2026, 1, 31, 12)))
    client.force_login(viewer)
    page = client.get("/account/api-tokens/").content.decode()
    assert "Expires" in page and "stops working 90 days after it is made" in page
    assert timezone.localtime(token.expires_at).strftime("%-d %B %Y") in page
    assert "Expired 31 January 2026" in page


# Lockouts --------------------------------------------------------------------------------

def _sign_in(client, user, password, address):
    return client.post("/sign-in/", {"email": user.email, "password": password}, REMOTE_ADDR=address)


def test_a_stranger_failing_from_their_address_does_not_lock_the_person_out_of_theirs(client, viewer, settings):
    stranger = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(stranger, viewer, "wrong-password-xx", "203.0.113.9")
    assert _sign_in(stranger, viewer, PASSWORD, "203.0.113.9").status_code == 429
    response = _sign_in(client, viewer, PASSWORD, "198.51.100.20")
    assert response.status_code == 302 and response["Location"] == "/"


def test_lockouts_take_the_client_address_from_remote_addr_never_a_header_the_client_sets(viewer, settings):
    stranger = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        stranger.post("/sign-in/", {"email": viewer.email, "password": "wrong-password-xx"},
                      REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _sign_in(stranger, viewer, PASSWORD, "203.0.113.9").status_code == 429


def test_failures_from_many_addresses_slow_the_account_down_for_at_most_the_cap(client, viewer, settings):
    settings.CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS = 60
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(2 * limit + 3):
        _sign_in(Client(), viewer, "wrong-password-xx", f"203.0.113.{i}")
    response = _sign_in(client, viewer, PASSWORD, "198.51.100.20")
    assert response.status_code == 429 and "Wait" in response.content.decode()
    # Tries while waiting are not counted, and the wait never passes the cap.
    later = timezone.now() + dt.timedelta(seconds=61)
    with mock.patch("carestat.core.signin_guard.timezone.now", return_value=later):
        response = _sign_in(client, viewer, PASSWORD, "198.51.100.20")
    assert response.status_code == 302 and response["Location"] == "/"


# The error page -------------------------------------------------------------------------

def test_the_error_page_shows_when_the_database_is_down(viewer):
    browser = Client(raise_request_exception=False)
    browser.force_login(viewer)
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor",
                    side_effect=OperationalError("the database is down")):
        response = browser.get("/o/demoshire/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body and "CareStat" in body
    assert "no-store" in response["Cache-Control"]


def test_user_model_keeps_the_must_change_flag_off_for_people_who_chose_their_password(db):
    user = services.create_user(email="x@demoshire.example", full_name="X", password=NEW_PASSWORD)
    assert not User.objects.get(pk=user.pk).must_change_password
