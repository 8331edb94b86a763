"""Each case's topic words kept on its analysis (``CaseAnalysis.topic_words``): a topic's keywords are remade from
them instead of cutting its latest texts into words again. Empty for the cases placed before; those are cut again
when read (``topics.services.latest_samples``). With ``db_default`` PostgreSQL adds the column without rewriting the
table. And an index by topic and case, from whose end a topic's latest cases are read."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0008_topic_moves_to_the_topics_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseanalysis",
            name="topic_words",
            field=models.TextField(blank=True, db_default=""),
        ),
        migrations.AddIndex(
            model_name="caseanalysis",
            index=models.Index(fields=["topic", "case"], name="analysis_topic_latest"),
        ),
    ]
