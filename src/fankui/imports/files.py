"""Where the files of an import live: in the attachment store (``STORAGES["default"]``: the data folder's ``media/``,
or S3-compatible object storage that every machine reaches), so that a file uploaded on a web machine is read by a
worker on another, and the report a worker writes is downloaded from any web machine.

A chunk of rows is read from its byte offset, which an object store cannot seek to: each machine reads a local copy,
``FANKUI_DATA_DIR/cache/imports/<name>``, made once, whole beside its place and renamed into it (a local folder store
is read in place). A name in the store is written once (a random token, or a job's id), so a copy is never stale.

A job's ``path`` is a name in the store (``imports/…``), or the absolute path of a file named on the command line and
imported by that command, read where it is (``fankui import FILE --background`` keeps a copy in the store instead)."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

PREFIX = "imports"
CHUNK = 1024 * 1024


def storage() -> Storage:
    return storages["default"]


def stored(name: str) -> bool:
    """Whether ``name`` is a name in the store (not an absolute path of this machine)."""
    return bool(name) and not Path(name).is_absolute()


def new_name(kind: str, suffix: str) -> str:
    return f"{PREFIX}/{kind}{secrets.token_urlsafe(18)}.{suffix}"


def rows_name(job_id: int) -> str:
    """Where the rows of an xlsx import are kept as JSON lines while it runs."""
    return f"{PREFIX}/rows-{job_id}.jsonl"


def cache_dir() -> Path:
    folder = Path(settings.FANKUI_DATA_DIR) / "cache" / PREFIX
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch(suffix: str) -> Path:
    """A new file name in the local cache's folder, for what is written here before it is kept in the store (ending
    in ``suffix``: the xlsx reader opens only a name that ends in .xlsx)."""
    return cache_dir() / f".partial-{secrets.token_hex(8)}.{suffix}"


def _in_place(name: str) -> Path | None:
    """The file of ``name`` on this machine's disk when the store is a local folder, else None."""
    try:
        return Path(storage().path(name))
    except NotImplementedError:
        return None


def _copy_of(name: str) -> Path:
    return cache_dir() / Path(name).name


def keep(source: Path, name: str, *, move: bool) -> str:
    """Put the whole local file ``source`` in the store as ``name``, replacing what is there (a scan cut short and
    done again writes its rows again); returns the name. ``move``: ``source`` is a scratch file, which becomes this
    machine's copy (or is removed)."""
    store = storage()
    if store.exists(name):
        store.delete(name)
    with source.open("rb") as handle:
        saved = store.save(name, File(handle, name=Path(name).name))
    if move:
        if _in_place(saved) is None:
            source.replace(_copy_of(saved))
        else:
            source.unlink(missing_ok=True)
    return saved


def local(name: str) -> Path:
    """A file of this machine with the content of ``name``: the file itself (an absolute path, a local folder
    store), or the local copy, fetched from the store the first time."""
    if not stored(name):
        return Path(name)
    here = _in_place(name)
    if here is not None:
        return here
    copy = _copy_of(name)
    if not copy.is_file():
        partial = scratch("fetch")
        try:
            with storage().open(name, "rb") as source, partial.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            partial.replace(copy)
        finally:
            partial.unlink(missing_ok=True)
    return copy


def exists(name: str) -> bool:
    return storage().exists(name) if stored(name) else Path(name).is_file()


def open_for_reading(name: str) -> IO[bytes]:
    if stored(name):
        return storage().open(name, "rb")
    return Path(name).open("rb")


def forget(name: str) -> None:
    """Delete ``name`` from the store and this machine's copy (another machine's copy is removed with its cache)."""
    if not stored(name):
        return
    storage().delete(name)
    _copy_of(name).unlink(missing_ok=True)


def prune(wanted: set[str]) -> int:
    """Remove this machine's copies of files no unfinished job reads (``wanted``: their names), and what a process
    killed while writing left a day ago; returns how many."""
    keep_names = {Path(name).name for name in wanted if stored(name)}
    left_before = time.time() - 86400
    removed = 0
    for copy in cache_dir().iterdir():
        if not copy.is_file():
            continue
        if copy.name.startswith(".partial-") and copy.stat().st_mtime > left_before:
            continue  # being written now
        if copy.name not in keep_names:
            copy.unlink(missing_ok=True)
            removed += 1
    return removed
