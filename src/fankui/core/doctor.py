"""`fankui doctor`: what is wrong with this installation, one line per check.

It says in words what /readyz answers in figures (the same functions of :mod:`core.health`: database, migrations,
worker heartbeat, and what higher apps registered there, such as the analysis backlog), what ``fankui check`` finds
(Django's system checks, run here too), and what neither looks at because a load balancer need not: the free space of
the data directory and of every folder a backup keeps, the mail and SMS settings and the outbox's backlog. Higher apps
add their own lines with :func:`register` in their ``AppConfig.ready()`` (notify: mail, SMS, outbox).

A check answers one :class:`Finding` or several. ``fail`` means the site is not doing its work (the command exits 1);
``warn`` means it works but something needs a look (``--strict`` makes that exit 1 too)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks as system_checks
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from . import folders, health

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Finding:
    name: str
    level: str
    text: str

    @property
    def ok(self) -> bool:
        return self.level == OK


Check = Callable[[], "Finding | Iterable[Finding]"]
_registered: list[tuple[str, Check, bool]] = []


def register(name: str, check: Check, *, needs_database: bool = True) -> None:
    """Add a check; one that ``needs_database`` is skipped (and says so) when the database cannot be reached."""
    if name not in {registered for registered, _check, _needs in _registered}:
        _registered.append((name, check, needs_database))


def database() -> Finding:
    try:
        health.database()
    except DatabaseError as exc:
        # The kind of failure only: its message may hold a host name or a user (the line may be pasted in a ticket).
        return Finding("database", FAIL, _("cannot be reached (%(error)s)") % {"error": type(exc).__name__})
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return Finding("database", OK, _("reachable (%(engine)s)") % {"engine": engine})


def migrations() -> Finding:
    ok, details = health.migrations()
    if ok:
        return Finding("migrations", OK, _("all applied"))
    return Finding(
        "migrations",
        FAIL,
        _("%(count)d not applied: run fankui migrate (docs/operations.md, Upgrades)") % {"count": details["unapplied"]},
    )


def worker() -> Finding:
    ok, details = health.worker()
    if details["last_beat_seconds_ago"] is None:
        return Finding("worker", FAIL, _("no worker has ever run: start fankui worker (or fankui serve --with-worker)"))
    values = {"seconds": details["last_beat_seconds_ago"], "limit": details["stale_after_seconds"]}
    if ok:
        return Finding("worker", OK, _("last heartbeat %(seconds)d s ago") % values)
    return Finding("worker", FAIL, _("last heartbeat %(seconds)d s ago, over %(limit)d s: is it running?") % values)


def pg_setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return str(cursor.fetchone()[0])


def statistics() -> Iterable[Finding]:
    """PostgreSQL's autovacuum, which keeps the query planner's statistics up with the tables. Without it the planner
    goes on believing the tables are as small as when they were last analysed, and plans the worker's reads of cases
    as scans of whole tables: a 10-minute soak's analysis fell further behind each minute (decision 0027)."""
    if connection.vendor != "postgresql":
        return []
    if pg_setting("autovacuum") == "on":
        return [Finding("database_statistics", OK, _("autovacuum is on: the planner's statistics follow the tables"))]
    text = _(
        "autovacuum is off: the planner's statistics go stale as cases arrive and the worker slows down as the "
        "tables grow; turn it on, or run vacuumdb --analyze-only every night (docs/operations.md)"
    )
    return [Finding("database_statistics", WARN, text)]


def readiness_checks() -> Iterable[Finding]:
    """What higher apps registered for /readyz, in words: each says its own figures."""
    own = {name for name, _check, _needs in _registered}
    for name, check in health.registered().items():
        if name in own:
            continue  # the app says it in words below
        try:
            ok, details = check()
        except DatabaseError as exc:
            ok, details = False, {"error": type(exc).__name__}
        figures = ", ".join(f"{key} {value}" for key, value in details.items())
        yield Finding(name, OK if ok else FAIL, figures or (_("fine") if ok else _("failing")))


def system() -> Finding:
    """Django's system checks, as ``fankui check`` (and ``--deploy`` where settings.DEBUG is off) runs them."""
    found = system_checks.run_checks(include_deployment_checks=not settings.DEBUG)
    found = [message for message in found if not message.is_silenced()]
    if not found:
        return Finding("system_checks", OK, _("fankui check finds nothing"))
    ids = ", ".join(sorted({message.id or "?" for message in found}))
    serious = any(message.level >= system_checks.ERROR for message in found)
    text = _("fankui check finds %(count)d: %(ids)s (run fankui check --deploy to read them)") % {
        "count": len(found),
        "ids": ids,
    }
    return Finding("system_checks", FAIL if serious else WARN, text)


def disk() -> Iterable[Finding]:
    """Free space where the product writes: the data directory and every folder a backup keeps. Below
    ``FANKUI_MIN_FREE_MB`` an upload, a trained model or the SQLite database's next page may fail to be written."""
    minimum = settings.FANKUI_MIN_FREE_MB
    paths = {
        "data_dir": Path(settings.FANKUI_DATA_DIR),
        **{name: path() for name, path in folders.registered().items()},
    }
    for name, path in paths.items():
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent  # a folder not made yet: the disk it will be made on
        try:
            usage = shutil.disk_usage(existing)
        except OSError as exc:
            yield Finding(f"disk:{name}", FAIL, _("%(path)s cannot be read (%(error)s)") % {"path": path, "error": exc})
            continue
        free_mb = usage.free // (1024 * 1024)
        values = {
            "path": path,
            "free": free_mb,
            "percent": round(100 * usage.free / max(usage.total, 1)),
            "min": minimum,
        }
        if not os.access(existing, os.W_OK):
            yield Finding(f"disk:{name}", FAIL, _("%(path)s is not writable by this user") % values)
        elif free_mb < minimum:
            yield Finding(f"disk:{name}", FAIL, _("%(path)s: %(free)d MB free, under %(min)d MB") % values)
        elif free_mb < 3 * minimum or usage.free < usage.total // 20:
            yield Finding(f"disk:{name}", WARN, _("%(path)s: %(free)d MB free (%(percent)d%%), running low") % values)
        else:
            yield Finding(f"disk:{name}", OK, _("%(path)s: %(free)d MB free (%(percent)d%%)") % values)


def run() -> list[Finding]:
    """Every check in order; without a database the checks that need one are not tried (they would only fail the
    same way) and say so."""
    findings = [database()]
    reachable = findings[0].ok
    planned: list[tuple[str, Check, bool]] = [
        ("migrations", migrations, True),
        ("worker", worker, True),
        ("database_statistics", statistics, True),
        ("readiness", readiness_checks, True),
        ("system_checks", system, False),
        ("disk", disk, False),
        *_registered,
    ]
    for name, check, needs_database in planned:
        if needs_database and not reachable:
            findings.append(Finding(name, FAIL, _("not checked: no database")))
            continue
        try:
            answer = check()
        except DatabaseError as exc:
            answer = Finding(name, FAIL, _("failed (%(error)s)") % {"error": type(exc).__name__})
        findings.extend([answer] if isinstance(answer, Finding) else answer)
    return findings
