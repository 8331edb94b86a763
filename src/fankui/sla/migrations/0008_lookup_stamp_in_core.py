"""The SLA's policies and calendars renew the one lookup stamp of ``core.lookups`` (decision 0013) instead of a
stamp of their own: the categories and the Open311 clients are kept the same way now."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

from fankui.core.lookups import trigger_sql

TABLES = ["sla_policy", "sla_policytarget", "sla_workingcalendar", "sla_calendarday", "sla_calendaryear"]
_own = importlib.import_module("fankui.sla.migrations.0006_lookup_stamp")


def _to_core(apps: Any, schema_editor: Any) -> None:
    _own._drop_triggers(apps, schema_editor)
    for table in TABLES:
        for statement in trigger_sql(schema_editor.connection.vendor, table)[0]:
            schema_editor.execute(statement)


def _back(apps: Any, schema_editor: Any) -> None:
    for table in TABLES:
        for statement in trigger_sql(schema_editor.connection.vendor, table)[1]:
            schema_editor.execute(statement)
    _own._create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_channel_visit_and_partner"), ("core", "0004_lookup_stamp")]

    operations = [
        migrations.RunPython(_to_core, _back),
        migrations.DeleteModel(name="LookupStamp"),
    ]
