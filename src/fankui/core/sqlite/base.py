"""SQLite with writers queued by the kernel instead of SQLite's busy handler.

Every transaction takes SQLite's write lock at BEGIN (``transaction_mode = IMMEDIATE``). When another connection
holds it, SQLite's busy handler sleeps and retries, on a fixed schedule that reaches 50 and 100 ms per sleep: a
writer may sleep for tens of milliseconds after the lock was freed. Here each connection first takes an exclusive
``flock`` on a file beside the database, polled with short sleeps (0.2 ms growing to 2 ms), so the next writer starts
within about a millisecond of the previous commit. SQLite's own locking stays as it was: a writer outside these
transactions (or another program) still waits in the busy handler, and nothing depends on the file lock for
correctness. After ``timeout`` seconds without the lock the transaction fails as SQLite's would ("database is
locked")."""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or name.startswith("file:") or self.is_in_memory_db():
            return None
        return f"{name}-writer.lock"

    def _take_writer_lock(self) -> None:
        path = self._lock_path()
        if path is None:
            return
        if self._writer_fd is None:
            # One open file per connection: flock is held per open file, so threads of a process queue too.
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
                continue
            self._writer_locked = True
            return

    def _release_writer_lock(self) -> None:
        if self._writer_locked and self._writer_fd is not None:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._release_writer_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._release_writer_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
