"""Settings of long-running processes (the worker) that are not Django settings."""

from __future__ import annotations

import gc

# Container objects allocated between two collections of the youngest generation (CPython's default is 700).
YOUNG_THRESHOLD = 20_000


def tune_garbage_collection() -> None:
    """Tune the cyclic garbage collector once a long-running process has loaded what it keeps for its whole life
    (models, the segmenters' dictionaries, caches).

    - What is alive now is taken out of the collector's reach (``gc.freeze``): full collections otherwise rescan
      those millions of objects every few seconds of work without ever freeing one. Frozen objects are still freed
      as usual when nothing refers to them any more (a replaced model); only reference cycles among them would stay,
      and models and dictionaries have none.
    - The youngest generation is collected after 20,000 new container objects instead of 700: the pipeline makes
      and drops that many in a fraction of a batch, nearly none of them in cycles, so most collections found
      nothing to free. Cyclic garbage lives a little longer (a few megabytes at most).

    Measured with `fankui bench analysis -n 1000 --skip-topics` (pipeline cases per CPU second, one core, quiet
    machine): 890-920 without either, 966-1,003 frozen, 1,015-1,034 frozen with the higher threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
