"""Background work of the audit app: sealing committed audit rows into the hash chain (``audit.chain``)."""

from __future__ import annotations

from collections.abc import Callable

from . import chain


def audit_seal() -> int:
    """Seal the audit rows committed since the last round into hash-linked blocks."""
    return chain.seal()


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [("audit_seal", audit_seal)]
