"""Issue 17, beyond one machine: a trained model is a row of the database, so every web and worker machine reads the
same one and the database's backup holds it. A process keeps the model it read under the row's checksum: a model
retrained elsewhere reaches it at its next use, and bytes that do not match their checksum are never unpickled. The
models an older version kept in FANKUI_DATA_DIR/models come along with the migration."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import joblib
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fankui.analysis import predictors, queries, store
from fankui.analysis.models import Retraining, TrainedModel
from fankui.analysis.services import retrain_due
from fankui.nlp.classify import LinearTextModel, Settings, train

from .conftest import NEGATIVE, POSITIVE

pytestmark = pytest.mark.django_db


def taste(flip: bool = False) -> tuple[LinearTextModel, Any]:
    """A small model of reviews, "1" for the good ones (``flip``: for the bad ones)."""
    good, bad = ("0", "1") if flip else ("1", "0")
    return train(POSITIVE * 2 + NEGATIVE * 2, [good] * 12 + [bad] * 12, Settings(folds=2))


def test_a_trained_model_is_one_row_read_once_per_checksum() -> None:
    model, report = taste()
    saved = store.save("taste", model, report)
    row = TrainedModel.objects.get(name="taste")
    assert (row.version, row.size) == (saved.version, len(bytes(row.data)))
    store._cache.clear()  # as in another process

    first = store.load("taste")
    assert first.predict(["味道很好，送餐很快"])[0][0] == "1"
    with CaptureQueriesContext(connection) as read:
        assert store.load("taste") is first
    assert len(read.captured_queries) == 1  # the checksum only, not the bytes
    assert predictors.get("taste") is first


def test_a_model_saved_on_another_machine_is_read_at_the_next_use() -> None:
    store.save("taste", *taste())
    before = store.load("taste")
    # Another machine retrains: the row changes under this process's copy.
    model, report = taste(flip=True)
    other = store.save("taste", model, report)
    store._cache["taste"] = ("a checksum of the older row", before)
    now = store.load("taste")
    assert now is not before and now.version == other.version
    assert now.predict(["味道很好，送餐很快"])[0][0] == "0"


def test_bytes_that_do_not_match_their_checksum_are_refused_and_the_doctor_says_so() -> None:
    store.save("taste", *taste())
    TrainedModel.objects.filter(name="taste").update(data=b"cut short")
    store._cache.clear()
    with pytest.raises(store.ModelDamaged):
        store.load("taste")
    with translation.override("en"):
        finding = queries.models_finding()
    assert finding.level == "fail" and "taste" in finding.text


def test_the_doctor_names_each_trained_model_with_its_size() -> None:
    saved = store.save("taste", *taste())
    with translation.override("en"):
        finding = queries.models_finding()
    assert finding.level == "ok"
    assert finding.text.startswith("1 trained, in the database: ")
    assert saved.version in finding.text and " MB)" in finding.text


def test_the_models_of_an_older_version_s_data_folder_come_along(settings: Any, tmp_path: Path) -> None:
    settings.FANKUI_DATA_DIR = tmp_path
    folder = tmp_path / "models" / "routing"
    folder.mkdir(parents=True)
    model, _report = taste()
    joblib.dump(model, folder / "model.joblib", compress=3)
    (folder / "metadata.json").write_text(json.dumps({"version": "routing-20261101T0900"}), encoding="utf-8")
    (tmp_path / "models" / ".last_retrain").write_text("2026-11-01T09:00:00+08:00", encoding="utf-8")

    migration = importlib.import_module("fankui.analysis.migrations.0011_trained_models_in_the_database")
    migration.bring_the_files(apps, None)

    assert TrainedModel.objects.get().version == "routing-20261101T0900"
    assert store.load("routing").predict(["味道很好，送餐很快"])[0][0] == "1"
    assert Retraining.objects.get().ran_at.isoformat() == "2026-11-01T01:00:00+00:00"
    assert retrain_due()  # 15 days before the frozen clock, over RETRAIN_DAYS
