"""SQLite writers wait for each other on a file lock (fankui.core.sqlite) and start as soon as the previous writer
commits or rolls back, instead of sleeping in SQLite's busy handler. Two real connections to a database file."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection

from fankui.core.sqlite.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # These tests wait on real time (the lock's timeout).
    yield


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker: Any) -> Iterator[None]:
    # Connections of their own to a file in tmp_path, not the test database.
    with django_db_blocker.unblock():
        yield


def _wrapper(path: Path, timeout: float = 20) -> DatabaseWrapper:
    settings = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout, "init_command": "PRAGMA journal_mode=WAL;"},
    }
    return DatabaseWrapper(settings, alias=f"lock-test-{id(settings)}")


def _begin(wrapper: DatabaseWrapper) -> None:
    # What the outermost transaction.atomic() does on this backend.
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(wrapper: DatabaseWrapper, how: str = "commit") -> None:
    getattr(wrapper, how)()
    wrapper.set_autocommit(True)


@pytest.fixture
def first(tmp_path: Path) -> Iterator[DatabaseWrapper]:
    wrapper = _wrapper(tmp_path / "db.sqlite3")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    yield wrapper
    wrapper.close()


def _writer_in_thread(path: Path, events: list[tuple[str, float]]) -> threading.Thread:
    """A second connection, in a thread of its own (as a server's threads have), that writes one row."""

    def run() -> None:
        wrapper = _wrapper(path)
        _begin(wrapper)
        events.append(("second began", time.monotonic()))
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        _end(wrapper)
        wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("how", ["commit", "rollback"])
def test_a_second_writer_waits_and_starts_right_after_the_first_ends(
    first: DatabaseWrapper, tmp_path: Path, how: str
) -> None:
    _begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    events: list[tuple[str, float]] = []
    thread = _writer_in_thread(tmp_path / "db.sqlite3", events)
    time.sleep(0.3)
    assert events == []  # still waiting
    ended = time.monotonic()
    _end(first, how)
    thread.join(10)
    assert [name for name, _ in events] == ["second began"]
    assert events[0][1] >= ended
    with first.cursor() as cursor:
        cursor.execute("SELECT x FROM t ORDER BY x")
        rows: list[Any] = cursor.fetchall()
    assert rows == ([(1,), (2,)] if how == "commit" else [(2,)])


def _lock_is_free(path: Path) -> bool:
    descriptor = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


@pytest.mark.parametrize("how", ["commit", "rollback", "close"])
def test_the_file_lock_is_held_from_begin_to_the_end_of_the_transaction(
    first: DatabaseWrapper, tmp_path: Path, how: str
) -> None:
    path = tmp_path / "db.sqlite3"
    assert _lock_is_free(path)
    _begin(first)
    assert not _lock_is_free(path)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    assert not _lock_is_free(path)
    if how == "close":
        first.close()
    else:
        _end(first, how)
    assert _lock_is_free(path)
    # Statements outside a transaction (autocommit) do not take it.
    with first.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
    assert _lock_is_free(path)


def test_closing_a_connection_in_a_transaction_lets_the_next_writer_in(first: DatabaseWrapper, tmp_path: Path) -> None:
    _begin(first)
    events: list[tuple[str, float]] = []
    thread = _writer_in_thread(tmp_path / "db.sqlite3", events)
    time.sleep(0.1)
    first.close()
    thread.join(10)
    assert [name for name, _ in events] == ["second began"]


def test_a_writer_that_cannot_get_the_lock_fails_like_sqlite_does(tmp_path: Path) -> None:
    first, second = _wrapper(tmp_path / "db.sqlite3"), _wrapper(tmp_path / "db.sqlite3", timeout=0.2)
    try:
        _begin(first)
        with pytest.raises(OperationalError, match="database is locked"):
            _begin(second)
        _end(first)
        _begin(second)  # free again
        _end(second)
    finally:
        first.close()
        second.close()


def test_an_in_memory_database_takes_no_file_lock() -> None:
    wrapper = _wrapper(Path(":memory:"))
    try:
        _begin(wrapper)
        assert wrapper._writer_fd is None
        _end(wrapper)
    finally:
        wrapper.close()


def test_a_write_outside_a_transaction_takes_the_lock_for_its_statement(
    first: DatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise it waits in SQLite's busy handler while transactions hand the lock to each other, and starves.
    taken: list[str] = []
    take, release = first._take_writer_lock, first._release_writer_lock
    monkeypatch.setattr(first, "_take_writer_lock", lambda: (taken.append("take"), take())[1])
    monkeypatch.setattr(first, "_release_writer_lock", lambda: (taken.append("release"), release())[1])
    with first.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert taken == []
        cursor.execute("INSERT INTO t VALUES (1)")
        assert taken == ["take", "release"]
        cursor.executemany("UPDATE t SET x = ?", [(2,), (3,)])
        assert taken == ["take", "release"] * 2
    assert not first._writer_locked


def test_without_a_usable_lock_file_the_database_still_works(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "db.sqlite3-writer.lock").mkdir()  # cannot be opened as a file
    wrapper = _wrapper(tmp_path / "db.sqlite3")
    try:
        _begin(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
            cursor.execute("INSERT INTO t VALUES (1)")
        _end(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
            cursor.execute("SELECT count(*) FROM t")
            assert cursor.fetchone()[0] == 2
    finally:
        wrapper.close()
    assert "writer lock" in caplog.text
