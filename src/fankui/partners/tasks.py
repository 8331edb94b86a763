"""Background work of the partners app: post due callbacks, forget what is no longer needed. Idempotent; safe with
many workers (callbacks are claimed with a conditional update; deletions of expired rows repeat harmlessly)."""

from __future__ import annotations

from collections.abc import Callable

from . import delivery, services


def partners_deliver() -> int:
    return delivery.deliver_due()


def partners_forget() -> int:
    return services.forget_seen_signatures() + delivery.forget_finished()


SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("partners_deliver", partners_deliver),
    ("partners_forget", partners_forget),
]
