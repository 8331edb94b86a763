"""Writing many rows of one model at once, where Django's ``bulk_update`` costs more than the work itself.

``bulk_update`` builds a ``CASE WHEN id = … THEN …`` expression per field over all rows: for the analysis's batch of
200 cases, re-applying their deadlines that way took about 1 ms of CPU per case, two thirds of what applying the
analysis costs (measured with the pipeline on 1,000 real messages). One plain UPDATE statement run for each row
(``executemany``) does the same in a fraction of it. The analysis pipeline and the topic placement save their
batches with it too (docs/decisions/0005).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def update_rows(objects: Sequence[Model], names: Sequence[str]) -> None:
    """Write the fields ``names`` of each of ``objects`` (all of one model) by primary key, as ``save`` would."""
    if not objects:
        return
    meta = objects[0]._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
