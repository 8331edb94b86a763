"""`fankui serve --with-worker` keeps its background worker running: after ``kill -9`` the dead worker is reaped (no
zombie), a new one is started, and work goes on (its heartbeat advances). One real server on a throwaway SQLite
database, on localhost."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # A real server and worker on the real clock.
    yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(what: str, found: Callable[[], Any], process: subprocess.Popen[bytes], seconds: float = 60) -> Any:
    """Poll ``found()`` until it returns something true; fail with the server's output when it never does."""
    deadline = time.monotonic() + seconds
    while True:
        value = found()
        if value:
            return value
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0].decode(errors="replace")
            pytest.fail(f"{what} did not happen:\n{output}")
        time.sleep(0.2)


def _heartbeats(database: Path) -> dict[int, int]:
    """pid -> rounds of every worker that stamped a heartbeat."""
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return dict(connection.execute("SELECT pid, rounds FROM core_workerheartbeat").fetchall())
    except sqlite3.OperationalError:
        return {}


def _state(pid: int) -> str:
    """The process is "gone" once its parent waited for it, a "zombie" while nobody did, else "running"."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return "gone"
    return "zombie" if "State:\tZ" in status else "running"


def _ready(base: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as response:
            return dict(json.load(response))
    except OSError:
        return None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "FANKUI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fankui.settings",
        "FANKUI_WORKER_POLL_SECONDS": "1",
    }
    env.pop("FANKUI_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
    port = _free_port()
    command = [
        *(sys.executable, "-m", "fankui", "serve", "--with-worker"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield f"http://127.0.0.1:{port}", tmp_path / "fankui.sqlite3", process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_killed_worker_is_reaped_and_started_again(server: tuple[str, Path, subprocess.Popen[bytes]]) -> None:
    base, database, process = server
    first = _wait_for("a first heartbeat", lambda: _heartbeats(database), process)
    (old_pid,) = first
    ready = _wait_for("/readyz answering", lambda: _ready(base), process)
    assert ready["checks"]["worker"]["ok"] is True

    os.kill(old_pid, signal.SIGKILL)

    def new_worker_at_work() -> int | None:
        beats = _heartbeats(database)
        return next((pid for pid, rounds in beats.items() if pid != old_pid and rounds >= 2), None)

    new_pid = _wait_for("a new worker's second round", new_worker_at_work, process)
    assert new_pid != old_pid
    assert _state(old_pid) == "gone"  # reaped, not left a zombie
    assert _state(new_pid) == "running"

    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0].decode(errors="replace")
    assert f"The background worker (pid {old_pid}) was killed by signal 9" in output
    assert f"Background worker restarted (pid {new_pid}, restart 1)" in output
    # The server stops its worker with it, and waits for it.
    assert _state(new_pid) == "gone"
