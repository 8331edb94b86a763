"""`fankui bench channels`: every channel into the one intake, in one run (issue 15's figures).

It runs, one after the other, each channel's own benchmark and puts their figures on one line:
1. Open311 POSTs against the real multi-process server, in rounds alternating with `POST /api/v1/submissions` as
   `fankui bench intake` sends it, on the same server and database (``fankui.bench.open311``): ``open311_post_per_s``,
   ``submissions_per_s`` and their ratio ``open311_vs_intake`` (the issue's floor is 0.8).
2. E-mails delivered to the inbound SMTP listener and turned into cases (``fankui.bench.mail``):
   ``email_cases_per_s``.
3. A generated file of history rows through `fankui import` (``fankui.bench.imports``): ``import_rows_per_s``,
   ``import_peak_mb`` (the importing process's peak resident memory) and what a million rows would take.
4. The operator's suggestions while typing, through the staff endpoint on a demo database (``fankui.bench.suggest``):
   ``operator_suggest_p50_ms``, ``operator_suggest_p99_ms`` (the issue's target: p99 under 150 ms).

Each part makes its own throwaway database on the engine ``FANKUI_DATABASE_URL`` names (SQLite otherwise), as its
own command does; ``--skip`` leaves parts out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from fankui.bench import imports, mail, open311, suggest

PARTS = ("open311", "email", "import", "suggest")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--open311", type=int, default=2000, help="measured Open311 POSTs (and as many API ones)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating Open311/API rounds")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent HTTP clients for Open311 and API")
    parser.add_argument("--email", type=int, default=1000, help="e-mails sent to the SMTP listener")
    parser.add_argument("--import-rows", type=int, default=20_000, help="rows in the generated import file")
    parser.add_argument("--import-processes", type=int, default=2, help="processes importing at once")
    parser.add_argument("--suggest", type=int, default=500, help="suggestions asked for")
    parser.add_argument("--skip", action="append", choices=PARTS, default=[], help="leave a part out (repeatable)")


def run(options: dict[str, Any]) -> dict[str, Any]:
    parts: dict[str, Callable[[], dict[str, Any]]] = {
        "open311": lambda: open311.measure(
            n=options["open311"], rounds=options["rounds"], concurrency=options["concurrency"]
        ),
        "email": lambda: mail.measure(options["email"]),
        "import": lambda: imports.measure(options["import_rows"], options["import_processes"]),
        "suggest": lambda: suggest.measure(options["suggest"]),
    }
    result: dict[str, Any] = {"bench": "channels", "cores": os.cpu_count() or 1}
    for name, measure in parts.items():
        if name in options["skip"]:
            continue
        started = time.perf_counter()
        print(f"bench channels: {name}…", file=sys.stderr, flush=True)
        figures = measure()
        figures.pop("bench", None)
        result["engine"] = figures.pop("engine", result.get("engine"))
        for key in ("cores", "n", "rounds", "concurrency", "workers", "threads", "rows", "processes"):
            if key in figures:
                figures[f"{name}_{key}"] = figures.pop(key)
        result.update(figures)
        result[f"{name}_bench_s"] = round(time.perf_counter() - started, 1)
    return result
