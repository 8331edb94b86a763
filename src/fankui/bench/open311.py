"""`fankui bench open311`: Open311 POSTs against a real multi-process server, alternating with the REST API's intake
in the same run and the same database (the issue's target: Open311 within 20% of `fankui bench intake`).

It reuses `fankui bench intake`'s machinery (throwaway database, `fankui serve`, the sample texts, the CPU reading).
Both halves are measured in alternating rounds, so a machine that speeds up or slows down during the run affects
both alike. Afterwards every acknowledged case is looked up in the database: one not there counts as lost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from .intake import (
    Result,
    _client,
    _tree_cpu_seconds,
    bench_database,
    post_many,
    sample_texts,
    serving,
    tracking_code,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Side:
    seconds: float = 0.0
    server_cpu: float = 0.0
    results: list[Result] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return sum(len(r.codes) for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    def figures(self, prefix: str) -> dict[str, Any]:
        latencies = sorted(lat for r in self.results for lat in r.latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
        return {
            f"{prefix}_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
            f"{prefix}_p99_ms": round(p99 * 1000, 1),
            f"{prefix}_server_cpu_ms": round(self.server_cpu * 1000 / self.acknowledged, 2) if self.acknowledged else 0,
        }


async def _open311_client(
    base: str, n: int, concurrency: int, texts: list[tuple[str, str]], key: str, code: str
) -> Result:
    """``n`` POST requests.json from ``concurrency`` keep-alive clients, each with its own client id."""
    # Encoded once per text: percent-encoding Chinese costs the client (on the same cores as the server) about as much
    # as decoding it costs the server, and the REST API's client pays nothing like it for its JSON.
    encoded = [
        urlencode(
            {
                "api_key": key,
                "service_code": code,
                "description": body,
                "attribute[title]": title[:200],
                "attribute[kind]": "complaint",
            }
        )
        for title, body in texts
    ]

    def request(rng: random.Random) -> tuple[str, dict[str, Any]]:
        form = (
            f"{encoded[rng.randrange(len(texts))]}&lat={28 + rng.random():.5f}&long={112 + rng.random():.5f}"
            f"&phone=138{rng.randrange(10**8):08d}&attribute%5Bexternal_id%5D={uuid.uuid4().hex}"
        )
        return "/open311/v2/requests.json", {"data": form.encode(), "headers": FORM}

    def acknowledged(status: int, data: Any) -> str | None:
        if status == 200 and isinstance(data, list) and data and data[0].get("service_request_id"):
            return str(data[0]["service_request_id"])
        return None

    return await post_many(base, n, concurrency, request, acknowledged, seed=11)


async def _api_with_category(base: str, n: int, concurrency: int, texts: list[tuple[str, str]], code: str) -> Result:
    """``POST /api/v1/submissions`` with what an Open311 request carries besides (a category and a position): the
    like-for-like comparison, since `fankui bench intake` sends neither."""

    def request(rng: random.Random) -> tuple[str, dict[str, Any]]:
        title, body = rng.choice(texts)
        payload = {
            "title": title[:200],
            "body": body,
            "kind": "complaint",
            "category": code,
            "location": {"lat": 28 + rng.random(), "lng": 112 + rng.random()},
            "contact": {"phone": f"138{rng.randrange(10**8):08d}"},
        }
        return "/api/v1/submissions", {"json": payload, "headers": {"Idempotency-Key": uuid.uuid4().hex}}

    return await post_many(base, n, concurrency, request, tracking_code, seed=13)


def _prepare(env: dict[str, str]) -> tuple[str, str]:
    """A client key (no limit of its own) and a category, made by the product's own commands."""
    fankui = [sys.executable, "-m", "fankui"]
    added = subprocess.run(
        [*fankui, "open311", "clients", "add", "bench", "--rate", "off"], env=env, check=True, capture_output=True
    )
    key = added.stdout.decode().strip().splitlines()[-1]
    made = subprocess.run(
        [
            *fankui,
            "shell",
            "-c",
            "from fankui.cases.models import Category; print(Category.objects.create(name='路灯').pk)",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return key, made.stdout.decode().strip().splitlines()[-1]


def _stored_ids(env: dict[str, str]) -> tuple[set[str], set[str]]:
    """Every case id and tracking code in the benchmark's database."""
    url = env.get("FANKUI_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT id, tracking_code FROM cases_case").fetchall()
    else:
        import sqlite3

        with sqlite3.connect(Path(env["FANKUI_DATA_DIR"]) / "fankui.sqlite3") as conn:
            rows = conn.execute("SELECT id, tracking_code FROM cases_case").fetchall()
    return {str(row[0]) for row in rows}, {row[1] for row in rows}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=3000, help="measured POSTs of each kind")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (each n / rounds of both)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: fankui serve's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: fankui serve's)")
    parser.add_argument("--no-intake", action="store_true", help="measure Open311 alone, without the comparison")


