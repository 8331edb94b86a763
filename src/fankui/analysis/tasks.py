"""Background work of the analysis app, collected by ``fankui worker`` (see core/management/commands/worker.py)."""

from __future__ import annotations

from collections.abc import Callable

from .tasks_topics import refresh_topics

SWEEPS: list[tuple[str, Callable[[], int]]] = []
SWEEPS.append(("analysis.refresh_topics", refresh_topics))
