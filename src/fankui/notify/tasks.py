"""Background work of notify: deliver what is due. Idempotent; safe with many workers (claims are conditional)."""

from __future__ import annotations

from collections.abc import Callable

from . import delivery


def deliver_messages() -> int:
    return delivery.deliver_due()


SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("deliver_messages", deliver_messages),
]
