import pytest
from django.db import DatabaseError, connection, transaction

from carestat.core import services
from carestat.core.audit import describe_changes, log_action
from carestat.core.models import AuditEntry, AuditImmutable, Membership, UnitKind


@pytest.fixture
def entry(admin, demoshire):
    return log_action("test.something", actor=admin, organisation=demoshire, message="Something happened")


def test_an_audit_entry_cannot_be_changed_through_the_model(entry):
    entry.message = "Nothing happened"
    with pytest.raises(AuditImmutable):
        entry.save()


def test_an_audit_entry_cannot_be_deleted(entry):
    with pytest.raises(AuditImmutable):
        entry.delete()
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entries_cannot_be_bulk_updated(entry):
    with pytest.raises(AuditImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(message="rewritten")


def test_the_database_itself_refuses_to_change_an_audit_entry(entry):
    with pytest.raises(DatabaseError, match="audit entries cannot be changed"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET message = 'rewritten' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.message == "Something happened"


def _check_constraints_now():
    """PostgreSQL refuses TRUNCATE while the test's transaction has deferred foreign-key
    checks pending (from creating the cast); outside a test there are none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_itself_refuses_to_delete_an_audit_entry(entry):
    with pytest.raises(DatabaseError, match="audit entries cannot be deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_itself_refuses_to_empty_the_audit_trail(entry):
    # PostgreSQL empties a table with TRUNCATE, which fires no row triggers; SQLite has no
    # TRUNCATE and empties a table with an unqualified DELETE, which skips row-by-row work
    # unless a trigger is there.
    empty = "TRUNCATE core_auditentry" if connection.vendor == "postgresql" else "DELETE FROM core_auditentry"
    _check_constraints_now()
    with pytest.raises(DatabaseError, match="audit entries cannot be deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(empty)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE ... CASCADE is PostgreSQL's")
def test_emptying_the_organisations_with_cascade_cannot_reach_the_audit_trail(entry):
    _check_constraints_now()
    with pytest.raises(DatabaseError, match="audit entries cannot be deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE core_organisation CASCADE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_test_suites_flush_empties_the_database_and_puts_the_guard_back(entry):
    from django.core.management import call_command

    _check_constraints_now()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    log_action("test.again", actor=None, organisation=None, message="After the flush")
    with pytest.raises(DatabaseError, match="audit entries cannot be deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 1


def test_changes_read_in_plain_words():
    lines = describe_changes(Membership, {"role": "Viewer", "is_active": True}, {"role": "Admin", "is_active": False})
    assert lines == ["Role changed from ‘Viewer’ to ‘Admin’", "Is active changed from yes to no"]


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(client, viewer):
    client.post("/sign-in/", {"email": viewer.email, "password": "wrong-password-here"})
    client.post("/sign-in/", {"email": viewer.email, "password": "correct-horse-battery-staple"})
    client.post("/sign-out/")
    actions = list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["core.auth.sign_in_failed", "core.auth.signed_in", "core.auth.signed_out"]
    failed = AuditEntry.objects.get(action="core.auth.sign_in_failed")
    assert failed.after == {"username": viewer.email} and failed.actor is None


def test_exporting_the_audit_trail_is_itself_recorded(client, auditor):
    client.force_login(auditor)
    response = client.get("/o/demoshire/audit/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert AuditEntry.objects.filter(action="core.audit.exported", actor=auditor).count() == 1


def test_the_audit_csv_turns_text_that_looks_like_a_formula_into_plain_text(client, admin_access, auditor):
    import csv
    import io

    formula = '=HYPERLINK("http://x","y")'
    services.add_unit(admin_access, name=formula, kind=UnitKind.DIRECTORATE, parent=None)
    client.force_login(auditor)
    rows = list(csv.reader(io.StringIO(client.get("/o/demoshire/audit/export.csv").content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + formula in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_history_page_shows_a_units_changes_in_words(client, admin_access, viewer):
    unit = services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    services.update_unit(admin_access, unit, name="Adults' Services", is_archived=False)
    client.force_login(viewer)
    page = client.get(f"/o/demoshire/history/unit/{unit.pk}/").content.decode()
    assert "Helen Morgan added directorate ‘Adults’" in page
    assert "Name changed from ‘Adults’ to ‘Adults&#39; Services’" in page


def test_history_of_another_organisations_record_is_not_found(client, outsider, westmarch, admin_access):
    unit = services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    client.force_login(outsider)
    assert client.get(f"/o/westmarch/history/unit/{unit.pk}/").status_code == 404
    assert client.get(f"/o/demoshire/history/unit/{unit.pk}/").status_code == 404


def test_the_audit_trail_filters_by_person_record_type_and_dates(client, admin_access, auditor):
    import datetime as dt

    from carestat.core.models import AuditEntry

    services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    admin_id = admin_access.user.pk
    client.force_login(auditor)
    page = client.get(f"/o/demoshire/audit/?actor={admin_id}&record_type=unit").content.decode()
    assert "Adults" in page and "1 entry" in page
    today = dt.date.today()
    later = today + dt.timedelta(days=2)
    page = client.get(f"/o/demoshire/audit/?since-day={later.day}&since-month={later.month}"
                      f"&since-year={later.year}").content.decode()
    assert "0 entries" in page
    assert AuditEntry.objects.filter(record_type="unit").count() == 1


def test_the_audit_trail_says_when_its_to_date_is_before_its_from_date(client, auditor):
    client.force_login(auditor)
    page = client.get("/o/demoshire/audit/?since-day=2&since-month=3&since-year=2026"
                      "&until-day=1&until-month=3&until-year=2026").content.decode()
    assert "must be the same as or after" in page


def test_the_audit_trail_downloads_as_a_workbook_with_typed_dates(client, admin_access, auditor):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    services.add_unit(admin_access, name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    client.force_login(auditor)
    response = client.get("/o/demoshire/audit/export.xlsx?record_type=unit")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert [c.value for c in ws[1]][:3] == ["When", "Who", "Action"]
    assert ws.max_row == 2 and isinstance(ws.cell(2, 1).value, dt.datetime)
    assert ws.cell(2, 1).number_format == "DD/MM/YYYY HH:MM"
