"""Database triggers that refuse to change or delete audit events, on PostgreSQL and SQLite.

Installed by migration 0002. On PostgreSQL only a superuser can get past them, by setting
`session_replication_role = replica` (ordinary triggers do not fire then); on SQLite only by dropping
them, which needs write access to the schema. `triggers_suspended` does one or the other: it exists
for `vigil flush` in demo mode (so tests and the demo can be reset) and for the tamper test.
"""

from contextlib import contextmanager

from django.db import connection as default_connection
from django.db import transaction

TABLE = "audit_auditevent"

POSTGRESQL_INSTALL = [
    # No percent signs: the statement goes through the driver's parameter parsing.
    """
    CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'audit events are append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
            ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    f"""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

_INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
_REMOVE = {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE}


def install_triggers(schema_editor) -> None:
    for statement in _INSTALL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def remove_triggers(schema_editor) -> None:
    for statement in _REMOVE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


@contextmanager
def triggers_suspended(connection=default_connection):
    """Let the block change or delete audit events. PostgreSQL: needs a superuser. Runs in a transaction."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
            yield
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        elif connection.vendor == "sqlite":
            for statement in SQLITE_REMOVE:
                cursor.execute(statement)
            yield
            for statement in SQLITE_INSTALL:
                cursor.execute(statement)
        else:
            yield
