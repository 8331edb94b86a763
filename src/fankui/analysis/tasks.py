"""Background work of the analysis app (collected by ``fankui worker``). Idempotent; safe on many workers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from . import pipeline, services

log = logging.getLogger("fankui.analysis")
# Seconds of analysis per worker round at most. Under steady intake a backlog never empties, and a sweep that ran
# until it did held up every other sweep: the fault tests (tests/faults) saw receipts wait minutes behind it.
ROUND_SECONDS = 20.0


def analyse_pending() -> int:
    """Analyse the pending cases, oldest first, for at most ``ROUND_SECONDS`` (the next round goes on)."""
    return pipeline.analyse_pending(budget=ROUND_SECONDS)


def finish_follow_ups() -> int:
    """The emergency flags, dispatches, duplicates and topics that a worker killed after an analysis committed left
    due (``pipeline.follow_up_stale``); each done once, in the transaction that marks it done."""
    return pipeline.follow_up_stale()


def retrain_models() -> int:
    """Retrain category and routing from the organisation's cases every RETRAIN_DAYS; returns models replaced."""
    if not services.retrain_due():
        return 0
    replaced = 0
    for name in services.TRAINED:
        result = services.retrain(name)
        log.info(result.message)
        replaced += result.replaced
    services.mark_retrained()
    if replaced and services.requeue_unrouted():
        # At once, so that `fankui worker --once` leaves no case pending.
        pipeline.analyse_pending()
    return replaced


SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("analyse_pending", analyse_pending),
    ("finish_follow_ups", finish_follow_ups),
    ("retrain_models", retrain_models),
]
