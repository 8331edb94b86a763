"""`fankui backup` and `fankui restore`: the database (with the trained models), every data folder (the attachment store
with the files of imports: ``core.folders``) and the keys kept in the data directory, in one ``.tar.gz`` with a
manifest.

The archive holds ``database/<engine dump>``, ``folders/<name>/...``, ``keys/<name>`` and, last, ``manifest.json``:
format, when, the versions of Fankui, Django, Python and the database, the dump tool, every applied migration, the
folders kept, and each file's size and SHA-256. The database is dumped first and the folders read after, so every file
the dumped rows name is in the archive (a file deleted in between is only missing from the folder, as it should be).

A restore reads everything into a folder beside the data directory and checks it before it replaces anything: each
file against its checksum and nothing more nor less than the manifest lists, the engine, and that this code knows every
migration the backup had applied (a backup of a newer version is refused; an older one is restored and then waits for
``fankui migrate``). docs/operations.md, "Backup and restore"."""

from __future__ import annotations

import hashlib
import io
import json
import platform
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO
from zlib import error as zlib_error  # a gzip stream cut short raises it through tarfile

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dbdump, folders
from .dbdump import Refused

FORMAT = 1
MANIFEST = "manifest.json"
# Kept by settings.py in the data directory when no FANKUI_* variable gives them: without the encryption key the
# restored contact details cannot be read, without the lookup key no case is found by phone number.
KEY_FILES = ("secret_key", "encryption_key", "lookup_key")
DUMP_NAMES = {"sqlite": "database/fankui.sqlite3", "postgresql": "database/fankui.pgdump"}
CHUNK = 1024 * 1024

__all__ = ["Refused", "Summary", "create", "inspect", "restore"]


@dataclass(frozen=True)
class Summary:
    path: Path
    manifest: dict[str, Any]

    @property
    def files(self) -> int:
        return len(self.manifest["files"])

    @property
    def size(self) -> int:
        return sum(entry["size"] for entry in self.manifest["files"])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _version() -> str:
    try:
        return metadata.version("fankui")
    except metadata.PackageNotFoundError:
        return "unknown"


