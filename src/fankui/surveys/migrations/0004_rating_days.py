"""The daily counts of ratings (``RatingDay``) that the rates read for whole days, and what they group by kept on the
rating (its department and first-level category as they stood when it was rated). Existing ratings take their
case's lead department and category as they are now, a window's rating its window's department (else the person's);
a declined 回访 call now follows a rating up as a reached one does; then every day is counted
(docs/decisions/0022-rates-read-daily-counts.md)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def _fill(apps: Any, schema_editor: Any) -> None:
    from fankui.surveys.services.tallies import rebuild

    Rating = apps.get_model("surveys", "Rating")
    RatingDay = apps.get_model("surveys", "RatingDay")
    Case = apps.get_model("cases", "Case")
    ServicePoint = apps.get_model("surveys", "ServicePoint")
    StaffBadge = apps.get_model("surveys", "StaffBadge")
    FollowUp = apps.get_model("surveys", "FollowUp")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    Rating.objects.filter(case__isnull=False).update(
        department=Subquery(case.values("lead_department_id")[:1]),
        category=Subquery(case.values(first=Coalesce("category__parent_id", "category_id"))[:1]),
    )
    point = ServicePoint.objects.filter(pk=OuterRef("service_point_id")).values("department_id")[:1]
    badge = StaffBadge.objects.filter(pk=OuterRef("staff_id")).values("department_id")[:1]
    Rating.objects.filter(case__isnull=True).update(department=Coalesce(Subquery(point), Subquery(badge)))
    declined = FollowUp.objects.filter(rating=OuterRef("pk"), outcome="declined").values("rating")
    Rating.objects.filter(followed_up_at__isnull=True).update(
        followed_up_at=Subquery(declined.annotate(first=Min("created_at")).values("first")[:1])
    )
    rebuild(Rating, RatingDay)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_auditor_role"),
        ("cases", "0006_categories_renew_lookup_stamp"),
        ("surveys", "0003_windows"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.department",
            ),
        ),
        migrations.AddField(
            model_name="rating",
            name="category",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.category"
            ),
        ),
        migrations.CreateModel(
            name="RatingDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("reply", "Reply"), ("rectification", "Rectification"), ("window", "Service window")],
                        max_length=16,
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Unsatisfied"),
                            (1, "Very unsatisfied"),
                        ]
                    ),
                ),
                ("ratings", models.IntegerField(default=0)),
                ("excluded", models.IntegerField(default=0)),
                ("real_name", models.IntegerField(default=0)),
                ("rectified", models.IntegerField(default=0)),
                ("followed_up", models.IntegerField(default=0)),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.category",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
                (
                    "service_point",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.servicepoint",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.staffbadge",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily rating count",
                "verbose_name_plural": "daily rating counts",
                "indexes": [models.Index(fields=["kind", "day", "department", "level"], name="rating_day_key")],
            },
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
