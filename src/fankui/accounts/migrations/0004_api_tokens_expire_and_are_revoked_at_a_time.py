from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def expire_and_date_revocations(apps, schema_editor):
    """Tokens issued before expiry existed get the full lifetime from today (none stops working at once), and a
    revoked one is recorded as revoked now."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    ApiToken.objects.update(expires_at=now + timedelta(days=90))
    ApiToken.objects.filter(revoked=True).update(revoked_at=now)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_admin_site_for_administrators_only")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked"),
        ),
        migrations.RunPython(expire_and_date_revocations, migrations.RunPython.noop),
        migrations.RemoveField(model_name="apitoken", name="revoked"),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
