"""Background work of the imports app: the worker runs queued imports, a bounded time each round, so a long import
never holds up the other sweeps and several workers share one (each claims its own chunks)."""

from __future__ import annotations

from collections.abc import Callable

from . import files, services

# Seconds of import work per worker round; the worker's heartbeat and the other sweeps come between rounds.
ROUND_SECONDS = 20.0


def run_imports() -> int:
    """Scan queued imports, work chunks of running ones, finish those whose chunks are all done; then drop this
    machine's copies of files no unfinished import reads any more (``files``)."""
    handled = 0
    jobs = services.pending_jobs()
    for job in jobs:
        handled += services.run(job, budget=ROUND_SECONDS)
    files.prune({name for job in services.pending_jobs() for name in (job.path, files.rows_name(job.pk))})
    return handled


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [("imports_run", run_imports)]
