"""`fankui bench suggest`: the hotline operator's suggestions while typing, through the staff endpoint.

A throwaway database (``intake.bench_database``: a temporary SQLite file, or a fresh PostgreSQL database on the server
FANKUI_DATABASE_URL names) gets the demo city (`fankui demo`: about 3,200 cases, 650 categories, 19 departments),
then `fankui worker --once` analyses it and trains the category and routing models, as after `make run`. A child
process then signs in as the demo's dispatcher and posts ``-n`` texts to ``analysis:suggest`` with Django's test
client, one after another: the view, the permission check, the per-user limit (off here), the service (masking, kind,
category, urgency, routing, the duplicate lookup) and the fragment's rendering are timed; the HTTP server is not.
The texts are what an operator has typed at a pause: the start (10 to 300 characters) of real letters to a hotline
(``gov_messages_unlabeled.csv``), and one in four from ``gov_messages_hot.csv``, whose problems the demo's open
cases repeat, so that the duplicate lookup finds some.

The first requests of a process load the models and index every case (``operator_suggest_first_ms``); the figures
are of the requests after them (``WARM`` of them are left out). ``operator_suggest_cpu_p99_ms`` counts the process's
CPU time per request: on a machine shared with other work the wall clock also counts waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from fankui.bench import intake
from fankui.core.datasets import shared_data_dir

FANKUI = [sys.executable, "-m", "fankui"]
WARM = 5
NEEDS = ("gov_messages_unlabeled.csv", "gov_messages_hot.csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=500, help="suggestions asked for")
    # The child process, in the throwaway database.
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("time"):
        return time_requests(options["n"])
    return {"bench": "suggest", **measure(options["n"])}


def measure(n: int = 500) -> dict[str, Any]:
    """``operator_suggest_p50_ms`` and ``operator_suggest_p99_ms`` (and more) of ``n`` suggestions through the staff
    endpoint on a demo database; ``operator_suggest_skipped`` saying why when the shared data is absent."""
    data = shared_data_dir()
    missing = [name for name in NEEDS if data is None or not (data / name).exists()]
    if missing:
        return {
            "operator_suggest_p50_ms": None,
            "operator_suggest_p99_ms": None,
            "operator_suggest_skipped": f"needs {', '.join(missing)} in ../shared/data (or FANKUI_SHARED_DATA)",
        }
    started = time.perf_counter()
    with intake.bench_database() as (engine, env):
        env["FANKUI_TWO_FACTOR_ROLES"] = "none"
        env["FANKUI_RATE_SUGGEST"] = "off"  # one operator asking 500 times in a row would measure the limit
        for step in (["migrate", "--no-input", "-v0"], ["demo"], ["worker", "--once"]):
            subprocess.run([*FANKUI, *step], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prepared = time.perf_counter()
        done = subprocess.run(
            [*FANKUI, "bench", "suggest", "--time", "-n", str(n)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    result: dict[str, Any] = {"engine": engine, "operator_suggest_setup_s": round(prepared - started, 1)}
    result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return result


def texts(n: int, seed: int = 15) -> list[tuple[str, str]]:
    """(title, text) pairs as an operator has typed them at a pause: mostly without a title."""
    from fankui.nlp.csvio import read_table

    folder = shared_data_dir()
    assert folder is not None
    letters = read_table(folder / "gov_messages_unlabeled.csv", ["title", "body"]).rows
    hot = read_table(folder / "gov_messages_hot.csv", ["title", "body"]).rows
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(n):
        row = rng.choice(hot if i % 4 == 3 else letters)
        body = row["body"].strip() or row["title"]
        typed = body[: rng.randint(10, 300)]
        title = row["title"] if rng.random() < 0.3 else ""
        out.append((title, typed))
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def time_requests(n: int) -> dict[str, Any]:
    """In the prepared database: ``n`` suggestions through the endpoint as the demo's dispatcher, then the same texts
    through the service alone (what rendering and the request cost beside it)."""
    from django.test import Client
    from django.urls import reverse

    from fankui.accounts.models import User
    from fankui.analysis import services

    dispatcher = User.objects.get(username="dispatcher")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(dispatcher)
    url = reverse("analysis:suggest")
    asked = texts(n + WARM)
    endpoint: list[float] = []
    # The process's CPU time per request: the wall clock also counts waiting for a core the machine's other work holds.
    cpu: list[float] = []
    first: list[float] = []
    duplicates = emergencies = 0
    for i, (title, text) in enumerate(asked):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(url, {"title": title, "text": text})
        elapsed = (time.perf_counter() - started) * 1000
        used = (time.process_time() - started_cpu) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"the suggestion answered {response.status_code}: {response.content[:300]!r}")
        if i < WARM:
            first.append(elapsed)
            continue
        endpoint.append(elapsed)
        cpu.append(used)
        html = response.content.decode()
        duplicates += 'data-suggest="duplicate"' in html
        emergencies += "data-emergency=" in html
    service: list[float] = []
    for title, text in asked[WARM:]:
        started = time.perf_counter()
        services.suggest(text, title)
        service.append((time.perf_counter() - started) * 1000)
    return {
        "operator_suggest_via": "endpoint (Django test client, one process, rendering included)",
        "operator_suggest_n": len(endpoint),
        "operator_suggest_p50_ms": _percentile(endpoint, 0.5),
        "operator_suggest_p99_ms": _percentile(endpoint, 0.99),
        "operator_suggest_max_ms": round(max(endpoint), 1),
        "operator_suggest_mean_ms": round(statistics.fmean(endpoint), 1),
        "operator_suggest_cpu_p50_ms": _percentile(cpu, 0.5),
        "operator_suggest_cpu_p99_ms": _percentile(cpu, 0.99),
        "operator_suggest_first_ms": round(first[0], 1),
        "operator_suggest_service_p50_ms": _percentile(service, 0.5),
        "operator_suggest_service_p99_ms": _percentile(service, 0.99),
        "operator_suggest_duplicates_found": duplicates,
        "operator_suggest_emergencies": emergencies,
    }
