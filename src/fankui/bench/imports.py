"""`fankui bench imports`: a generated file of history rows imported with `fankui import` into a throwaway database.

The file repeats the real messages and official replies (../shared/data/gov_messages_replies.csv; built-in texts
without it) with fresh identifiers and times, so every row is a new case with its reply, as when a centre brings over
its old system's years. The import runs in a child process (``--processes`` of them share the file), timed from the
start of the command to its report; its peak memory is the child's maximum resident set (``getrusage``), which
should stay flat as the file grows (a chunk of rows in memory, never the file).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fankui.core.datasets import shared_data_dir
from fankui.nlp.cells import neutralise_row

from .intake import bench_database, sample_texts

HEADER = ["id", "user", "title", "time", "body", "reply", "reply_time"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=10_000, help="rows in the generated file")
    parser.add_argument("--processes", type=int, default=2, help="processes importing the file at once")
    parser.add_argument("--chunk-rows", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)


def texts() -> list[tuple[str, str, str]]:
    folder = shared_data_dir()
    path = folder / "gov_messages_replies.csv" if folder is not None else None
    if path is not None and path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [(r["title"], r["body"], r["reply"]) for r in csv.DictReader(handle) if r["body"] and r["reply"]]
        if rows:
            return rows
    return [
        (title, body, "您好，您反映的问题已转交属地街道处理，现已整改完毕。感谢您的监督。")
        for title, body in sample_texts()
    ]


def generate(path: Path, rows: int) -> int:
    """Write ``rows`` history rows; returns the file's size in bytes."""
    pool = texts()
    start = datetime(2019, 1, 2, 8, 0)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, (title, body, reply) in zip(range(rows), itertools.cycle(pool), strict=False):
            received = start + timedelta(minutes=3 * n)
            replied = received + timedelta(days=3, hours=n % 48)
            # Like every file the product writes, through the one helper (a text may start with "=").
            received_text, replied_text = f"{received:%Y/%-m/%-d %-H:%M:%S}", f"{replied:%Y/%m/%d %H:%M:%S}"
            writer.writerow(neutralise_row([n + 1, f"U{n:07d}", title, received_text, body, reply, replied_text]))
    return path.stat().st_size


def _child(options: dict[str, Any]) -> dict[str, Any]:
    """In the child: run `fankui import` and report its time and peak memory (its own and its forked helpers')."""
    from django.core.management import call_command

    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    call_command(
        "import", options["child"], processes=options["processes"], chunk_rows=options["chunk_rows"], verbosity=0
    )
    seconds = time.perf_counter() - started
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    from fankui.cases.models import Case

    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "base_mb": base_kb / 1024, "cases": Case.objects.count()}


def measure(rows: int, processes: int = 2, chunk_rows: int = 200) -> dict[str, Any]:
    """Import a generated file of ``rows`` rows into a throwaway database; the figures as a dict."""
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True, stderr=subprocess.DEVNULL)
        path = Path(env["FANKUI_DATA_DIR"]) / "bench-import.csv"
        size = generate(path, rows)
        command = ["bench", "imports", "--child", str(path), "--processes", str(processes)]
        child = subprocess.run(
            [*fankui, *command, "--chunk-rows", str(chunk_rows)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    done = json.loads(child.stdout.strip().splitlines()[-1])
    per_s = rows / done["seconds"]
    return {
        "bench": "imports",
        "engine": engine,
        "rows": rows,
        "file_mb": round(size / 1024 / 1024, 1),
        "processes": processes,
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "cases": done["cases"],
        "import_rows_per_s": round(per_s, 1),
        "import_peak_mb": round(done["peak_mb"], 1),
        # The process before it read the file (Django and the app loaded): the import's own share is the difference.
        "import_base_mb": round(done["base_mb"], 1),
        "import_seconds": round(done["seconds"], 1),
        "million_rows_minutes": round(1_000_000 / per_s / 60, 1),
    }


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("child"):
        return _child(options)
    return measure(options["n"], options["processes"], options["chunk_rows"])
