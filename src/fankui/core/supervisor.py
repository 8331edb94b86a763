"""The background worker of `fankui serve --with-worker`, kept running: reaped and started again when it dies.

A worker killed (out of memory, ``kill -9``, a crash in a C library) used to stay a zombie, and analysis, masking,
deadline warnings and messages stopped with nothing to show it. The database holds all pending work, so a new worker
simply carries on. A worker that keeps dying is started again less and less often (1 s, 2 s, 4 s ... up to a
minute), so that a crash loop does not spin; each restart is logged."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("fankui.supervisor")

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
# A worker that ran this long was healthy: the next restart is quick again.
HEALTHY_AFTER = 60.0


def how_it_ended(returncode: int) -> str:
    return f"was killed by signal {-returncode}" if returncode < 0 else f"exited with code {returncode}"


class WorkerSupervisor:
    """Runs ``command`` (by default ``python -m fankui worker``) in a thread of its own until :meth:`stop`."""

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self.command = list(command or [sys.executable, "-m", "fankui", "worker"])
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> bool:
        with self._lock:  # never start a worker after stop() has taken the current one down
            if self._stopping.is_set():
                return False
            self.process = subprocess.Popen(self.command)
            return True

    def _run(self) -> None:
        delay = FIRST_DELAY
        while True:
            process = self.process
            assert process is not None
            started = time.monotonic()
            returncode = process.wait()  # reaps it: no zombie
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= HEALTHY_AFTER:
                delay = FIRST_DELAY
            log.warning(
                "The background worker (pid %d) %s; starting a new one in %g s.",
                process.pid,
                how_it_ended(returncode),
                delay,
            )
            if self._stopping.wait(delay) or not self._spawn():
                return
            self.restarts += 1
            assert self.process is not None
            log.warning("Background worker restarted (pid %d, restart %d).", self.process.pid, self.restarts)
            delay = min(delay * 2, MAX_DELAY)

    def stop(self, timeout: float = 20) -> None:
        """Ask the worker to finish its sweep and stop (SIGTERM); kill it after ``timeout`` seconds."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=5)
