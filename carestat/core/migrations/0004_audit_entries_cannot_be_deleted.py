"""The database itself refuses to delete audit entries or empty the audit table.

Migration 0002 refused UPDATE; DELETE and TRUNCATE were left to the model, so anyone with
a database connection could still erase history. A row trigger refuses DELETE on both
databases; on PostgreSQL a statement trigger refuses TRUNCATE too (TRUNCATE fires no row
triggers, and TRUNCATE ... CASCADE from a referenced table reaches this one).

These guard against the application's own role. The table's owner or a superuser can still
drop or disable them, which is why production runs CareStat as a role that is neither
(docs/decisions/0009-audit-trail-is-append-only.md). The test suite, which empties its
database between browser tests, lifts them inside the emptying transaction the same way
(carestat/core/tests/audit_guard.py).
"""

from django.db import migrations

SQLITE = """
CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"

POSTGRES = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_delete() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries cannot be deleted'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_delete();
CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse_delete();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_delete ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse_delete();
"""

FORWARDS = {"sqlite": SQLITE, "postgresql": POSTGRES}
BACKWARDS = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}


def forwards(apps, schema_editor):
    sql = FORWARDS.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sql = BACKWARDS.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_jobs")]
    operations = [migrations.RunPython(forwards, backwards)]
