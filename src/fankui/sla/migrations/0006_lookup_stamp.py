"""The lookup stamp (``LookupStamp``) and the triggers that renew it whenever the SLA's settings change, so that no
code path can forget to: a queryset ``update``, ``bulk_create``, a delete, the admin and raw SQL all fire them."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

TABLES = ["sla_policy", "sla_policytarget", "sla_workingcalendar", "sla_calendarday", "sla_calendaryear"]
OPERATIONS = ["INSERT", "UPDATE", "DELETE"]


def _create_triggers(apps: Any, schema_editor: Any) -> None:
    Stamp = apps.get_model("sla", "LookupStamp")
    Stamp.objects.create(pk=1, token=0)
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            "CREATE FUNCTION sla_renew_lookup_stamp() RETURNS trigger AS $$ BEGIN "
            "UPDATE sla_lookupstamp SET token = floor(random() * 9e18)::bigint WHERE id = 1; RETURN NULL; "
            "END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            run(
                f"CREATE TRIGGER {table}_renews_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION sla_renew_lookup_stamp()"
            )
    else:  # SQLite: one trigger per table and operation, each renewing the token once per changed row
        for table in TABLES:
            for operation in OPERATIONS:
                run(
                    f"CREATE TRIGGER {table}_{operation.lower()}_renews_stamp AFTER {operation} ON {table} "
                    "BEGIN UPDATE sla_lookupstamp SET token = random() WHERE id = 1; END"
                )


def _drop_triggers(apps: Any, schema_editor: Any) -> None:
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_renews_stamp ON {table}")
        run("DROP FUNCTION IF EXISTS sla_renew_lookup_stamp()")
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                run(f"DROP TRIGGER IF EXISTS {table}_{operation.lower()}_renews_stamp")


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_praise_policy")]

    operations = [
        migrations.CreateModel(
            name="LookupStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]
