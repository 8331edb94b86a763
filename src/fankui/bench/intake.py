"""`fankui bench intake`: submissions through the HTTP API against a real multi-process server.

A throwaway database is used (a temporary SQLite file, or a fresh PostgreSQL database on the server that
FANKUI_DATABASE_URL names), so a benchmark never writes into real data. Afterwards every acknowledged tracking code
is looked up in the database: an acknowledged submission that is not there counts as lost.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from fankui.core.datasets import shared_data_dir


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)


def sample_texts(limit: int = 2000) -> list[tuple[str, str]]:
    folder = shared_data_dir()
    if folder is not None and (folder / "gov_messages_unlabeled.csv").exists():
        with open(folder / "gov_messages_unlabeled.csv", encoding="utf-8", newline="") as handle:
            rows = [(row["title"], row["body"][:3000]) for row in itertools.islice(csv.DictReader(handle), limit)]
        if rows:
            return rows
    places = ["幸福小区", "人民路", "第一中学", "火车站", "中心医院", "滨江公园"]
    issues = ["路灯不亮", "噪音扰民", "垃圾清运不及时", "占道经营", "停车难", "排水不畅"]
    return [(f"{p}{i}", f"{p}附近{i}已经很久了，影响居民生活，希望有关部门尽快处理。") for p in places for i in issues]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def bench_database() -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (engine, environment) for a fresh database, and remove it afterwards."""
    env = dict(os.environ)
    data_dir = tempfile.mkdtemp(prefix="fankui-bench-")
    env["FANKUI_DATA_DIR"] = data_dir
    # One client on the loopback sends everything: the public rate limits (core.throttle) would measure themselves.
    for limit in ("RATE_SUBMIT", "RATE_SUBMIT_CONTACT", "RATE_TRACK", "RATE_RATING"):
        env[f"FANKUI_{limit}"] = "off"
    url = settings.FANKUI_DATABASE_URL
    name = ""
    try:
        if url:
            import psycopg
            from psycopg import sql

            # Named after the configured database, so a bench stays among the databases its owner may use.
            name = f"{url.rsplit('/', 1)[1].split('?', 1)[0] or 'fankui'}_bench_{os.getpid()}"
            admin_url = url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            env["FANKUI_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
            yield "postgresql", env
        else:
            env.pop("FANKUI_DATABASE_URL", None)
            yield "sqlite", env
    finally:
        if name:
            import psycopg
            from psycopg import sql

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        shutil.rmtree(data_dir, ignore_errors=True)


def stored_codes(env: dict[str, str]) -> set[str]:
    url = env.get("FANKUI_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return {row[0] for row in conn.execute("SELECT tracking_code FROM cases_case")}
    import sqlite3

    with sqlite3.connect(Path(env["FANKUI_DATA_DIR"]) / "fankui.sqlite3") as conn:
        return {row[0] for row in conn.execute("SELECT tracking_code FROM cases_case")}


# One request of a load: the path and the keyword arguments of ``aiohttp.ClientSession.post``, made from a seeded
# random generator; and the acknowledged id a response carries (None: the request failed).
Request = Callable[[random.Random], tuple[str, dict[str, Any]]]
Acknowledged = Callable[[int, Any], str | None]


async def post_many(
    base: str, n: int, concurrency: int, request: Request, acknowledged: Acknowledged, seed: int
) -> Result:
    """``n`` POSTs made by ``request`` from ``concurrency`` keep-alive clients (aiohttp), each timed from sending to
    the answer read; what ``acknowledged`` finds in an answer goes into ``codes``, anything else counts as an error."""
    import aiohttp

    result = Result()
    counter = iter(range(n))
    rng = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for _ in counter:
                await post_one(session, base, request, acknowledged, rng, result)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return result


async def post_one(
    session: Any,
    base: str,
    request: Request,
    acknowledged: Acknowledged,
    rng: random.Random,
    result: Result,
    started: float | None = None,
) -> bool:
    """One POST made by ``request`` on the aiohttp ``session``, recorded in ``result``: its latency (from
    ``started``, a ``time.perf_counter()`` reading, when given: an open-loop load times from when the request was
    due), and its acknowledged id or an error. Returns whether it was acknowledged."""
    import aiohttp

    path, kwargs = request(rng)
    if started is None:
        started = time.perf_counter()
    try:
        async with session.post(f"{base}{path}", **kwargs) as response:
            data = await response.json(content_type=None)
            status = response.status
    except (TimeoutError, aiohttp.ClientError, json.JSONDecodeError) as exc:
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(repr(exc))
        return False
    result.latencies.append(time.perf_counter() - started)
    code = acknowledged(status, data)
    if code:
        result.codes.append(code)
        return True
    result.errors += 1
    if len(result.error_samples) < 5:
        result.error_samples.append(f"{status}: {str(data)[:200]}")
    return False


def tracking_code(status: int, data: Any) -> str | None:
    """The tracking code of a ``POST /api/v1/submissions`` that opened a case."""
    if status == 201 and isinstance(data, dict) and data.get("tracking_code"):
        return str(data["tracking_code"])
    return None


def submission_request(texts: list[tuple[str, str]]) -> Request:
    """``POST /api/v1/submissions`` of a real message with a phone number, a new idempotency key each time."""

    def request(rng: random.Random) -> tuple[str, dict[str, Any]]:
        title, body = rng.choice(texts)
        payload = {
            "title": title,
            "body": body,
            "kind": "complaint",
            "contact": {"phone": f"138{rng.randrange(10**8):08d}"},
        }
        return "/api/v1/submissions", {"json": payload, "headers": {"Idempotency-Key": uuid.uuid4().hex}}

    return request


async def _client(base: str, n: int, concurrency: int, texts: list[tuple[str, str]]) -> Result:
    """``n`` submissions through ``POST /api/v1/submissions``, each a real message with a phone number."""
    return await post_many(base, n, concurrency, submission_request(texts), tracking_code, seed=7)


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process ``pid`` and its children (the server's workers), from
    /proc; 0 where /proc is missing. A figure that the other load on a shared machine barely changes."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within a minute")


@contextmanager
def serving(
    env: dict[str, str], workers: int, threads: int, serve_args: list[str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `fankui serve` on a free port of the database ``env`` names; yield its address and process."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fankui",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            *(serve_args or []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(base, server)
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=5000, help="measured submissions")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: fankui serve's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: fankui serve's)")
    parser.add_argument(
        "--serve-args", default="", help="more options for fankui serve, e.g. --serve-args='--access-log --with-worker'"
    )


def run(options: dict[str, Any]) -> dict[str, Any]:
    return measure(
        n=options["n"],
        concurrency=options["concurrency"],
        workers=options["workers"],
        threads=options["threads"],
        serve_args=options["serve_args"].split(),
    )


def measure(
    n: int = 5000,
    concurrency: int = 16,
    workers: int | None = None,
    threads: int | None = None,
    warmup: int = 200,
    serve_args: list[str] | None = None,
) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    workers = workers or settings.FANKUI_WEB_WORKERS
    threads = threads or settings.FANKUI_WEB_THREADS
    texts = sample_texts()
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True)
        with serving(env, workers, threads, serve_args) as (base, server):
            warm = asyncio.run(_client(base, warmup, concurrency, texts))
            cpu_before = _tree_cpu_seconds(server.pid)
            client_before = time.process_time()
            started = time.perf_counter()
            measured = asyncio.run(_client(base, n, concurrency, texts))
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_before
            server_cpu = _tree_cpu_seconds(server.pid) - cpu_before
        stored = stored_codes(env)
    acknowledged = warm.codes + measured.codes
    latencies = sorted(measured.latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {
        "bench": "intake",
        "engine": engine,
        "n": n,
        "cores": cores,
        "workers": workers,
        "threads": threads,
        "concurrency": concurrency,
        "submissions_per_s": round(len(measured.codes) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
        "p99_ms": round(p99 * 1000, 1),
        "errors": measured.errors + warm.errors,
        "lost": sum(1 for code in acknowledged if code not in stored),
        "server_cpu_ms_per_submission": round(server_cpu * 1000 / len(measured.codes), 2) if measured.codes else 0.0,
        "client_cpu_ms_per_submission": round(client_cpu * 1000 / len(measured.codes), 2) if measured.codes else 0.0,
        "error_samples": measured.error_samples + warm.error_samples,
    }
