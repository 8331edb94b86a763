"""Where models live: trained ones under FANKUI_DATA_DIR/models/<name>/, the shipped ones in the package.

A model folder holds ``model.joblib`` and ``metadata.json`` (version, created, labels, cross-validated macro-F1,
rows). A trained model of the same name takes precedence over the shipped one, so an organisation can replace the
built-in sentiment model with its own. Saving writes a new folder and renames it into place, so a worker loading a
model never reads half a file.
"""

from __future__ import annotations

import importlib
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
from django.conf import settings
from django.utils import timezone

from fankui.nlp.classify import LinearTextModel, TrainingReport

# The shipped models (``build_builtin``).
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ModelNotFound(LookupError):
    pass


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


def models_dir() -> Path:
    return Path(settings.FANKUI_DATA_DIR) / "models"


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise ValueError(f"{name!r} is not a model name: use letters, digits, '-', '_' or '.', up to 64 characters.")
    return name


def model_path(name: str) -> Path | None:
    """The folder of the model called ``name``: a trained one first, then a shipped one; None if neither exists."""
    check_name(name)
    for folder in (models_dir() / name, BUILTIN_DIR / name):
        if (folder / "model.joblib").exists():
            return folder
    return None


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
    check_name(name)
    target = folder or models_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
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
    _cache.pop(str(target), None)
    return StoredModel(name, model, metadata)


_cache: dict[str, tuple[float, StoredModel]] = {}
_cache_lock = threading.Lock()


def load(name: str) -> StoredModel:
    """The model called ``name`` (cached until its file changes); ``ModelNotFound`` if there is none."""
    folder = model_path(name)
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
    stamp = (folder / "model.joblib").stat().st_mtime
    with _cache_lock:
        cached = _cache.get(str(folder))
        if cached and cached[0] == stamp:
            return cached[1]
    _old_module_names()
    model = joblib.load(folder / "model.joblib")
    metadata_file = folder / "metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8")) if metadata_file.exists() else {}
    stored = StoredModel(name, model, metadata)
    with _cache_lock:
        _cache[str(folder)] = (stamp, stored)
    return stored


def metadata(name: str) -> dict[str, Any] | None:
    folder = model_path(name)
    if folder is None:
        return None
    data: dict[str, Any] = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    return data
