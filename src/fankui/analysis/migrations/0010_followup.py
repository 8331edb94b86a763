"""The steps after an analysis (emergency flag, dispatch, duplicate and hot topic) are recorded as due in the
transaction that saves it, so that a worker killed after that commit leaves them to the sweep (docs/decisions)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analysis", "0009_topic_words")]

    operations = [
        migrations.AddField(
            model_name="caseanalysis",
            name="followup",
            field=models.CharField(blank=True, db_default="", default="", max_length=10),
        ),
        migrations.AddIndex(
            model_name="caseanalysis",
            index=models.Index(
                condition=models.Q(("followup__in", ["act", "saved"])), fields=["followup"], name="analysis_followup"
            ),
        ),
    ]
