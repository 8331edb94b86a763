"""Settings of long-running processes (the worker) that are not Django settings."""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Take what is alive now out of the cyclic garbage collector's reach (``gc.freeze``), once a long-running
    process has loaded what it keeps for its whole life: models, the segmenters' dictionaries, caches.

    Full collections otherwise rescan those millions of objects every few seconds of work without ever freeing one
    (measured on the analysis pipeline: about 7 % of its CPU, `fankui bench analysis`). Frozen objects are still
    freed as usual when nothing refers to them any more (a replaced model); only reference cycles among them would
    stay, and models and dictionaries have none."""
    gc.collect()
    gc.freeze()
