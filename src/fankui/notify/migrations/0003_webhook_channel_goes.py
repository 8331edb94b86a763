"""The webhook channel goes: nothing in the product ever queued a webhook message (partner webhooks come with the
channels issue). Only the fields' choices change, no column. A row typed in by hand in the admin would never be sent
again, so a queued one is failed here with the reason, instead of being claimed by the worker forever."""

from typing import Any

from django.db import migrations, models

REASON = "The webhook channel was removed; nothing sends webhook messages."


def fail_queued_webhooks(apps: Any, schema_editor: Any) -> None:
    apps.get_model("notify", "Message").objects.filter(channel="webhook", status="queued").update(
        status="failed", next_attempt_at=None, last_error=REASON
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_message_names_its_case_by_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="channel",
            field=models.CharField(
                choices=[("email", "E-mail"), ("sms", "SMS"), ("in_app", "In-app")],
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="channel",
            field=models.CharField(
                choices=[("email", "E-mail"), ("sms", "SMS"), ("in_app", "In-app")],
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.RunPython(fail_queued_webhooks, migrations.RunPython.noop),
    ]
