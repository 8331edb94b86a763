"""`fankui bench NAME`: run a benchmark and print its figures as one JSON line at the end."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a benchmark (intake) and print one JSON line of figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["intake"])
        parser.add_argument("-n", type=int, default=5000, help="measured submissions")
        parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
        parser.add_argument("--workers", type=int, default=None, help="server processes (default 4 per core)")
        parser.add_argument("--threads", type=int, default=1, help="threads per server process")

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.bench import intake

        result = intake.run(
            n=options["n"],
            concurrency=options["concurrency"],
            workers=options["workers"],
            threads=options["threads"],
        )
        samples = result.pop("error_samples")
        for sample in samples:
            self.stderr.write(f"error sample: {sample}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
