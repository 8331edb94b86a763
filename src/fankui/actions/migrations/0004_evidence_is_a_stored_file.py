"""A progress update's evidence becomes intake's stored files (intake.0005), the one table for every uploaded file,
with the same token (links keep working) and the same name on disk (the files stay where they are)."""

from django.db import migrations

BATCH = 1000


def _owner(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="actions", model="progressupdate")[0]


def evidence_to_stored_files(apps, schema_editor):
    Evidence = apps.get_model("actions", "Evidence")
    StoredFile = apps.get_model("intake", "StoredFile")
    if not Evidence.objects.exists():
        return
    owner = _owner(apps)
    StoredFile.objects.bulk_create(
        (
            StoredFile(
                file=row["file"],
                token=row["token"],
                original_name=row["original_name"],
                content_type=row["content_type"],
                size=row["size"],
                owner_type=owner,
                owner_id=row["update_id"],
            )
            for row in Evidence.objects.order_by("id").values().iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


def stored_files_to_evidence(apps, schema_editor):
    Evidence = apps.get_model("actions", "Evidence")
    StoredFile = apps.get_model("intake", "StoredFile")
    files = StoredFile.objects.filter(owner_type=_owner(apps))
    Evidence.objects.bulk_create(
        (
            Evidence(
                file=row["file"],
                token=row["token"],
                original_name=row["original_name"],
                content_type=row["content_type"],
                size=row["size"],
                update_id=row["owner_id"],
            )
            for row in files.order_by("id").values().iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    files.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_topic_in_the_topics_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0005_stored_files"),
    ]

    operations = [
        migrations.RunPython(evidence_to_stored_files, stored_files_to_evidence),
        migrations.DeleteModel(name="Evidence"),
    ]
