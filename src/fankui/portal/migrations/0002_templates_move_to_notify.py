"""The message templates move to the outbox (notify migration 0005), where staff notices use them too: each row is
copied as it is, then the portal's table goes."""

from django.db import migrations


def to_notify(apps, schema_editor):
    Old = apps.get_model("portal", "MessageTemplate")
    New = apps.get_model("notify", "MessageTemplate")
    fields = ["key", "language", "subject", "body", "active", "updated_at"]
    New.objects.bulk_create(New(**{f: getattr(row, f) for f in fields}) for row in Old.objects.order_by("pk"))


def to_portal(apps, schema_editor):
    Old = apps.get_model("portal", "MessageTemplate")
    New = apps.get_model("notify", "MessageTemplate")
    fields = ["key", "language", "subject", "body", "active", "updated_at"]
    # The portal's table knew only the messages to submitters.
    rows = New.objects.exclude(key__startswith="staff:").order_by("pk")
    Old.objects.bulk_create(Old(**{f: getattr(row, f) for f in fields}) for row in rows)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_message_templates"),
        ("notify", "0005_message_templates"),
    ]

    operations = [
        migrations.RunPython(to_notify, to_portal),
        migrations.DeleteModel(name="MessageTemplate"),
    ]
