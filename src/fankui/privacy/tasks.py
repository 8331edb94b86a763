from __future__ import annotations

from collections.abc import Callable

from . import services


def anonymise_expired_contacts() -> int:
    """Anonymise closed cases whose retention period passed (a bounded number a round)."""
    return services.apply_retention()


SWEEPS: list[tuple[str, Callable[[], int]]] = [("privacy_retention", anonymise_expired_contacts)]
