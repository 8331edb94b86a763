"""`fankui bench soak`: a steady rate of submissions with 10-second bursts above it, for minutes, through the real
server and its worker analysing as it goes.

It reuses `fankui bench intake`'s machinery (a throwaway database on the server FANKUI_DATABASE_URL names, or a
temporary SQLite file; `fankui serve`, here ``--with-worker``; the sample texts; the load client's POST). Unlike
`bench intake`, the load is open-loop: each request is sent when it is due, whether or not earlier ones have been
answered, and timed from when it was due, so a server that falls behind shows in the latencies instead of slowing
the client down. Every minute has one burst (seconds 30-40 by default).

Afterwards every acknowledged tracking code is looked up in the database (one not there is lost), the worker is
given time to analyse what is left, and the analysis lag is each case's time from being received to being analysed.
The server's memory (the resident set of `fankui serve`, its web processes and its worker) is sampled every second.

With ``--url`` the load goes to a server already running (behind nginx, in another network namespace:
docs/deploy/netns-demo.sh); the database FANKUI_DATABASE_URL names is then the one checked, and the memory is that of
``--server-pid`` when given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from django.conf import settings

from .intake import (
    Result,
    _tree_cpu_seconds,
    bench_database,
    post_many,
    post_one,
    sample_texts,
    serving,
    submission_request,
    tracking_code,
)

WARMUP = 200
# The longest a request may take before it counts as an error.
REQUEST_TIMEOUT_S = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=10, help="how long the load lasts")
    parser.add_argument("--rate", type=int, default=120, help="steady submissions per second")
    parser.add_argument("--burst", type=int, default=300, help="submissions per second during a burst")
    parser.add_argument("--burst-seconds", type=int, default=10, help="length of a burst")
    parser.add_argument("--burst-every", type=int, default=60, help="one burst in every this many seconds")
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: fankui serve's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: fankui serve's)")
    parser.add_argument("--max-in-flight", type=int, default=256, help="client connections at most")
    parser.add_argument(
        "--drain-seconds", type=int, default=300, help="how long the worker may take to analyse what is left"
    )
    parser.add_argument("--url", default="", help="load a server already running there instead of starting one")
    parser.add_argument("--server-pid", type=int, default=0, help="with --url: the process whose memory to sample")


def in_burst(second: float, burst_seconds: int, burst_every: int) -> bool:
    """Bursts take seconds [30, 30 + burst_seconds) of every minute (generally: the middle of each period)."""
    start = burst_every // 2
    return start <= second % burst_every < start + burst_seconds


def schedule(seconds: int, rate: int, burst: int, burst_seconds: int, burst_every: int) -> list[tuple[float, bool]]:
    """When each request is due (seconds from the start) and whether it belongs to a burst, evenly spaced within
    each second."""
    due: list[tuple[float, bool]] = []
    for second in range(seconds):
        bursting = in_burst(second, burst_seconds, burst_every)
        per_second = burst if bursting else rate
        due.extend((second + k / per_second, bursting) for k in range(per_second))
    return due


async def open_loop(
    base: str, due: list[tuple[float, bool]], texts: list[tuple[str, str]], max_in_flight: int
) -> tuple[Result, Result, float]:
    """Send each request when it is due; returns the results outside and inside bursts and the seconds taken
    until the last answer."""
    import aiohttp

    steady, bursts = Result(), Result()
    request = submission_request(texts)
    rng = random.Random(11)
    connector = aiohttp.TCPConnector(limit=max_in_flight)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    tasks: set[asyncio.Task[bool]] = set()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        loop = asyncio.get_running_loop()
        began = time.perf_counter()
        for at, bursting in due:
            delay = began + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            result = bursts if bursting else steady
            task = loop.create_task(post_one(session, base, request, tracking_code, rng, result, started=began + at))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
    return steady, bursts, elapsed


class MemorySampler:
    """The resident set of a process and all its descendants, every ``every`` seconds, in a thread."""

    def __init__(self, pid: int, every: float = 1.0) -> None:
        self.pid, self.every = pid, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(tree_rss_mb(self.pid))

    def figures(self) -> dict[str, float]:
        if not self.samples:
            return {"peak_rss_mb": 0.0, "rss_start_mb": 0.0, "rss_end_mb": 0.0}
        tenth = max(1, len(self.samples) // 10)
        return {
            "peak_rss_mb": round(max(self.samples), 1),
            # Median of the first and of the last tenth of the run: memory is flat when these are close.
            "rss_start_mb": round(statistics.median(self.samples[:tenth]), 1),
            "rss_end_mb": round(statistics.median(self.samples[-tenth:]), 1),
        }


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants in MB, from /proc (0 where /proc is missing)."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024


def query(env: dict[str, str], sql_postgres: str, sql_sqlite: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the benchmark's database (PostgreSQL or SQLite: each its own SQL)."""
    url = env.get("FANKUI_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return list(conn.execute(sql_postgres).fetchall())
    import sqlite3

    with sqlite3.connect(Path(env["FANKUI_DATA_DIR"]) / "fankui.sqlite3") as conn:
        return list(conn.execute(sql_sqlite).fetchall())


PENDING = "SELECT count(*) FROM analysis_caseanalysis WHERE status = 'pending'"
# Pending, or analysed with its steps after the analysis (duplicates, topics) still due.
UNSETTLED = "SELECT count(*) FROM analysis_caseanalysis WHERE status = 'pending' OR followup <> ''"
LAGS_PG = (
    "SELECT EXTRACT(EPOCH FROM a.analysed_at - c.created_at) FROM analysis_caseanalysis a "
    "JOIN cases_case c ON c.id = a.case_id WHERE a.analysed_at IS NOT NULL"
)
LAGS_SQLITE = (
    "SELECT (julianday(a.analysed_at) - julianday(c.created_at)) * 86400 FROM analysis_caseanalysis a "
    "JOIN cases_case c ON c.id = a.case_id WHERE a.analysed_at IS NOT NULL"
)


def pending_analyses(env: dict[str, str]) -> int:
    return int(query(env, PENDING, PENDING)[0][0])


def wait_for_analysis(env: dict[str, str], seconds: float, *, settled: bool = False) -> float:
    """Wait until no analysis is pending (at most ``seconds``), and with ``settled`` until their duplicates and topics
    are done too; returns how long it took."""
    began = time.monotonic()
    sql = UNSETTLED if settled else PENDING
    while int(query(env, sql, sql)[0][0]) and time.monotonic() - began < seconds:
        time.sleep(1)
    return time.monotonic() - began


def stored(env: dict[str, str]) -> set[str]:
    sql = "SELECT tracking_code FROM cases_case"
    return {row[0] for row in query(env, sql, sql)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


@contextmanager
def external(url: str) -> Iterator[tuple[str, dict[str, str]]]:
    env = dict(os.environ)
    env.setdefault("FANKUI_DATA_DIR", str(settings.FANKUI_DATA_DIR))
    yield ("postgresql" if env.get("FANKUI_DATABASE_URL") else "sqlite"), env


def run(options: dict[str, Any]) -> dict[str, Any]:
    return measure(
        minutes=options["minutes"],
        rate=options["rate"],
        burst=options["burst"],
        burst_seconds=options["burst_seconds"],
        burst_every=options["burst_every"],
        workers=options["workers"],
        threads=options["threads"],
        max_in_flight=options["max_in_flight"],
        drain_seconds=options["drain_seconds"],
        url=options["url"].rstrip("/"),
        server_pid=options["server_pid"],
    )


def measure(
    minutes: float = 10,
    rate: int = 120,
    burst: int = 300,
    burst_seconds: int = 10,
    burst_every: int = 60,
    workers: int | None = None,
    threads: int | None = None,
    max_in_flight: int = 256,
    drain_seconds: int = 300,
    url: str = "",
    server_pid: int = 0,
) -> dict[str, Any]:
    if rate < 1 or burst < 1 or minutes <= 0 or not 0 <= burst_seconds <= burst_every:
        raise ValueError("--rate and --burst at least 1, --minutes above 0, --burst-seconds at most --burst-every")
    workers = workers or settings.FANKUI_WEB_WORKERS
    threads = threads or settings.FANKUI_WEB_THREADS
    texts = sample_texts()
    due = schedule(max(1, round(minutes * 60)), rate, burst, burst_seconds, burst_every)
    database = external(url) if url else bench_database()
    with database as (engine, env):
        if not url:
            subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
        server = nullcontext((url, None)) if url else serving(env, workers, threads, ["--with-worker"])
        with server as (base, process):
            pid = process.pid if process is not None else server_pid
            # The web processes load their code and the worker its models before the clock starts: the topics'
            # tokenizer too, which loads when the first cases are placed (20 s on a slow machine; it was counted in
            # the lag of the first minute's cases).
            warm = asyncio.run(post_many(base, WARMUP, 16, submission_request(texts), tracking_code, seed=7))
            wait_for_analysis(env, drain_seconds, settled=True)
            cpu_before = _tree_cpu_seconds(pid) if pid else 0.0
            with MemorySampler(pid) as memory:
                steady, bursts, elapsed = asyncio.run(open_loop(base, due, texts, max_in_flight))
                pending_at_end = pending_analyses(env)
                drained_in = wait_for_analysis(env, drain_seconds)
            server_cpu = (_tree_cpu_seconds(pid) - cpu_before) if pid else 0.0
            left = pending_analyses(env)
            codes = stored(env)
            lags = [float(row[0]) for row in query(env, LAGS_PG, LAGS_SQLITE)]
            # Whether PostgreSQL kept its planner's statistics up with the tables (core.doctor, decision 0027).
            autovacuum = str(query(env, "SELECT current_setting('autovacuum')", "SELECT 'none'")[0][0])
    acknowledged = warm.codes + steady.codes + bursts.codes
    measured = len(steady.codes) + len(bursts.codes)
    return {
        "bench": "soak",
        "engine": engine,
        "minutes": minutes,
        "cores": os.cpu_count() or 1,
        "workers": workers if not url else None,
        "threads": threads if not url else None,
        # The average of the steady rate and the bursts.
        "target_per_s": round(len(due) / max(1, round(minutes * 60)), 1),
        "rate": rate,
        "burst": burst,
        "sent": len(due),
        "sustained_per_s": round(measured / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(steady.latencies) * 1000, 1) if steady.latencies else 0.0,
        "p99_ms": round(percentile(steady.latencies, 0.99) * 1000, 1),
        "burst_p50_ms": round(statistics.median(bursts.latencies) * 1000, 1) if bursts.latencies else 0.0,
        "burst_p99_ms": round(percentile(bursts.latencies, 0.99) * 1000, 1),
        "errors": warm.errors + steady.errors + bursts.errors,
        "acknowledged": len(acknowledged),
        "stored": sum(1 for code in acknowledged if code in codes),
        "lost": sum(1 for code in acknowledged if code not in codes),
        "analysis_pending_at_end": pending_at_end,
        "analysis_drained_in_s": round(drained_in, 1),
        "analysis_left": left,
        "analysis_lag_p50_s": round(statistics.median(lags), 1) if lags else 0.0,
        "analysis_lag_p99_s": round(percentile(lags, 0.99), 1),
        "autovacuum": autovacuum,
        **memory.figures(),
        "server_cpu_ms_per_submission": round(server_cpu * 1000 / measured, 2) if measured and pid else 0.0,
        "error_samples": warm.error_samples + steady.error_samples + bursts.error_samples,
    }
