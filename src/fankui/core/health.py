"""Is this site able to do its work? The checks behind /readyz and the staff header's worker warning.

Each check answers ``(ok, details)``; details are figures and ages only, never personal data (the endpoints need no
login). Higher apps add their own with :func:`register` in their ``AppConfig.ready()`` (analysis: its backlog)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat

Result = tuple[bool, dict[str, Any]]
Check = Callable[[], Result]

_registered: dict[str, Check] = {}
# Applied migrations stay applied: once the plan was empty, this process does not load the migration files again.
_migrated = False


def register(name: str, check: Check) -> None:
    _registered[name] = check


def registered() -> dict[str, Check]:
    """The checks higher apps added (`fankui doctor` says them in words)."""
    return dict(_registered)


def database() -> Result:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, {}


def migrations() -> Result:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return False, {"unapplied": len(pending)}
        _migrated = True
    return True, {}


def last_heartbeat() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def worker_is_stale() -> bool:
    """No worker stamped its heartbeat within ``FANKUI_WORKER_STALE_SECONDS`` (or none ever did)."""
    beat_at = last_heartbeat()
    return beat_at is None or (timezone.now() - beat_at).total_seconds() > settings.FANKUI_WORKER_STALE_SECONDS


def worker() -> Result:
    beat_at = last_heartbeat()
    if beat_at is None:
        return False, {"last_beat_seconds_ago": None, "stale_after_seconds": settings.FANKUI_WORKER_STALE_SECONDS}
    age = max(0, round((timezone.now() - beat_at).total_seconds()))
    details = {"last_beat_seconds_ago": age, "stale_after_seconds": settings.FANKUI_WORKER_STALE_SECONDS}
    return age <= settings.FANKUI_WORKER_STALE_SECONDS, details


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Every check by name: ``{"database": {"ok": true}, "worker": {"ok": false, ...}, ...}``. Without a database
    the others are not tried (they would only fail the same way)."""
    checks: dict[str, Check] = {"database": database, "migrations": migrations, "worker": worker, **_registered}
    results: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        if name != "database" and not results["database"]["ok"]:
            results[name] = {"ok": False, "skipped": "database"}
            continue
        try:
            ok, details = check()
        except DatabaseError as exc:
            # The kind of failure only: a message may hold a host name or a user.
            ok, details = False, {"error": type(exc).__name__}
        results[name] = {"ok": ok, **details}
    return all(result["ok"] for result in results.values()), results
