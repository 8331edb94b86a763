"""The folders under FANKUI_DATA_DIR (or wherever settings put them) that hold what the database does not: the
attachment store (attachments, evidence, the files of imports). `fankui backup` keeps each of them and `fankui doctor`
watches their disks. The app that owns a folder names it here in its ``AppConfig.ready()``; core names the attachment
store. (Trained models are rows of the database; local copies under ``cache/`` are not kept.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

_registered: dict[str, Callable[[], Path]] = {}


def register(name: str, where: Callable[[], Path]) -> None:
    """``where`` is asked each time (tests and settings may move a folder after start-up)."""
    _registered[name] = where


def registered() -> dict[str, Callable[[], Path]]:
    return dict(_registered)


def media() -> Path:
    return Path(settings.MEDIA_ROOT)


register("media", media)
