"""Message templates move to the outbox from the portal (whose table portal migration 0002 copies here and drops):
staff notices are worded through them too, and the apps that send those sit below the portal. Any change renews the
lookup stamp, so each process keeps the active ones until then (``wording.active``, decision 0013)."""

from django.db import migrations, models

import fankui.notify.wording
from fankui.core.lookups import renewed_by


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0004_addresses_encrypted"),
        ("core", "0004_lookup_stamp"),
    ]

    operations = [
        migrations.CreateModel(
            name="MessageTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key",
                    models.CharField(choices=fankui.notify.wording.choices, max_length=50, verbose_name="message"),
                ),
                (
                    "language",
                    models.CharField(choices=[("zh-hans", "简体中文"), ("en", "English")], max_length=10, verbose_name="language"),
                ),
                ("subject", models.CharField(max_length=200, verbose_name="subject")),
                ("body", models.TextField(max_length=2000, verbose_name="text")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "message template",
                "verbose_name_plural": "message templates",
                "ordering": ["key", "language", "-active", "-updated_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("active", True)),
                        fields=("key", "language"),
                        name="notify_one_active_template",
                        violation_error_message="Another active template of this message and language exists.",
                    )
                ],
            },
        ),
        # The active templates are kept by each process until one changes (wording.active).
        renewed_by("notify_messagetemplate"),
    ]
