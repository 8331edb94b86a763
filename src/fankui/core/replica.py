"""Reads that may come from a PostgreSQL streaming replica (FANKUI_REPLICA_DATABASE_URL, docs/deploy/README.md).

Only code that asks for it reads from the replica: ``with replica_reads(): ...`` (the dashboard's and the reports'
figures, insights.queries.build). Everything else, and every write, stays on the primary: a case just changed must
show as changed, and a replica is a little behind. Without a replica, or when it cannot be reached, the reads go to
the primary as before (the fall-back is logged).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, connections

log = logging.getLogger("fankui.replica")

REPLICA = "replica"
_reading: ContextVar[str | None] = ContextVar("fankui_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[str]:
    """Within the block, reads of the ORM go to the replica when one is configured and answers; yields the alias
    they go to ("replica" or "default")."""
    alias = "default"
    if replica_configured():
        try:
            connections[REPLICA].ensure_connection()
            alias = REPLICA
        except DatabaseError:
            log.warning("The replica (FANKUI_REPLICA_DATABASE_URL) cannot be reached: reading from the primary.")
    token = _reading.set(alias)
    try:
        yield alias
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Django's database router: reads inside ``replica_reads()`` to the replica, all else to "default"."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reading.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read there is the same row.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A replica is read-only; it receives the schema from the primary.
        return db != REPLICA
