"""Topics moved to the topics app (topics 0001 takes the model and keeps its table, ``analysis_topic``): the analysis
app forgets the model, and a case's topic points at the topics app's. Nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0007_topic_label_editor"),
        ("topics", "0001_initial"),
        # Every other reference to the model moved first.
        ("actions", "0003_topic_in_the_topics_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="caseanalysis",
                    name="topic",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="analyses",
                        to="topics.topic",
                        verbose_name="hot topic",
                    ),
                ),
                migrations.DeleteModel(name="Topic"),
            ],
            database_operations=[],
        ),
    ]
