"""Notifications: in CareStat and by email (Django's test outbox), sent only after the change
commits, as each person chose; the daily overdue job tells each owner once per milestone."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from carestat.core import notifications
from carestat.core.models import Notification, NotificationPreference
from carestat.plans import services
from carestat.plans.tests.builders import quarter, small_plan
from conftest import access_for

D = dt.timedelta


@pytest.fixture
def world(cast, demoshire):
    w = small_plan(demoshire, cast["admin"], cast["contributor"])
    today = timezone.localdate()
    w["period"] = quarter(demoshire, "2026-27-Q2", today - D(90), today - D(1))
    w["cast"], w["org"] = cast, demoshire
    return w


def _submit(w):
    return services.save_update(access_for(w["cast"]["contributor"], w["org"]), w["action"], w["period"],
                                delivery="at_risk", percent_complete=30, commentary="Agency OTs start late",
                                submit=True)


def test_a_submitted_update_tells_its_approvers_in_carestat_and_by_email_after_the_commit(
        world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _submit(world)
    assert len(callbacks) == 2  # the manager and the admin; never the contributor who submitted
    assert sorted(m.to[0] for m in mail.outbox) == ["helen@demoshire.example", "priya@demoshire.example"]
    assert mail.outbox[0].subject == "CareStat: Update to approve: Clear the OT assessment backlog"
    assert "Tom Okafor submitted the 2026-27-Q2 update" in mail.outbox[0].body
    assert "/o/demoshire/plans/approvals/" in mail.outbox[0].body
    assert not Notification.objects.filter(recipient=world["cast"]["contributor"]).exists()


def test_a_change_that_rolls_back_tells_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _submit(world)
                raise RuntimeError("the database went away")
    assert mail.outbox == [] and not Notification.objects.exists()


def test_returning_and_approving_tell_the_author(world, django_capture_on_commit_callbacks):
    update = _submit(world)
    manager = access_for(world["cast"]["manager"], world["org"])
    with django_capture_on_commit_callbacks(execute=True):
        services.return_update(manager, update, comments="Give the waiting list figure")
    assert [m.to for m in mail.outbox] == [["tom@demoshire.example"]]
    assert "returned your 2026-27-Q2 update" in mail.outbox[0].body and "waiting list figure" in mail.outbox[0].body
    update = _submit(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_update(manager, update)
    assert [m.subject for m in mail.outbox] == ["CareStat: Update approved: Clear the OT assessment backlog"]
    titles = list(Notification.objects.filter(recipient=world["cast"]["contributor"]).values_list("title", flat=True))
    assert titles == ["Update approved: Clear the OT assessment backlog",
                      "Update returned: Clear the OT assessment backlog"]


def test_an_event_turned_off_is_not_told_and_email_off_keeps_it_in_carestat(world, django_capture_on_commit_callbacks):
    notifications.set_preferences(access_for(world["cast"]["manager"], world["org"]),
                                  muted=["update_submitted"], email=True, digest=False)
    notifications.set_preferences(access_for(world["cast"]["admin"], world["org"]), muted=[], email=False,
                                  digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world)
    assert mail.outbox == []
    assert list(Notification.objects.values_list("recipient__full_name", flat=True)) == ["Helen Morgan"]


def test_the_daily_digest_sends_one_email_of_everything_not_yet_emailed_and_nothing_twice(
        world, django_capture_on_commit_callbacks):
    notifications.set_preferences(access_for(world["cast"]["contributor"], world["org"]), muted=[], email=True,
                                  digest=True)
    manager = access_for(world["cast"]["manager"], world["org"])
    with django_capture_on_commit_callbacks(execute=True):
        services.return_update(manager, _submit(world), comments="Add the figures")
        services.approve_update(manager, _submit(world))
    # The approvers are emailed each submission at once; the contributor, on the digest, nothing yet.
    assert sorted(m.to[0] for m in mail.outbox) == ["helen@demoshire.example"] * 2 + ["priya@demoshire.example"] * 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify", "digest", "--org", "demoshire")
    assert [m.subject for m in mail.outbox] == ["CareStat: 2 notifications for you"]
    assert "Update returned" in mail.outbox[0].body and "Update approved" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify", "digest", "--org", "demoshire")
    assert len(mail.outbox) == 1


def test_the_overdue_job_tells_the_owner_once_per_milestone(world, today, django_capture_on_commit_callbacks, capsys):
    today(world["m1"].forecast_date + D(3))  # m1 was due three days ago and is not complete
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify", "overdue", "--org", "demoshire", "--json")
        call_command("notify", "overdue", "--org", "demoshire")
    out = capsys.readouterr().out
    assert '"notified": 1' in out and "told 0 milestone owners" in out
    assert [m.subject for m in mail.outbox] == ["CareStat: Milestone overdue: Recruit agency OTs"]
    assert mail.outbox[0].to == ["tom@demoshire.example"]


def test_a_draft_report_tells_the_managers_and_a_published_one_the_boards_members(
        world, django_capture_on_commit_callbacks):
    from carestat.governance import services as governance
    from carestat.reports import services as reports

    admin = access_for(world["cast"]["admin"], world["org"])
    remit = reports.create_remit(admin, name="Scrutiny panel", plans=[world["plan"]])
    board = governance.create_board(admin, name="Health and Adult Social Care Scrutiny", kind="scrutiny",
                                    remit=remit)
    governance.add_member(admin, board, name="Cllr Jane Ellis", user=world["cast"]["viewer"])
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.create_report(admin, period=world["period"], scope="plan", plan=world["plan"])
    assert [m.to for m in mail.outbox] == [["priya@demoshire.example"]]
    assert mail.outbox[0].subject.startswith("CareStat: Report to approve:")
    reports.approve_report(access_for(world["cast"]["manager"], world["org"]), report)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports._publish(admin, report)
    assert [m.to for m in mail.outbox] == [["jane@demoshire.example"]]
    assert not Notification.objects.filter(recipient=world["cast"]["auditor"]).exists()


def test_the_header_counts_unread_notifications_and_opening_one_marks_it_read(client, world):
    _submit(world)
    client.force_login(world["cast"]["manager"])
    html = client.get("/o/demoshire/").content.decode()
    assert '<strong class="app-count">1<span class="govuk-visually-hidden"> unread</span></strong>' in html
    note = Notification.objects.get(recipient=world["cast"]["manager"])
    listing = client.get("/o/demoshire/notifications/").content.decode()
    assert "Update to approve: Clear the OT assessment backlog" in listing and "1 unread" in listing
    r = client.post("/o/demoshire/notifications/read/", {"id": str(note.pk)})
    assert r["Location"] == "/o/demoshire/plans/approvals/"
    assert "app-count" not in client.get("/o/demoshire/").content.decode()


def test_nobody_opens_or_reads_another_persons_notification(client, world):
    _submit(world)
    note = Notification.objects.get(recipient=world["cast"]["manager"])
    client.force_login(world["cast"]["viewer"])
    assert "Update to approve" not in client.get("/o/demoshire/notifications/").content.decode()
    r = client.post("/o/demoshire/notifications/read/", {"id": str(note.pk)})
    assert r["Location"] == "/o/demoshire/notifications/"
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert client.get("/api/v1/organisations/demoshire/notifications").json() == []


def test_a_person_chooses_a_daily_digest_on_the_preferences_page(client, world):
    client.force_login(world["cast"]["contributor"])
    assert client.get("/o/demoshire/notifications/settings/").status_code == 200
    r = client.post("/o/demoshire/notifications/settings/", {"events": ["update_returned", "update_approved"],
                                                              "email": "digest"})
    assert r.status_code == 302
    pref = NotificationPreference.objects.get(user=world["cast"]["contributor"])
    assert pref.digest and pref.email and "update_submitted" in pref.muted and "update_returned" not in pref.muted
    api = client.get("/api/v1/organisations/demoshire/notification-preferences").json()
    assert api == {"events": ["update_returned", "update_approved"], "email": True, "digest": True}


def test_history_loaded_quietly_is_kept_read_and_emails_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), notifications.quiet():
        _submit(world)
    assert mail.outbox == []
    assert Notification.objects.count() == 2 and not Notification.objects.filter(read_at__isnull=True).exists()
    assert notifications.send_digests(world["org"]) == []
