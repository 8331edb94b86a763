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
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    call_command(
        "import", options["child"], processes=options["processes"], chunk_rows=options["chunk_rows"], verbosity=0
    )
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    from fankui.cases.models import Case

    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_kb / 1024,
        "base_mb": base_kb / 1024,
        "cases": Case.objects.count(),
    }


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have ended (the ``--processes`` helpers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _backend_cpu(database: str, seen: dict[int, float]) -> None:
    """Note the CPU seconds of every PostgreSQL backend serving ``database`` (its process title names it; the
    server is on this machine): the import's share of the database's work, apart from other users of the server."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if f" {database} ".encode() not in title.replace(b"\x00", b" "):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick


def measure(rows: int, processes: int = 2, chunk_rows: int = 200) -> dict[str, Any]:
    """Import a generated file of ``rows`` rows into a throwaway database; the figures as a dict."""
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True, stderr=subprocess.DEVNULL)
        path = Path(env["FANKUI_DATA_DIR"]) / "bench-import.csv"
        size = generate(path, rows)
        command = ["bench", "imports", "--child", str(path), "--processes", str(processes)]
        database = env.get("FANKUI_DATABASE_URL", "").rsplit("/", 1)[-1].split("?", 1)[0]
        backends: dict[int, float] = {}
        with subprocess.Popen(
            [*fankui, *command, "--chunk-rows", str(chunk_rows)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as child:
            while database and child.poll() is None:
                _backend_cpu(database, backends)
                time.sleep(0.2)
            output, _ = child.communicate()
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, child.args)
    done = json.loads(output.strip().splitlines()[-1])
    per_s = rows / done["seconds"]
    figures: dict[str, Any] = {
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
        # CPU per row, which the other users of a shared machine change much less than the rate: the import's
        # processes, and the database's backends serving it (PostgreSQL on this machine; sampled every 0.2 s).
        "import_cpu_ms_per_row": round(1000 * done["cpu_seconds"] / rows, 3),
        "import_db_cpu_ms_per_row": round(1000 * sum(backends.values()) / rows, 3) if backends else None,
    }
    if backends:
        # What the machine's cores would import if the import had them to itself (Python and database, no waits).
        cpu_ms = figures["import_cpu_ms_per_row"] + figures["import_db_cpu_ms_per_row"]
        figures["cpu_bound_rows_per_s"] = round((os.cpu_count() or 1) * 1000 / cpu_ms, 1)
        figures["cpu_bound_million_rows_minutes"] = round(1_000_000 / figures["cpu_bound_rows_per_s"] / 60, 1)
    return figures


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("child"):
        return _child(options)
    return measure(options["n"], options["processes"], options["chunk_rows"])
