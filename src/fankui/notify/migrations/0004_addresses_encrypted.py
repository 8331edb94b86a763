"""Issue 14: the outbox's addresses are encrypted at rest and found by their keyed hash; the dedupe key becomes a
keyed hash too (an unsalted sha256 of "contact:<phone>..." gave the number back to whoever tried them all).

Existing rows are rewritten here: the address is read as the plain text it was and saved through the encrypted field,
its hash computed, and the dedupe key recomputed from the same parts as before (``notify.services.dedupe_key``) under
``FANKUI_LOOKUP_KEY``. Rows whose address was erased keep their dedupe key, which names only the row. Contacts become
unique on (channel, address hash)."""

import fankui.core.fields
from django.db import migrations, models

from fankui.core import crypto


def _dedupe(recipient, channel, key):
    return crypto.lookup_hash(f"{recipient}\x1f{channel}\x1f{key}")


def encrypt_existing_rows(apps, schema_editor):
    Message = apps.get_model("notify", "Message")
    Contact = apps.get_model("notify", "Contact")
    last = 0
    while True:
        rows = list(
            Message.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "channel", "user_id", "address", "key", "dedupe_key")[:1000]
        )
        if not rows:
            break
        for row in rows:
            row.address_hash = crypto.lookup_hash(row.address)
            if row.user_id is not None:
                row.dedupe_key = _dedupe(f"user:{row.user_id}", row.channel, row.key)
            elif row.address:
                row.dedupe_key = _dedupe(f"contact:{row.address}", row.channel, row.key)
        Message.objects.bulk_update(rows, ["address", "address_hash", "dedupe_key"])
        last = rows[-1].pk
    contacts = list(Contact.objects.all())
    for contact in contacts:
        contact.address_hash = crypto.lookup_hash(contact.address)
    Contact.objects.bulk_update(contacts, ["address", "address_hash"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_webhook_channel_goes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="contact",
            name="notify_contact_unique",
        ),
        migrations.AddField(
            model_name="contact",
            name="address_hash",
            field=models.CharField(db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="message",
            name="address_hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="contact",
            name="address",
            field=fankui.core.fields.EncryptedTextField(blank=True, max_length=254, verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="message",
            name="address",
            field=fankui.core.fields.EncryptedTextField(blank=True, max_length=500, verbose_name="address"),
        ),
        migrations.RunPython(encrypt_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(fields=("channel", "address_hash"), name="notify_contact_unique"),
        ),
    ]
