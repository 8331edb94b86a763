"""Each process keeps the active clients' keys while they stay unchanged (``open311.services.active_clients``): a
write to the client table renews the lookup stamp (``core.lookups``, decision 0013), except the last-used time that
a request writes at most once a minute."""

from django.db import migrations

from fankui.core.lookups import renewed_by


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_initial"), ("core", "0004_lookup_stamp")]

    operations = [
        renewed_by(
            "open311_open311client",
            columns=["name", "prefix", "key_hash", "active", "rate", "created_at", "revoked_at"],
        )
    ]
