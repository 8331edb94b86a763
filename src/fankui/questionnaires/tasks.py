"""The questionnaires' sweep: drafts of respondents who left are deleted after ``answering.DRAFT_DAYS`` days."""

from __future__ import annotations

from collections.abc import Callable

from .services import answering


def forget_drafts() -> int:
    """Delete drafts untouched for a week (one indexed delete; 0 when none is due)."""
    return answering.forget_old_drafts()


SWEEPS: list[tuple[str, Callable[[], int]]] = [("questionnaires_forget_drafts", forget_drafts)]
