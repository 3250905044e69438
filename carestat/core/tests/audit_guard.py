"""How the test suite empties its database although the audit table refuses deletes.

Browser tests (a live server, so no wrapping transaction) and the full demo test empty the
database with Django's ``flush``, which is a DELETE on SQLite and a TRUNCATE on PostgreSQL:
both refused by migration 0004. Inside the flush's own transaction the guard is dropped,
the tables are emptied, and the guard is put back with the migration's own SQL, so a test
can never leave it off. The test database's owner can do this; CareStat's production role
cannot (docs/decisions/0009-audit-trail-is-append-only.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations

_guard = importlib.import_module("carestat.core.migrations.0004_audit_entries_cannot_be_deleted")


@contextmanager
def flush_lifts_the_audit_guard() -> Iterator[None]:
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        vendor = self.connection.vendor
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                if vendor in _guard.BACKWARDS:
                    cursor.execute(_guard.BACKWARDS[vendor])
            original(self, sql_list)
            with self.connection.cursor() as cursor:
                if vendor in _guard.FORWARDS:
                    cursor.execute(_guard.FORWARDS[vendor])

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        BaseDatabaseOperations.execute_sql_flush = original
