"""The project's raw SQL writes, where the ORM costs more than the work itself (docs/decisions/0005).

``increment``: a counter row advanced and read in one statement (``UPDATE … RETURNING``); the ORM needs an update
and a read, which cost intake about a third of a millisecond of its two (the case number on SQLite, decision 0001).

``insert_row``: a row with only the columns given, the database's defaults (``db_default``) filling the rest; for
the pending analysis every intake writes, where Django's INSERT of all 22 columns cost intake 0.4 ms of its two.

``insert_objects``: many new rows of one model at once (a chunk of an import: its submissions, cases, events, replies,
clocks); on PostgreSQL by ``COPY`` with ids taken from the table's sequence in one statement, where Django's
``bulk_create`` (an ``INSERT … SELECT * FROM UNNEST(…)`` whose array parameters psycopg escapes in Python) cost an
import most of its time (docs/decisions/0011).

``update_rows``: many rows of one model at once, where Django's ``bulk_update`` costs more than the work itself.

``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per field over all rows: for the analysis's batch of
200 cases, re-applying their deadlines that way took about 1 ms of CPU per case, two thirds of what applying the
analysis costs (measured with the pipeline on 1,000 real messages). One plain UPDATE statement run for each row
(``executemany``) does the same in a fraction of it. The analysis pipeline and the topic placement save their
batches with it too (docs/decisions/0005).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model


def increment(model: type[Model], field: str, by: int = 1, **where: Any) -> int | None:
    """Add ``by`` (one) to ``field`` of the row of ``model`` matching ``where`` (equality on its columns) and return
    the new value, or None when no row matches."""
    meta = model._meta
    quote = connection.ops.quote_name
    counter: Any = meta.get_field(field)
    column = quote(counter.column)
    fields: list[Any] = [meta.get_field(name) for name in where]
    condition = " AND ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {column} = {column} + %s WHERE {condition} RETURNING {column}"
    params = [int(by)] + [
        f.get_db_prep_value(value, connection) for f, value in zip(fields, where.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def insert_row(model: type[Model], **values: Any) -> None:
    """Insert one row of ``model`` with ``values`` (by field name, prepared as ``save`` would); every other column
    takes its database default, so each must have one (tests/core/test_raw_writes_match_the_orm.py)."""
    insert_rows(model, [values])


def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """``insert_row`` for many rows at once (all with the same fields), a thousand per statement: the pending
    analyses of a chunk of imported cases."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    names = list(rows[0])
    fields: list[Any] = [meta.get_field(name) for name in names]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = "(" + ", ".join("%s" for _ in fields) + ")"
    with connection.cursor() as cursor:
        for first in range(0, len(rows), 1000):
            batch = rows[first : first + 1000]
            params = [
                f.get_db_prep_save(row[n], connection) for row in batch for n, f in zip(names, fields, strict=True)
            ]
            values = ", ".join(marks for _ in batch)
            cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}", params)


# Fewer rows than this go through ``bulk_create`` (one INSERT): a sequence call and a COPY are not worth it.
COPY_FROM = 50
_sequences: dict[str, str] = {}


def insert_objects(objects: Sequence[Model]) -> None:
    """Insert unsaved ``objects`` (all of one model), as ``bulk_create`` would, and set their ids."""
    if not objects:
        return
    model = type(objects[0])
    if len(objects) == 1:
        # One row (every web form, API call and e-mail): the plain insert of ``Model.save``, without the model's own
        # ``save`` (the caller did what it adds) and without ``bulk_create``'s batching, which costs a single row more.
        objects[0].save_base(force_insert=True)
        return
    if connection.vendor != "postgresql" or len(objects) < COPY_FROM:
        model._default_manager.bulk_create(objects, batch_size=1000)
        return
    meta = model._meta
    # The connection itself, not the ``django.db.connection`` proxy: each value's preparation asks it several times.
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    plain = [_plain(f) for f in fields]
    table = meta.db_table
    with conn.cursor() as cursor:
        sequence = _sequences.get(table)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, meta.pk.column])
            sequence = _sequences[table] = cursor.fetchone()[0]
        # Ids as the column's default would give them (the audit seals rely on that: docs/security.md).
        cursor.execute("SELECT nextval(%s) AS v FROM generate_series(1, %s) ORDER BY v", [sequence, len(objects)])
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objects, ids, strict=True):
                values = obj.__dict__
                copy.write_row(
                    [
                        pk,
                        *(
                            values[f.attname] if simple else f.get_db_prep_save(f.pre_save(obj, True), conn)
                            for f, simple in zip(fields, plain, strict=True)
                        ),
                    ]
                )
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias


# Fields whose value psycopg takes as the model holds it (``get_db_prep_save`` would give it back unchanged). Exact
# classes only: a subclass (an encrypted text, say) prepares its value itself.
PLAIN_FIELDS = frozenset(
    {
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.FloatField,
        models.ForeignKey,
        models.OneToOneField,
    }
)


def _plain(field: Any) -> bool:
    if type(field) is models.DateTimeField:
        return not (field.auto_now or field.auto_now_add)
    return type(field) in PLAIN_FIELDS


def update_rows(objects: Sequence[Model], names: Sequence[str], *, unless: str = "") -> None:
    """Write the fields ``names`` of each of ``objects`` (all of one model) by primary key, as ``save`` would;
    ``unless`` names a boolean field: rows where the database has it true are left as they are (a conditional
    UPDATE, for what staff may have set meanwhile)."""
    if not objects:
        return
    meta = objects[0]._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    if unless:
        flag: Any = meta.get_field(unless)
        sql += f" AND NOT {quote(flag.column)}"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
