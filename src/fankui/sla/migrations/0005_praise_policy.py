"""Praise gets the quick policy of inquiries and requests for help (3 working days) instead of the catch-all 13:
added where the shipped defaults are installed and no policy for praise exists, so an organisation's own choice is
kept. Open praise is counted again after the migration run (``SlaConfig`` on ``post_migrate``)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAME = "Praise: 3 working days"
SHIPPED_CATCH_ALL = "Everything else: 13 working days"
TARGETS = [
    ("accept", 4, "working_hours"),
    ("dispatch", 4, "working_hours"),
    ("first_response", 1, "working_days"),
    ("reply", 3, "working_days"),
    ("rectify", 15, "working_days"),
    ("close", 10, "working_days"),
]


def forwards(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("sla", "Policy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    if not Policy.objects.filter(name=SHIPPED_CATCH_ALL).exists():
        return  # not the shipped defaults (or none yet: `ensure_defaults` adds it with the others)
    if Policy.objects.filter(kind="praise").exists() or Policy.objects.filter(name=NAME).exists():
        return
    policy = Policy.objects.create(name=NAME, kind="praise")
    PolicyTarget.objects.bulk_create(
        [PolicyTarget(policy=policy, stage=stage, amount=amount, unit=unit) for stage, amount, unit in TARGETS]
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("sla", "Policy").objects.filter(name=NAME, kind="praise").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_emergency_on_calendar_hours")]

    operations = [migrations.RunPython(forwards, backwards)]