def _walk(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` in a stable order; symbolic links are not followed (nothing outside is taken)."""
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


class _Writer:
    """Adds files to the archive and records each in the manifest, hashing while it copies (each file read once)."""

    def __init__(self, archive: tarfile.TarFile) -> None:
        self.archive = archive
        self.files: list[dict[str, Any]] = []

    def add(self, source: Path, name: str) -> None:
        info = self.archive.gettarinfo(str(source), arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        with source.open("rb") as file:
            hashing = _Hashing(file)
            self.archive.addfile(info, hashing)
        self.files.append({"path": name, "size": info.size, "sha256": hashing.digest.hexdigest()})


class _Hashing(io.RawIOBase):
    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def create(target: Path, *, keys: bool = True) -> Summary:
    """Write a backup of this site to ``target`` (a new file; written beside it and renamed, so a backup that fails
    half-way leaves no file that looks whole)."""
    if target.exists():
        raise Refused(_("%(path)s exists already: give a new file name") % {"path": target})
    if not target.parent.is_dir():
        raise Refused(_("cannot write %(path)s: its folder does not exist") % {"path": target})
    kind = dbdump.engine()
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="fankui-backup-", dir=target.parent) as work:
        dumped = Path(work) / "database"
        dbdump.dump(dumped)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "fankui": _version(),
            "django": django.get_version(),
            "python": platform.python_version(),
            "engine": kind,
            "database_version": dbdump.server_version(),
            "dump_tool": dbdump.tool_version(),
            "migrations": applied_migrations(),
            "folders": sorted(folders.registered()),
            "keys": [],
        }
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                writer = _Writer(archive)
                writer.add(dumped, DUMP_NAMES[kind])
                dumped.unlink()
                for name, where in sorted(folders.registered().items()):
                    root = where()
                    for path in _walk(root):
                        writer.add(path, f"folders/{name}/{path.relative_to(root).as_posix()}")
                if keys:
                    for key in KEY_FILES:
                        path = Path(settings.FANKUI_DATA_DIR) / key
                        if path.is_file():
                            writer.add(path, f"keys/{key}")
                            manifest["keys"].append(key)
                manifest["files"] = writer.files
                body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(timezone.now().timestamp()), 0o644
                archive.addfile(info, io.BytesIO(body))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.rename(target)
    target.chmod(0o600)  # the keys and everyone's contact details are in it
    return Summary(target, manifest)


def _extract(source: Path, into: Path) -> dict[str, Any]:
    """Unpack ``source`` into ``into`` and return its manifest, refusing anything that is not a whole backup."""
    try:
        with tarfile.open(source, "r:*") as archive:
            archive.extractall(into, filter="data")  # no absolute paths, no "..", no links out, no devices
    except (tarfile.TarError, EOFError, OSError, zlib_error) as exc:
        raise Refused(
            _("%(path)s is not a whole Fankui backup: it cannot be unpacked (%(error)s)")
            % {"path": source, "error": exc}
        ) from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        raise Refused(_("%(path)s has no readable manifest: it is not a Fankui backup") % {"path": source}) from None
    if manifest.get("format") != FORMAT:
        raise Refused(
            _("%(path)s is a backup of format %(format)s, which this version cannot read")
            % {"path": source, "format": manifest.get("format")}
        )
    present = {path.relative_to(into).as_posix() for path in _walk(into)} - {MANIFEST}
    for missing in sorted(set(listed) - present):
        raise Refused(_("the backup is damaged: %(file)s is missing") % {"file": missing})
    for extra in sorted(present - set(listed)):
        raise Refused(_("the backup is damaged: %(file)s is not in its manifest") % {"file": extra})
    for name, entry in sorted(listed.items()):
        path = into / name
        if path.stat().st_size != entry["size"] or sha256(path) != entry["sha256"]:
            raise Refused(_("the backup is damaged: %(file)s does not match its SHA-256 checksum") % {"file": name})
    return manifest


def _check_fits(manifest: dict[str, Any]) -> None:
    """The backup's engine is this site's, and this code knows every migration it had applied."""
    here = dbdump.engine()
    if manifest.get("engine") != here:
        raise Refused(
            _(
                "this backup is of a %(theirs)s database and this site uses %(ours)s: restore it on a site of the "
                "same engine (moving between engines is dumpdata/loaddata, docs/operations.md)"
            )
            % {"theirs": manifest.get("engine"), "ours": here}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}" for app, names in manifest.get("migrations", {}).items() for name in names
        if (app, name) not in known
    )  # fmt: skip
    if unknown:
        raise Refused(
            _(
                "this backup was made by a newer version (Fankui %(version)s) with migrations this code does not "
                "have (%(migrations)s): install that version or a later one, then restore"
            )
            % {"version": manifest.get("fankui"), "migrations": ", ".join(unknown[:5]) + (" …" if unknown[5:] else "")}
        )


def inspect(source: Path) -> Summary:
    """Check a backup without restoring it: unpacked in a temporary folder, every checksum, engine, migrations."""
    with tempfile.TemporaryDirectory(prefix="fankui-verify-", dir=settings.FANKUI_DATA_DIR) as work:
        manifest = _extract(source, Path(work))
        _check_fits(manifest)
    return Summary(source, manifest)


def _replace_folder(unpacked: Path, target: Path) -> None:
    """Put ``unpacked`` in place of ``target``; the old folder is kept as ``<target>.before-restore`` until the next
    restore, in case the restore was of the wrong file."""
    kept = target.with_name(f"{target.name}.before-restore")
    shutil.rmtree(kept, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(kept)
    if unpacked.is_dir():
        shutil.move(str(unpacked), str(target))
    else:
        target.mkdir()


def restore(source: Path) -> Summary:
    """Replace this site's database, data folders and kept keys with the backup at ``source``, after checking it
    whole. The server and the workers must be stopped (docs/operations.md)."""
    data_dir = Path(settings.FANKUI_DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="fankui-restore-", dir=data_dir) as work:
        unpacked = Path(work) / "backup"
        manifest = _extract(source, unpacked)
        _check_fits(manifest)
        dump = unpacked / DUMP_NAMES[manifest["engine"]]
        dbdump.check_readable(dump)
        dbdump.load(dump, Path(work))
        for name, where in folders.registered().items():
            if name in manifest["folders"]:
                _replace_folder(unpacked / "folders" / name, where())
        for key in manifest["keys"]:
            target = data_dir / key
            shutil.copyfile(unpacked / "keys" / key, target)
            target.chmod(0o600)
    return Summary(source, manifest)


def unapplied() -> int:
    """Migrations this code has and the restored database has not: `fankui migrate` applies them."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
