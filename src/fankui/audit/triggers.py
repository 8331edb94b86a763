"""The database's own refusal to change or delete audit rows: a trigger on each audit table, for each engine.

Installed by migration 0003 and again after every ``migrate`` (and test database flush), so a table always has
them. Someone with the rights to drop a trigger can still alter rows: that is what the seals (``audit.chain``) and
``fankui audit verify`` are for. TRUNCATE is not refused (PostgreSQL runs no row trigger for it, and the test
runner empties tables with it); the seals show it as removed rows.
"""

from __future__ import annotations

from typing import Any

TABLES = ("audit_event", "audit_access", "audit_entry", "audit_seal")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def install_sql(vendor: str, tables: tuple[str, ...] = TABLES) -> list[str]:
    if vendor == "postgresql":
        return [_PG_FUNCTION] + [
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
            for table in tables
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {op} on {table} refused'); END"
            for table in tables
            for op in ("UPDATE", "DELETE")
        ]
    return []


def remove_sql(vendor: str, tables: tuple[str, ...] = TABLES) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in tables]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in tables for op in ("update", "delete")]
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor):
            cursor.execute(statement)


def reinstall_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate``: put the triggers back when they are missing (a flushed test database), once the tables
    of migration 0003 exist."""
    from django.db import connections

    connection = connections[using]
    if "audit_seal" in connection.introspection.table_names():
        install(connection)
