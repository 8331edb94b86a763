"""Background work of 好差评. Each task is idempotent and safe to run on many workers at once."""

from __future__ import annotations

from collections.abc import Callable

from . import services


def send_rating_reminders() -> int:
    """Remind, once, the submitters who have not rated a reply after ``FANKUI_RATING_REMINDER_DAYS``."""
    return services.send_rating_reminders()


# Collected by `fankui worker` (core/management/commands/worker.py); runs before notify's delivery.
SWEEPS: list[tuple[str, Callable[[], int]]] = [("surveys_rating_reminders", send_rating_reminders)]
