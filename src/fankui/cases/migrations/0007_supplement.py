import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_categories_renew_lookup_stamp"),
    ]

    operations = [
        migrations.CreateModel(
            name="Supplement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("web", "Web form"),
                            ("api", "API"),
                            ("open311", "Open311"),
                            ("email", "E-mail"),
                            ("phone", "Phone (operator)"),
                            ("visit", "Face-to-face visit"),
                            ("import", "Bulk import"),
                            ("partner", "Partner system"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("text", models.TextField(verbose_name="text")),
                ("from_contact", models.BooleanField(default=False, verbose_name="from the case's contact")),
                (
                    "answers_request",
                    models.BooleanField(default=False, verbose_name="answers a request for information"),
                ),
                ("key", models.CharField(blank=True, max_length=120, null=True, unique=True)),
                ("created_at", models.DateTimeField(verbose_name="received at")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="supplements", to="cases.case"
                    ),
                ),
            ],
            options={
                "verbose_name": "supplement",
                "verbose_name_plural": "supplements",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["case", "created_at"], name="cases_supplement_case")],
            },
        ),
    ]
