"""Background work of the actions app. Each task is idempotent: warnings and steps are written once (unique keys),
broadcasts resume from their cursor, linking inserts only links that do not exist."""

from __future__ import annotations

from collections.abc import Callable

from . import broadcast
from .services import linking, sweeps


def link_topic_cases() -> int:
    return linking.link_topic_cases()


def send_broadcasts() -> int:
    return broadcast.run_pending()


def warn_due_actions() -> int:
    return sweeps.warn_due()


def verify_due_actions() -> int:
    return sweeps.verify_due()


SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("actions_link_topic_cases", link_topic_cases),
    ("actions_send_broadcasts", send_broadcasts),
    ("actions_warn_due", warn_due_actions),
    ("actions_verify_due", verify_due_actions),
]
