"""Attachments become stored files (``StoredFile``), the one table for every uploaded file: a submission's
attachments here, an improvement action's evidence in actions.0004. Each row keeps its token (so every link keeps
working) and its name on disk (the files stay where they are)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def _owner(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def attachments_to_stored_files(apps, schema_editor):
    Attachment = apps.get_model("intake", "Attachment")
    StoredFile = apps.get_model("intake", "StoredFile")
    if not Attachment.objects.exists():
        return
    owner = _owner(apps, "intake", "submission")
    StoredFile.objects.bulk_create(
        (
            StoredFile(
                file=row["file"],
                token=row["token"],
                original_name=row["original_name"],
                content_type=row["content_type"],
                size=row["size"],
                owner_type=owner,
                owner_id=row["submission_id"],
            )
            for row in Attachment.objects.order_by("id").values().iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


def stored_files_to_attachments(apps, schema_editor):
    Attachment = apps.get_model("intake", "Attachment")
    StoredFile = apps.get_model("intake", "StoredFile")
    rows = StoredFile.objects.filter(owner_type=_owner(apps, "intake", "submission")).order_by("id").values()
    Attachment.objects.bulk_create(
        (
            Attachment(
                file=row["file"],
                token=row["token"],
                original_name=row["original_name"],
                content_type=row["content_type"],
                size=row["size"],
                submission_id=row["owner_id"],
            )
            for row in rows.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0004_submission_receipt"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=255, upload_to="")),
                ("token", models.CharField(max_length=40, unique=True)),
                ("original_name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveIntegerField()),
                ("owner_id", models.PositiveBigIntegerField()),
                (
                    "owner_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "stored file",
                "verbose_name_plural": "stored files",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["owner_type", "owner_id"], name="stored_file_owner")],
            },
        ),
        migrations.RunPython(attachments_to_stored_files, stored_files_to_attachments),
        migrations.DeleteModel(name="Attachment"),
    ]
