"""The daily counts are only as exact as the code that writes ratings: every place that creates or changes a rating
is one of the services that keep the counts (``surveys.services.tallies``), or recounts them after a bulk insert.
A new writer elsewhere fails here, not in a manager's figures."""

from __future__ import annotations

import re
from pathlib import Path

import fankui

SRC = Path(fankui.__file__).parent
WRITES = re.compile(
    r"\bRating\.objects\.(?:create|bulk_create|get_or_create|update_or_create)\b"
    r"|\bRating\.objects\.filter\([^\n]*\)\.(?:update|delete)\("
    r"|\brating\.save\("
)
WRITERS = {
    "surveys/services/__init__.py",  # rate, replay_rating, rate_by_phone (and the comments' masking)
    "surveys/services/rectifications.py",  # rate_rectification, check_rectification
    "surveys/services/follow_ups.py",  # record_follow_up
    "surveys/services/appeals.py",  # decide_appeal
    "surveys/windows.py",  # rate_window
    "surveys/demo.py",  # a bulk insert, then tallies.rebuild()
}


def test_only_the_counting_services_write_ratings() -> None:
    writers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and WRITES.search(path.read_text(encoding="utf-8"))
    }
    assert writers == WRITERS
    for name in WRITERS:
        text = (SRC / name).read_text(encoding="utf-8")
        assert "counted(" in text or "rebuild()" in text, name
