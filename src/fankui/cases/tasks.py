"""Background work of the cases app. Each task is idempotent and safe to run on many workers at once."""

from __future__ import annotations

from . import services


def close_unrated_cases() -> int:
    """Close replied cases whose rating window passed without a rating."""
    return services.close_unrated()
