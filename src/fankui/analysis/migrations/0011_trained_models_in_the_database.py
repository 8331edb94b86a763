"""Trained models move from FANKUI_DATA_DIR/models into the database, so that every machine reads the same ones and a
backup of the database holds them (docs/decisions). The models of this data directory come along; their files are
left where they were (delete ``models/`` once the site runs on this version)."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def bring_the_files(apps, schema_editor):
    TrainedModel = apps.get_model("analysis", "TrainedModel")
    Retraining = apps.get_model("analysis", "Retraining")
    folder = Path(settings.FANKUI_DATA_DIR) / "models"
    if not folder.is_dir():
        return
    for model in sorted(folder.glob("*/model.joblib")):
        data = model.read_bytes()
        meta_file = model.with_name("metadata.json")
        metadata = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        saved_at = datetime.fromtimestamp(model.stat().st_mtime, tz=timezone.get_current_timezone())
        TrainedModel.objects.update_or_create(
            name=model.parent.name,
            defaults={
                "version": str(metadata.get("version", model.parent.name))[:100],
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "data": data,
                "metadata": metadata,
                "saved_at": saved_at,
            },
        )
    stamp = folder / ".last_retrain"
    if stamp.is_file():
        Retraining.objects.create(ran_at=datetime.fromisoformat(stamp.read_text(encoding="utf-8").strip()))


class Migration(migrations.Migration):
    dependencies = [("analysis", "0010_followup")]

    operations = [
        migrations.CreateModel(
            name="TrainedModel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64, unique=True)),
                ("version", models.CharField(max_length=100)),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveIntegerField()),
                ("data", models.BinaryField()),
                ("metadata", models.JSONField(default=dict)),
                ("saved_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="Retraining",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("ran_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(bring_the_files, migrations.RunPython.noop),
    ]
