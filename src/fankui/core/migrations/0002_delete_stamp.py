# The settings stamp (core.stamps) is gone: SLA policies and calendars are read for each operation.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_stamp"),
    ]

    operations = [
        migrations.DeleteModel(
            name="Stamp",
        ),
    ]
