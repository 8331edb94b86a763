"""Topics become an app of their own. The table stays the analysis app's ``analysis_topic`` (only Django's idea of
which app holds the model changes), and the permissions and admin history of topics follow it to the new app."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="topics", model="topic").exists():
        ContentType.objects.filter(app_label="analysis", model="topic").update(app_label="topics")


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="analysis", model="topic").exists():
        ContentType.objects.filter(app_label="topics", model="topic").update(app_label="analysis")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("analysis", "0007_topic_label_editor"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=200, verbose_name="label")),
                        ("place", models.CharField(blank=True, db_index=True, max_length=100, verbose_name="place")),
                        ("keywords", models.JSONField(blank=True, default=list, verbose_name="keywords")),
                        ("size", models.PositiveIntegerField(default=0, verbose_name="cases")),
                        ("support", models.PositiveIntegerField(default=0, verbose_name="support")),
                        ("growth", models.FloatField(default=0.0, verbose_name="growth")),
                        ("heat", models.FloatField(db_index=True, default=0.0, verbose_name="heat")),
                        ("first_seen_at", models.DateTimeField(verbose_name="first seen")),
                        ("last_seen_at", models.DateTimeField(db_index=True, verbose_name="last seen")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("label_edited", models.BooleanField(default=False, verbose_name="label edited by staff")),
                        ("label_edited_at", models.DateTimeField(blank=True, null=True, verbose_name="label edited at")),
                        ("model_version", models.CharField(blank=True, max_length=40)),
                        ("refreshed_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        (
                            "label_edited_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="label edited by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "hot topic",
                        "verbose_name_plural": "hot topics",
                        "db_table": "analysis_topic",
                        "ordering": ["-heat", "-id"],
                    },
                ),
            ],
            # The table exists: the analysis app's migrations made it.
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back),
    ]
