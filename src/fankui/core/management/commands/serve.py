"""`fankui serve`: the production web server (Granian) with the application's own static files (WhiteNoise).

Granian reads and writes HTTP in Rust, outside Python's interpreter lock, and hands each request to the WSGI
application in one of a few Python threads per process. Measured with `fankui bench intake` on two cores, the same
submissions cost the server processes about a fifth less CPU than under gunicorn's gthread workers (docs/decisions/
0002-serving-and-assets.md has the figures)."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.core.supervisor import WorkerSupervisor


def parse_bind(bind: str) -> tuple[str, int]:
    """``"127.0.0.1:8000"``, ``"0.0.0.0:80"``, ``"[::]:8000"``, ``"localhost:8000"`` -> (IP address, port). Granian
    takes addresses only, so a host name is resolved here."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--bind: expected ADDRESS:PORT, e.g. 127.0.0.1:8000, not {bind!r}")
    try:
        address = str(socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][4][0])
    except (OSError, UnicodeError) as exc:
        raise CommandError(f"--bind: cannot resolve {host!r}: {exc}") from None
    return address, int(port)


def ensure_free(address: str, port: int) -> None:
    """Refuse to start on a port something already listens on. Granian binds with port sharing, so a second server
    (a forgotten ``make run``, an older version) would otherwise quietly take half of the requests."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Connections of an earlier server still closing (TIME_WAIT) do not count; a listening socket does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as exc:
            raise CommandError(f"Cannot listen on {address}:{port}: {exc.strerror or exc}") from None


class Command(BaseCommand):
    help = "Serve Fankui with Granian (several worker processes, a few threads each)."
    # The checks ran at install; a server start should not touch the database before it forks its workers.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.FANKUI_BIND, help="ADDRESS:PORT")
        parser.add_argument("--workers", type=int, default=settings.FANKUI_WEB_WORKERS, help="worker processes")
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.FANKUI_WEB_THREADS,
            help="Python threads per process running requests (more when the database is far away)",
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run one `fankui worker` (analysis, deadlines, messages) for as long as the server runs, "
            "started again when it dies",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connections
        from granian import Granian
        from granian.constants import Interfaces

        address, port = parse_bind(options["bind"])
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        ensure_free(address, port)
        server = Granian(
            "fankui.wsgi:application",
            address=address,
            port=port,
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            # Granian retires idle threads; each takes its database connection with it, so keep them long.
            blocking_threads_idle_timeout=600,
            # A worker that dies (out of memory, a crash in a C library) is started again, as gunicorn did.
            respawn_failed_workers=True,
            # On SIGTERM/Ctrl-C requests in progress get this long to finish. It is also how long a stop can take
            # when a worker receives the signal itself as well as its parent's request (Ctrl-C in a terminal,
            # systemd's control-group stop): Granian then sometimes (about one stop in four here) waits this long
            # and kills that worker.
            workers_kill_timeout=10,
            log_access=options["access_log"],
            websockets=False,
        )
        # --bind is FANKUI_BIND for every process this command starts, so that links in messages point where the site
        # is served (core.site.public_url) unless FANKUI_PUBLIC_URL says otherwise: Granian's workers are forked
        # from this process (or spawned, on macOS: they read the environment), the background worker reads its
        # settings from the environment.
        settings.FANKUI_BIND = options["bind"]
        os.environ["FANKUI_BIND"] = options["bind"]
        from fankui.core.site import public_url

        self.stdout.write(
            f"Fankui on http://{options['bind']}/ ({options['workers']} workers × {options['threads']} threads); "
            "Ctrl-C stops it."
        )
        self.stdout.write(f"Links in messages: {public_url()}/")
        if address in ("0.0.0.0", "::") and not settings.FANKUI_PUBLIC_URL:
            self.stdout.write(
                "Served on every interface: set FANKUI_PUBLIC_URL to the address people open, for links in messages."
            )
        # The workers are forked from this process: none of them may inherit a database connection of it.
        connections.close_all()
        # One command for a laptop or a small intranet server; bigger sites run workers as their own services.
        # The worker is supervised: started again when it dies (core.supervisor).
        worker = WorkerSupervisor() if options["with_worker"] else None
        if worker is not None:
            worker.start()
        try:
            server.serve()
        finally:
            if worker is not None:
                worker.stop()
