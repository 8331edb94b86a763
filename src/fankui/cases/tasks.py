"""Background work of the cases app. Each task is idempotent and safe to run on many workers at once."""

from __future__ import annotations

from collections.abc import Callable

from .services import moves


def close_unrated_cases() -> int:
    """Close replied cases whose rating window passed without a rating."""
    return moves.close_unrated()


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("close_unrated_cases", close_unrated_cases),
]
