import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="access",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accesses",
                to="cases.case",
            ),
        ),
        migrations.AddField(
            model_name="access",
            name="stored_file",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
    ]
