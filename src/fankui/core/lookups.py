"""Lookups kept by each process until the database says they changed (docs/decisions/0007 and 0013).

Some rows are read on every intake and every move, and change a few times a year: the SLA's policies and calendars,
the categories a submitter chooses from, the Open311 clients' keys. Each process keeps what it read together with
the token of ``LookupStamp`` it read it under; the database renews that token itself whenever any of those tables
changes (triggers made by ``renewed_by`` in each owner's migrations, so no code path can forget). An operation reads
the token once (one indexed single-row query) and reuses the process's copy when it still matches; a change is
therefore used by the next operation in every process, however it was written.

Use: open ``cached_lookups()`` around an operation (blocks nest; the outermost one reads the token), and inside it
keep a read in ``lookups()`` under a key of your own (``"sla.calendar"``, ``"cases.categories"``). Outside a block,
``lookups()`` is a fresh dict, so every read goes to the database. Values kept are shared by the threads of a
process: never change an object you got from a lookup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, migrations

TABLE = "core_lookupstamp"
FUNCTION = "core_renew_lookup_stamp"

# The current operation's reads (None outside a ``cached_lookups`` block).
_cache: ContextVar[dict[object, object] | None] = ContextVar("lookups_cache", default=None)
# The process's copy: (token, reads) as one object, so a thread never pairs one token with another token's reads.
# Threads share the dict; they only ever add complete values to it.
_kept: tuple[int | None, dict[object, object]] = (None, {})


def _current_reads() -> dict[object, object]:
    """The process's reads if the stamp is unchanged since they were made, else a fresh dict kept in their place.
    The token is read before anything is loaded: a change committed while loading makes the next operation reload,
    rather than keep newer data under an older token (which would only cost one reload)."""
    global _kept
    # A plain read: building this query through the ORM cost more than the lookups it saves when nothing changed.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    token = int(row[0]) if row else None
    kept = _kept
    if token is None or kept[0] != token:
        kept = (token, {})
        if token is not None:
            _kept = kept
    return kept[1]


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Within the block, the kept lookups are those the process holds, read again only when they changed: for an
    intake, a move (which looks them up several times) and loops over many cases. Blocks nest (the outermost one's
    reads are used)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set(_current_reads())
    try:
        yield
    finally:
        _cache.reset(token)


def lookups() -> dict[object, object]:
    """The current block's reads; outside a block, a fresh dict (so each lookup reads the database)."""
    cache = _cache.get()
    return cache if cache is not None else {}


# --- Migrations: the triggers that renew the stamp ----------------------------------------------------------------
def trigger_sql(vendor: str, table: str, columns: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(create, drop) statements: any insert, delete (and truncation) of ``table``, and any update of it (of one of
    ``columns`` when given: a column written on every use, such as a last-used time, then renews nothing) sets a new
    random token, inside the writing transaction. Random, not a counter: a rolled-back change can never make a copy
    look current again."""
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    if vendor == "postgresql":
        name = f"{table}_renews_lookup_stamp"
        create = [
            f"CREATE TRIGGER {name} AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        ]
        return create, [f"DROP TRIGGER IF EXISTS {name} ON {table}"]
    create, drop = [], []
    for operation, when in (("insert", "INSERT"), ("update", update), ("delete", "DELETE")):
        name = f"{table}_{operation}_renews_lookup_stamp"
        create.append(
            f"CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN UPDATE {TABLE} SET token = random() WHERE id = 1; END"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def renewed_by(*tables: str, columns: Sequence[str] = ()) -> migrations.RunPython:
    """A migration operation: from now on, writes to ``tables`` renew the lookup stamp (core migration 0004 made
    the stamp). An app whose rows are kept with ``lookups()`` adds this for each such table."""

    def run(schema_editor: Any, part: int) -> None:
        for table in tables:
            for statement in trigger_sql(schema_editor.connection.vendor, table, columns)[part]:
                schema_editor.execute(statement)

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, 0),
        lambda apps, schema_editor: run(schema_editor, 1),
    )
