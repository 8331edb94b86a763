"""One UPDATE statement run for every row, for the pipeline's analyses and for topics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

# Field types whose database value is the Python value itself when it has exactly this type (or is None):
# Django's ``get_db_prep_save`` returns it unchanged after a few calls per value, which over the twenty-odd
# columns of a batch of rows cost more than the statement. Other types and values go through Django.
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "FloatField": (float,),
    "BooleanField": (bool,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "AutoField": (int,),
    "BigAutoField": (int,),
    "ForeignKey": (int,),
    "OneToOneField": (int,),
}


def preparer(model_field: Any) -> Any:
    """A function giving the database value of this field's Python value, as ``get_db_prep_save`` would."""
    plain = _PLAIN_TYPES.get(model_field.get_internal_type())
    if model_field.is_relation:
        target = model_field.target_field.get_internal_type()
        plain = plain if target in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField") else None
    prep = model_field.get_db_prep_save
    # The connection itself, not the proxy ``django.db.connection`` (a thread-local lookup on every attribute).
    conn = connections[DEFAULT_DB_ALIAS]
    if not plain:
        return lambda value: prep(value, conn)
    return lambda value: value if value is None or type(value) in plain else prep(value, conn)


def update_rows(objects: Sequence[Any], names: list[str]) -> None:
    """One UPDATE statement run for every row (executemany): ``bulk_update``'s CASE expressions cost more than the
    work itself. Used for the pipeline's analyses and for topics."""
    if not objects:
        return
    meta = objects[0]._meta
    columns: list[Any] = [meta.get_field(name) for name in names]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    key = connection.ops.quote_name(meta.pk.column)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE {key} = %s"
    preps = [(f.attname, preparer(f)) for f in columns]
    rows = [[prep(getattr(o, attname)) for attname, prep in preps] + [o.pk] for o in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
