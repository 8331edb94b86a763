"""The lookup stamp (``LookupStamp``, ``core.lookups``): its row, and on PostgreSQL the function the triggers of
each owner's tables call (``core.lookups.renewed_by``). It replaces the SLA's own stamp (sla migration 0008)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from fankui.core.lookups import FUNCTION, TABLE


def _create(apps: Any, schema_editor: Any) -> None:
    apps.get_model("core", "LookupStamp").objects.create(pk=1, token=0)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"UPDATE {TABLE} SET token = floor(random() * 9e18)::bigint WHERE id = 1; RETURN NULL; "
            "END $$ LANGUAGE plpgsql"
        )


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_worker_heartbeat")]

    operations = [
        migrations.CreateModel(
            name="LookupStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_create, _drop),
    ]
