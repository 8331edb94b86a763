"""The shipped emergency policy moves to calendar hours (a reply within 24 hours, day and night), but only where
its targets are still exactly the ones shipped before: an organisation's own edits are never overwritten.

Open cases on the policy are counted again after the migration run (``SlaConfig`` on ``post_migrate``), with the
application's code, which a migration must not use."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD_NAME = "Emergency: reply the same day"
NEW_NAME = "Emergency: reply within 24 hours"
OLD_TARGETS = {
    ("accept", 1, "hours"),
    ("dispatch", 2, "hours"),
    ("first_response", 2, "hours"),
    ("reply", 0, "working_days"),
    ("rectify", 3, "working_days"),
    ("close", 3, "working_days"),
}
NEW_REPLY = (24, "hours")


def forwards(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("sla", "Policy")
    policy = Policy.objects.filter(name=OLD_NAME, urgency="emergency").first()
    if policy is None:
        return
    targets = {(t.stage, t.amount, t.unit) for t in policy.targets.all()}
    if targets != OLD_TARGETS:
        return  # edited by the organisation: theirs to keep
    policy.targets.filter(stage="reply").update(amount=NEW_REPLY[0], unit=NEW_REPLY[1])
    if not Policy.objects.filter(name=NEW_NAME).exists():
        policy.name = NEW_NAME
    policy.save()


def backwards(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("sla", "Policy")
    policy = Policy.objects.filter(name=NEW_NAME, urgency="emergency").first()
    if policy is None:
        return
    targets = {(t.stage, t.amount, t.unit) for t in policy.targets.all()}
    if targets != (OLD_TARGETS - {("reply", 0, "working_days")}) | {("reply", *NEW_REPLY)}:
        return
    policy.targets.filter(stage="reply").update(amount=0, unit="working_days")
    if not Policy.objects.filter(name=OLD_NAME).exists():
        policy.name = OLD_NAME
    policy.save()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_stamp"),
        ("sla", "0003_calendar_year"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
