"""`fankui worker`: runs the periodic sweeps. The database holds all pending work, so a worker can be killed and
restarted at any time, and several can run at once (each sweep re-checks every row under a lock)."""

from __future__ import annotations

import importlib
import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from fankui.core import services

log = logging.getLogger("fankui.worker")
# A round whose sweeps run this long (a retraining, a big backlog) stamps the heartbeat between them as well.
LONG_SWEEPS_BEAT_SECONDS = 30


def sweeps() -> list[tuple[str, Callable[[], int]]]:
    """Every app's periodic work: the ``SWEEPS`` list of ``(name, task)`` in its ``tasks.py``, in app order.
    Each task takes no arguments, is idempotent, and returns how many rows it handled."""
    found: list[tuple[str, Callable[[], int]]] = []
    for config in apps.get_app_configs():
        if config.name.startswith("fankui.") and module_has_submodule(config.module, "tasks"):
            module = importlib.import_module(f"{config.name}.tasks")
            found.extend(getattr(module, "SWEEPS", []))
    return found


class Command(BaseCommand):
    help = "Run background sweeps until stopped (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every sweep once and exit")
        parser.add_argument("--interval", type=float, default=settings.FANKUI_WORKER_POLL_SECONDS)

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if settings.FANKUI_WORKER_NICE and not options["once"] and hasattr(os, "nice"):
            # The sweeps can wait a little; people submitting on the same machine cannot (the database's own
            # processes keep their priority).
            os.nice(settings.FANKUI_WORKER_NICE)
        every = sweeps()
        name, started_at = services.worker_name(), timezone.now()
        log.info("worker %s started", name)
        while True:
            if not options["once"]:
                # A long-running process must drop connections that the server closed or that grew too old.
                close_old_connections()
            round_began = last_beat = self.beat(name, started_at)
            for sweep_name, sweep in every:
                if time.monotonic() - last_beat > LONG_SWEEPS_BEAT_SECONDS:
                    last_beat = self.beat(name, started_at)
                try:
                    handled = sweep()
                except Exception:  # one failing sweep must not stop the others; it is retried next round
                    log.exception("sweep %s failed", sweep_name)
                    continue
                if handled:
                    log.info("sweep %s handled %d", sweep_name, handled)
            if options["once"] or stopping:
                return
            # Rounds begin ``interval`` apart: a round that took longer (a backlog being analysed, a batch of messages)
            # is followed by the next at once. A pause after every round kept a busy worker idle (6% of its time under
            # the soak).
            deadline = round_began + options["interval"]
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            if stopping:
                return

    def beat(self, name: str, started_at: datetime) -> float:
        """Stamp the heartbeat at the start of a round (and between the sweeps of a long one); a round that hangs
        leaves it stale, which /readyz and the staff pages' header notice (core.health)."""
        try:
            services.beat(name, started_at)
        except DatabaseError:
            log.exception("the heartbeat could not be written")
        return time.monotonic()