def run(options: dict[str, Any]) -> dict[str, Any]:
    return measure(
        n=options["n"],
        rounds=options["rounds"],
        concurrency=options["concurrency"],
        workers=options["workers"],
        threads=options["threads"],
        intake=not options["no_intake"],
    )


def measure(
    n: int = 3000,
    rounds: int = 4,
    concurrency: int = 16,
    workers: int | None = None,
    threads: int | None = None,
    intake: bool = True,
    warmup: int = 200,
) -> dict[str, Any]:
    """Open311 POSTs per second; with ``intake``, in rotating rounds of the same run, `POST /api/v1/submissions` as
    `fankui bench intake` sends it (``submissions_per_s``) and with a category and a position like an Open311
    request (``category_submissions_per_s``), and the ratios (``open311_vs_intake``: 1.0 is as fast, 0.8 the
    issue's floor; ``open311_vs_category_intake``: what the channel itself costs)."""
    workers = workers or settings.FANKUI_WEB_WORKERS
    threads = threads or settings.FANKUI_WEB_THREADS
    rounds = max(1, rounds)
    per_round = max(1, n // rounds)
    texts = sample_texts()
    sides = {"open311": Side(), "intake": Side(), "intake_category": Side()}
    with bench_database() as (engine, env):
        env["FANKUI_RATE_OPEN311"] = env["FANKUI_RATE_OPEN311_CLIENT"] = "off"
        subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
        key, code = _prepare(env)
        with serving(env, workers, threads) as (base, server):
            clients = {
                "open311": lambda count: _open311_client(base, count, concurrency, texts, key, code),
                "intake": lambda count: _client(base, count, concurrency, texts),
                "intake_category": lambda count: _api_with_category(base, count, concurrency, texts, code),
            }
            names = ["open311", "intake", "intake_category"] if intake else ["open311"]
            warm = [asyncio.run(clients[name](warmup)) for name in names]
            for number in range(rounds):
                # Rotate which goes first, so none always follows another's leftovers (WAL, autovacuum).
                order = names[number % len(names) :] + names[: number % len(names)]
                for name in order:
                    side = sides[name]
                    cpu_before = _tree_cpu_seconds(server.pid)
                    started = time.perf_counter()
                    result = asyncio.run(clients[name](per_round))
                    side.seconds += time.perf_counter() - started
                    side.server_cpu += _tree_cpu_seconds(server.pid) - cpu_before
                    side.results.append(result)
        ids, codes = _stored_ids(env)
    o311, api, api_category = sides["open311"], sides["intake"], sides["intake_category"]
    acknowledged_ids = [c for r in [*o311.results, warm[0]] for c in r.codes]
    acknowledged_codes = [c for r in [*api.results, *api_category.results, *warm[1:]] for c in r.codes]
    figures: dict[str, Any] = {
        "bench": "open311",
        "engine": engine,
        "n": per_round * rounds,
        "rounds": rounds,
        "cores": os.cpu_count() or 1,
        "workers": workers,
        "threads": threads,
        "concurrency": concurrency,
        "open311_post_per_s": round(o311.acknowledged / o311.seconds, 1) if o311.seconds else 0.0,
        **o311.figures("open311"),
    }
    if intake:
        figures["submissions_per_s"] = round(api.acknowledged / api.seconds, 1) if api.seconds else 0.0
        figures.update(api.figures("intake"))
        if figures["submissions_per_s"]:
            figures["open311_vs_intake"] = round(figures["open311_post_per_s"] / figures["submissions_per_s"], 3)
        figures["category_submissions_per_s"] = (
            round(api_category.acknowledged / api_category.seconds, 1) if api_category.seconds else 0.0
        )
        figures.update(api_category.figures("category"))
        if figures["category_submissions_per_s"]:
            figures["open311_vs_category_intake"] = round(
                figures["open311_post_per_s"] / figures["category_submissions_per_s"], 3
            )
    figures["errors"] = o311.errors + api.errors + api_category.errors + sum(w.errors for w in warm)
    figures["lost"] = sum(1 for i in acknowledged_ids if i not in ids) + sum(
        1 for c in acknowledged_codes if c not in codes
    )
    every = [*warm, *o311.results, *api.results, *api_category.results]
    figures["error_samples"] = [sample for r in every for sample in r.error_samples][:5]
    return figures
