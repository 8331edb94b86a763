"""SQLite with writers queued by the kernel instead of SQLite's busy handler.

Every transaction takes SQLite's write lock at BEGIN (``transaction_mode = IMMEDIATE``). When another connection
holds it, SQLite's busy handler sleeps and retries, on a fixed schedule that reaches 50 and 100 ms per sleep: a
writer may sleep for tens of milliseconds after the lock was freed. Here each connection first takes an exclusive
``flock`` on a file beside the database, polled with short sleeps (0.2 ms growing to 2 ms), so the next writer starts
within a couple of milliseconds of the previous commit. A writing statement outside a transaction (autocommit) takes
the same lock for its duration, so it is not starved by transactions handing the lock to each other.

SQLite's own locking stays as it was: another program still waits in the busy handler, and nothing depends on the
file lock for correctness. If the lock file cannot be opened (created by another user with other permissions),
the connection goes on without it. After ``timeout`` seconds without the lock the transaction fails as SQLite's
would ("database is locked")."""

from __future__ import annotations

import fcntl
import logging
import os
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

log = logging.getLogger("fankui.db")

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class LockingCursor(base.SQLiteCursorWrapper):
    """Takes the writer lock around a writing statement run outside a transaction."""

    wrapper: DatabaseWrapper

    def _guard(self, query: str) -> AbstractContextManager[None]:
        if self.wrapper.get_autocommit() and query.lstrip()[:6].upper() in _WRITES:
            return self.wrapper.writer_lock()
        return nullcontext()

    def execute(self, query: str, params: Any = None) -> Any:
        with self._guard(query):
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        with self._guard(query):
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False
    _writer_unavailable = False

    def create_cursor(self, name: Any = None) -> Any:
        cursor = self.connection.cursor(factory=LockingCursor)
        cursor.wrapper = self
        return cursor

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        self._take_writer_lock()
        try:
            yield
        finally:
            self._release_writer_lock()

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or name.startswith("file:") or self.is_in_memory_db():
            return None
        return f"{name}-writer.lock"

    def _open_lock(self) -> int | None:
        if self._writer_fd is None and not self._writer_unavailable:
            path = self._lock_path()
            if path is None:
                self._writer_unavailable = True
                return None
            try:
                # Read-only is enough for flock, and a file created by another user (root running a command once)
                # stays usable by the service's user.
                self._writer_fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
            except OSError as exc:
                log.warning("SQLite writer lock %s unavailable (%s): writers wait in SQLite's busy handler", path, exc)
                self._writer_unavailable = True
                return None
            # One open file per connection (flock is held per open file, so threads of a process queue too),
            # closed with the connection, or when a thread that ended without closing it lets it go.
            weakref.finalize(self, os.close, self._writer_fd)
        return self._writer_fd

    def _take_writer_lock(self) -> None:
        if self._writer_locked:
            return
        descriptor = self._open_lock()
        if descriptor is None:
            return
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        pause = 0.0002
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
