"""Where models live: trained ones in the database (``models.TrainedModel``), the shipped ones in the package.

A trained model is its ``joblib`` bytes and its metadata (version, created, labels, cross-validated macro-F1, rows) in
one row; a process keeps the model it unpickled under the row's SHA-256 and asks the database for that checksum each
time (one small query), so a model retrained on any machine reaches every web and worker process at its next use,
and a process never reads a model half-written (the row is replaced in one transaction; the bytes are checked against
the checksum before they are unpickled). A trained model of the same name takes precedence over the shipped one, so
an organisation can replace the built-in sentiment model with its own. A shipped model is a folder of
``model.joblib`` and ``metadata.json`` (``build_builtin`` writes it, ``load_folder`` reads it).
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import joblib
from django.db import transaction
from django.utils import timezone

from fankui.nlp.classify import LinearTextModel, TrainingReport

from .models import TrainedModel

# The shipped models (``build_builtin``).
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ModelNotFound(LookupError):
    pass


class ModelDamaged(ValueError):
    """A trained model's bytes do not match their checksum: it is not unpickled."""


class Predictor(Protocol):
    @property
    def version(self) -> str: ...

    @property
    def labels(self) -> list[str]: ...

    def predict(self, texts: list[str]) -> list[tuple[str, float]]: ...


@dataclass
class StoredModel:
    """A trained model with its metadata; predicts (label, confidence) pairs."""

    name: str
    model: LinearTextModel
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", self.name))

    @property
    def labels(self) -> list[str]:
        return list(self.model.labels)

    @property
    def macro_f1(self) -> float | None:
        value = self.metadata.get("cv_macro_f1")
        return float(value) if value is not None else None

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        return self.model.predict(texts)


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise ValueError(f"{name!r} is not a model name: use letters, digits, '-', '_' or '.', up to 64 characters.")
    return name


def builtin_path(name: str) -> Path | None:
    """The folder of the shipped model called ``name``, or None."""
    check_name(name)
    folder = BUILTIN_DIR / name
    return folder if (folder / "model.joblib").exists() else None


def version_for(name: str, when: datetime | None = None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"{name}-{when:%Y%m%dT%H%M%S}"


def save(
    name: str,
    model: LinearTextModel,
    report: TrainingReport,
    *,
    folder: Path | None = None,
    extra: dict[str, Any] | None = None,
) -> StoredModel:
    """Keep a trained model under ``name`` in the database, replacing the one there (``folder``: as files there
    instead, for the shipped models that ``build_builtin`` makes)."""
    check_name(name)
    now = timezone.now()
    metadata = {
        "name": name,
        "version": version_for(name, now),
        "created": now.isoformat(),
        "labels": model.labels,
        "label_counts": report.labels,
        "rows": report.rows,
        "cv_macro_f1": None if report.macro_f1 is None else round(report.macro_f1, 4),
        "cv_folds": report.folds,
        "settings": report.settings,
        "calibration": "temperature scaling" if model.calibrator is not None else "none",
        **(extra or {}),
    }
    if folder is not None:
        _save_folder(folder, model, metadata)
        return StoredModel(name, model, metadata)
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    checksum = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        TrainedModel.objects.update_or_create(
            name=name,
            defaults={
                "version": metadata["version"],
                "sha256": checksum,
                "size": len(data),
                "data": data,
                "metadata": metadata,
                "saved_at": now,
            },
        )
    stored = StoredModel(name, model, metadata)
    with _cache_lock:
        _cache[name] = (checksum, stored)
    return stored


def _save_folder(target: Path, model: LinearTextModel, metadata: dict[str, Any]) -> None:
    """Write a new folder beside ``target`` and rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    joblib.dump(model, staging / "model.joblib", compress=3)
    (staging / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    _folders.pop(str(target), None)


# A process's trained models by name, with the checksum of the row they were read from; the shipped ones by folder,
# with their file's modification time.
_cache: dict[str, tuple[str, StoredModel]] = {}
_folders: dict[str, tuple[float, StoredModel]] = {}
_cache_lock = threading.Lock()


def trained(name: str) -> StoredModel | None:
    """The model the organisation trained under ``name``, if there is one: the process's copy while the database
    holds the same checksum, else read again (and checked) from the database."""
    check_name(name)
    checksum = TrainedModel.objects.filter(name=name).values_list("sha256", flat=True).first()
    if checksum is None:
        return None
    with _cache_lock:
        cached = _cache.get(name)
    if cached and cached[0] == checksum:
        return cached[1]
    row = TrainedModel.objects.filter(name=name).values_list("sha256", "data", "metadata").first()
    if row is None:  # deleted in between
        return None
    checksum, data, metadata = row[0], bytes(row[1]), row[2]
    if hashlib.sha256(data).hexdigest() != checksum:
        raise ModelDamaged(f"the trained model {name!r} does not match its SHA-256 checksum")
    _old_module_names()
    stored = StoredModel(name, joblib.load(io.BytesIO(data)), metadata)
    with _cache_lock:
        _cache[name] = (checksum, stored)
    return stored


def load(name: str) -> StoredModel:
    """The model called ``name``, trained or else shipped; ``ModelNotFound`` if there is neither."""
    own = trained(name)
    if own is not None:
        return own
    folder = builtin_path(name)
    if folder is None:
        raise ModelNotFound(name)
    return load_folder(folder, name)


# Models saved before the text library left the analysis app (December 2026) name their classes and functions by
# the modules they were in then; pickle finds them under those names (tests/analysis/test_models_saved_before_the_
# move_still_predict_the_same.py loads models the old code saved).
SAVED_UNDER = {
    "fankui.analysis.classify": "fankui.nlp.classify",
    "fankui.analysis.ngrams": "fankui.nlp.ngrams",
    "fankui.analysis.text": "fankui.nlp.text",
}


def _old_module_names() -> None:
    for old, new in SAVED_UNDER.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)


def load_folder(folder: Path, name: str) -> StoredModel:
    """A model kept as a folder (a shipped one), cached until its file changes."""
    stamp = (folder / "model.joblib").stat().st_mtime
    with _cache_lock:
        cached = _folders.get(str(folder))
        if cached and cached[0] == stamp:
            return cached[1]
    _old_module_names()
    model = joblib.load(folder / "model.joblib")
    metadata_file = folder / "metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8")) if metadata_file.exists() else {}
    stored = StoredModel(name, model, metadata)
    with _cache_lock:
        _folders[str(folder)] = (stamp, stored)
    return stored


def trained_metadata(name: str) -> dict[str, Any] | None:
    """The metadata of the model the organisation trained under ``name``, without reading the model."""
    found: dict[str, Any] | None = (
        TrainedModel.objects.filter(name=check_name(name)).values_list("metadata", flat=True).first()
    )
    return found


def metadata(name: str) -> dict[str, Any] | None:
    """The metadata of the model called ``name``, trained or else shipped."""
    own = trained_metadata(name)
    if own is not None:
        return own
    folder = builtin_path(name)
    if folder is None:
        return None
    data: dict[str, Any] = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    return data


def sizes() -> list[tuple[str, str, int, bool]]:
    """Every trained model: name, version, size in bytes, and whether its bytes match their checksum
    (``fankui doctor``)."""
    found = []
    for name, version, size, checksum, data in TrainedModel.objects.order_by("name").values_list(
        "name", "version", "size", "sha256", "data"
    ):
        found.append((name, version, size, hashlib.sha256(bytes(data)).hexdigest() == checksum))
    return found
