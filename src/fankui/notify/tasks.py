"""Background work of notify: deliver what is due. Idempotent; safe with many workers (claims are conditional)."""

from __future__ import annotations

import time
from collections.abc import Callable

from . import delivery

# Seconds of sending per worker round at most: one claim of 200 a round fell behind a steady intake (every case is a
# receipt) whenever a round lasted longer than 200 cases took to arrive.
ROUND_SECONDS = 20.0


def deliver_messages() -> int:
    """Send what is due, claim after claim, until nothing is or ``ROUND_SECONDS`` are spent."""
    total = 0
    stop_at = time.monotonic() + ROUND_SECONDS
    while handled := delivery.deliver_due():
        total += handled
        if time.monotonic() >= stop_at:
            break
    return total


SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("deliver_messages", deliver_messages),
]
