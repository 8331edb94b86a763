"""`fankui bench NAME`: run a benchmark and print its figures as one JSON line at the end.

Each benchmark is a module ``fankui.bench.<name>`` with ``add_arguments(parser)`` and ``run(options) -> dict``;
the figures it returns are printed as one JSON line. Anything it writes to stderr (progress, error samples) is for
people; the last line of stdout is for tools.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

import fankui.bench


def benchmarks() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(fankui.bench.__path__)
        if not info.name.startswith("_") and hasattr(importlib.import_module(f"fankui.bench.{info.name}"), "run")
    )


class Command(BaseCommand):
    help = "Run a benchmark and print one JSON line of figures."

    def add_arguments(self, parser: CommandParser) -> None:
        names = benchmarks()
        sub = parser.add_subparsers(dest="name", required=True, metavar="{" + ",".join(names) + "}")
        for name in names:
            module = importlib.import_module(f"fankui.bench.{name}")
            command = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            if hasattr(module, "add_arguments"):
                module.add_arguments(command)

    def handle(self, *args: Any, **options: Any) -> None:
        module = importlib.import_module(f"fankui.bench.{options['name']}")
        result = module.run(options)
        for sample in result.pop("error_samples", []):
            self.stderr.write(f"error sample: {sample}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
