"""The database half of `fankui backup` and `fankui restore`, one pair of functions per engine.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot page by page while the site
keeps running, WAL and all; restoring copies the pages back the same way. PostgreSQL: ``pg_dump`` in its custom format
(compressed, one consistent snapshot), and for restoring ``pg_restore`` writes the SQL that ``psql`` runs in ONE
transaction after dropping the tables that are there, so a restore that fails half-way leaves the database as it was.
The client programs are PostgreSQL's own, of the server's major version where installed (Debian keeps each under
/usr/lib/postgresql/<major>/bin), or FANKUI_PG_BIN_DIR."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _


class Refused(Exception):
    """A backup or restore that cannot be done, with the reason in the reader's language."""


def engine() -> str:
    """``sqlite`` or ``postgresql``: what a backup records and a restore must match."""
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def server_version() -> str:
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    connection.ensure_connection()
    number = connection.pg_version  # type: ignore[attr-defined]
    return f"{number // 10000}.{number % 10000}"


def pg_program(name: str) -> Path:
    """``pg_dump``, ``pg_restore`` or ``psql`` of the server's major version, or the nearest newer one (a newer
    pg_dump reads an older server; an older one refuses a newer server)."""
    if settings.FANKUI_PG_BIN_DIR:
        candidates = [Path(settings.FANKUI_PG_BIN_DIR) / name]
    else:
        connection.ensure_connection()
        major = connection.pg_version // 10000  # type: ignore[attr-defined]
        installed = sorted(
            (int(folder.name), folder / "bin" / name)
            for folder in Path("/usr/lib/postgresql").glob("*")
            if folder.name.isdigit() and int(folder.name) >= major
        )
        candidates = [path for _major, path in installed]
        found = shutil.which(name)
        if found:
            candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise Refused(
        _(
            "%(program)s of PostgreSQL %(version)s or newer is not installed: install the PostgreSQL client "
            "(apt-get install postgresql-client) or set FANKUI_PG_BIN_DIR"
        )
        % {"program": name, "version": server_version()}
    )


def _pg_env() -> dict[str, str]:
    """The connection as libpq's variables: nothing (a password above all) on a command line that ps shows."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, value in {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }.items():
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str | Path], what: str) -> str:
    result = subprocess.run([str(part) for part in command], env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        # The program's own words: they name the object or the version that is wrong.
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise Refused(_("%(what)s failed: %(message)s") % {"what": what, "message": last})
    return result.stdout


def tool_version() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite3 {sqlite3.sqlite_version} (online backup API)"
    return _run([pg_program("pg_dump"), "--version"], "pg_dump --version").strip()


def dump(target: Path) -> None:
    """Write a consistent snapshot of the database to ``target``."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return
    _run(
        [pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        "pg_dump",
    )


def check_readable(source: Path) -> None:
    """Refuse a database file that the restore could not read, before anything is replaced."""
    if connection.vendor == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
                answer = db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise Refused(_("the database in the backup cannot be read: %(error)s") % {"error": exc}) from None
        if answer != ("ok",):
            raise Refused(
                _("the database in the backup is damaged: %(error)s") % {"error": answer[0] if answer else "?"}
            )
        return
    _run([pg_program("pg_restore"), "--list", source], "reading the dump (pg_restore --list)")


def load(source: Path, work: Path) -> None:
    """Replace this database's contents with the snapshot at ``source`` (``work``: a folder for temporary files)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
        connection.close()
        return
    tables = connection.introspection.table_names()
    connection.close()  # psql must be the only one writing; Django reconnects on its next query
    drops = work / "drop.sql"
    quoted = (connection.ops.quote_name(table) for table in tables)
    drops.write_text("".join(f"DROP TABLE IF EXISTS {table} CASCADE;\n" for table in quoted))
    script = work / "restore.sql"
    _run(
        [
            pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            source,
        ],
        "pg_restore",
    )
    _run(
        [pg_program("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
         "-f", drops, "-f", script],
        "psql (restoring the dump)",
    )  # fmt: skip
