"""`fankui serve`: the production web server (gunicorn) with the application's own static files (WhiteNoise)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    # Requests spend much of their time waiting on the database, so more processes than cores keep the CPUs busy
    # (measured with `fankui bench intake`); capped so that a big machine does not start dozens by default.
    return int(os.environ.get("FANKUI_WEB_WORKERS") or min((os.cpu_count() or 1) * 4, 16))


class Command(BaseCommand):
    help = "Serve Fankui with gunicorn (several worker processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("FANKUI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=default_workers(), help="worker processes")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("FANKUI_WEB_THREADS", "2")))
        parser.add_argument(
            "--worker-class",
            default=os.environ.get("FANKUI_WEB_WORKER_CLASS", "gthread"),
            choices=["gthread", "sync"],
            help="gthread keeps connections alive; sync is leaner per request behind a proxy",
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run one `fankui worker` (analysis, deadlines, messages) for as long as the server runs",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from fankui.wsgi import application

        config = {
            "bind": options["bind"],
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": options["worker_class"],
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
        }

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.stdout.write(f"Fankui on http://{options['bind']}/ ({options['workers']} workers); Ctrl-C stops it.")
        # One command for a laptop or a small intranet server; bigger sites run workers as their own services.
        worker = subprocess.Popen([sys.executable, "-m", "fankui", "worker"]) if options["with_worker"] else None
        try:
            Server().run()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
