"""`fankui bench security`: what the audit chain and the permission scoping cost, in one run.

1. Intake with and without the audit chain, alternating in the same run against the same server and throwaway
   database (fankui.bench.intake): "with" runs `fankui audit seal --every S` beside the server (the sealer that the
   worker's ``audit_seal`` sweep is, more often than the worker's default round), "without" runs no sealer. The
   triggers are there in both: they fire on UPDATE and DELETE only, never on intake's INSERTs. Afterwards the whole
   trail is sealed and verified.
2. In a second throwaway database filled by bulk INSERTs (the cases of ``bench report``, then audit rows up to
   ``--audit-rows``): the staff case list's p99 for a department's handler and head (scoped by
   ``cases.queries.visible_cases``) and for a superuser (unscoped), and the time to seal and to verify every audit
   row (``audit_verify_1m_s`` for the default 1,000,000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from fankui.bench import intake

FANKUI = [sys.executable, "-m", "fankui"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1000, help="submissions per intake round")
    parser.add_argument("--rounds", type=int, default=3, help="intake rounds with and without the chain, alternating")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seal-every", type=float, default=1.0, help="seconds between the sealer's passes")
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the case-list database")
    parser.add_argument("--audit-rows", type=int, default=1_000_000, help="audit rows sealed and verified")
    parser.add_argument("--requests", type=int, default=200, help="case-list requests per user")
    # The child processes, each in the second throwaway database.
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time-lists", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time-audit", action="store_true", help=argparse.SUPPRESS)


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("fill"):
        return fill(options["cases"], options["audit_rows"])
    if options.get("time_lists"):
        return time_lists(options["requests"])
    if options.get("time_audit"):
        return time_audit()
    result: dict[str, Any] = {"bench": "security", "cores": os.cpu_count() or 1}
    result.update(measure_intake(options["n"], options["rounds"], options["concurrency"], options["seal_every"]))
    result.update(measure_lists_and_audit(options["cases"], options["audit_rows"], options["requests"]))
    return result


# --- 1. Intake with and without the chain ------------------------------------------------------------------------
def measure_intake(n: int, rounds: int, concurrency: int, seal_every: float) -> dict[str, Any]:
    texts = intake.sample_texts()
    rates: dict[str, list[float]] = {"chain": [], "without": []}
    # CPU seconds and submissions per mode: the server's, and the sealer's beside it.
    cpu = {"chain": 0.0, "without": 0.0, "sealer": 0.0}
    done = {"chain": 0, "without": 0}
    errors = 0
    with intake.bench_database() as (engine, env):
        subprocess.run([*FANKUI, "migrate", "--no-input", "-v0"], env=env, check=True)
        workers, threads = settings.FANKUI_WEB_WORKERS, settings.FANKUI_WEB_THREADS
        with intake.serving(env, workers, threads) as (base, server):
            errors += asyncio.run(intake._client(base, 200, concurrency, texts)).errors  # warm-up
            for r in range(rounds):
                for mode in ("without", "chain") if r % 2 == 0 else ("chain", "without"):
                    sealer = None
                    if mode == "chain":
                        sealer = subprocess.Popen(
                            [*FANKUI, "audit", "seal", "--every", str(seal_every)],
                            env=env,
                            stdout=subprocess.PIPE,
                            text=True,
                        )
                        # Its start-up (Django's import) is no cost of the chain: wait for its first pass.
                        assert sealer.stdout is not None
                        sealer.stdout.readline()
                    sealer_before = intake._tree_cpu_seconds(sealer.pid) if sealer else 0.0
                    server_before = intake._tree_cpu_seconds(server.pid)
                    started = time.perf_counter()
                    measured = asyncio.run(intake._client(base, n, concurrency, texts))
                    elapsed = time.perf_counter() - started
                    cpu[mode] += intake._tree_cpu_seconds(server.pid) - server_before
                    done[mode] += len(measured.codes)
                    if sealer is not None:
                        cpu["sealer"] += intake._tree_cpu_seconds(sealer.pid) - sealer_before
                        sealer.send_signal(signal.SIGTERM)
                        sealer.wait(timeout=120)
                    errors += measured.errors
                    rates[mode].append(len(measured.codes) / elapsed)
        subprocess.run([*FANKUI, "audit", "seal"], env=env, check=True, stdout=subprocess.DEVNULL)
        verified = subprocess.run([*FANKUI, "audit", "verify"], env=env, capture_output=True, text=True)
    with_chain, without = statistics.median(rates["chain"]), statistics.median(rates["without"])
    return {
        "engine": engine,
        "n_per_round": n,
        "rounds": rounds,
        "seal_every_s": seal_every,
        "intake_per_s": round(with_chain, 1),
        "intake_per_s_without_audit_chain": round(without, 1),
        "intake_chain_cost_pct": round(100 * (without - with_chain) / without, 1) if without else 0.0,
        "intake_rounds_per_s": {mode: [round(v, 1) for v in values] for mode, values in rates.items()},
        "server_cpu_ms_per_submission": {m: round(1000 * cpu[m] / max(done[m], 1), 2) for m in ("chain", "without")},
        "sealer_cpu_ms_per_submission": round(1000 * cpu["sealer"] / max(done["chain"], 1), 2),
        "intake_errors": errors,
        "intake_trail_verified": verified.returncode == 0,
    }


# --- 2. Case lists and the audit trail at scale ------------------------------------------------------------------
def measure_lists_and_audit(cases: int, audit_rows: int, requests: int) -> dict[str, Any]:
    child = [*FANKUI, "bench", "security", "--cases", str(cases), "--audit-rows", str(audit_rows)]
    result: dict[str, Any] = {"cases": cases, "audit_rows": audit_rows}
    with intake.bench_database() as (_engine, env):
        # The superuser signs in with force_login: with two-factor sign-in required of administrators (the default)
        # every list would answer with the redirect to enrolment.
        env["FANKUI_TWO_FACTOR_ROLES"] = "none"
        subprocess.run([*FANKUI, "migrate", "--no-input", "-v0"], env=env, check=True)
        for part in (["--fill"], ["--time-lists", "--requests", str(requests)], ["--time-audit"]):
            done = subprocess.run([*child, *part], env=env, check=True, stdout=subprocess.PIPE, text=True)
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return result


def fill(cases: int, audit_rows: int) -> dict[str, Any]:
    """The cases of `bench report`, then audit rows (events, looks, entries) up to ``audit_rows``, by bulk INSERT."""
    from django.db import connection, transaction

    from fankui.accounts.models import Role
    from fankui.accounts.services import create_user
    from fankui.audit.models import Access, Entry, Event
    from fankui.bench import report
    from fankui.cases.models import Case

    started = time.perf_counter()
    report.build_database(cases)
    built = time.perf_counter()
    case_ids = list(Case.objects.values_list("pk", flat=True))
    looker = create_user("bench_looker", "bench-password-1", Role.DISPATCHER).pk  # made every look
    missing = max(0, audit_rows - Event.objects.count() - Access.objects.count() - Entry.objects.count())
    moment = datetime(2026, 10, 1, tzinfo=UTC)
    events, looks = missing * 7 // 10, missing * 2 // 10
    entries = missing - events - looks
    with transaction.atomic():
        rows = [
            report._rows_for(
                Event,
                {
                    "case_id": lambda i: case_ids[i % len(case_ids)],
                    "action": lambda i: "note",
                    "message": lambda i: f"第{i}条备注",
                    "data": lambda i: json.dumps({"step": i % 7}),
                    "created_at": lambda i: moment + timedelta(seconds=i),
                },
                range(events),
            ),
            report._rows_for(
                Access,
                {
                    "user_id": lambda i: looker,
                    "case_id": lambda i: case_ids[i % len(case_ids)],
                    "what": lambda i: "contact",
                    "created_at": lambda i: moment + timedelta(seconds=i),
                },
                range(looks),
            ),
            report._rows_for(
                Entry,
                {
                    "kind": lambda i: "login",
                    "actor_name": lambda i: f"user{i % 500}",
                    "address": lambda i: "10.0.0.1",
                    "created_at": lambda i: moment + timedelta(seconds=i),
                },
                range(entries),
            ),
        ]
        for table, columns, values in rows:
            report._insert(table, columns, values)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"build_cases_s": round(built - started, 1), "fill_audit_s": round(time.perf_counter() - built, 1)}


def _percentile_ms(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)


def time_lists(requests: int) -> dict[str, Any]:
    """The staff case list's p99 and median for a department's handler and head and for a superuser. Their requests
    take turns (handler, head, superuser, handler, …), so a machine that slows down or speeds up during the run
    weighs on the three alike; the first five of each warm the caches and are not counted."""
    from django.test import Client

    from fankui.accounts.models import Department, Role, User
    from fankui.accounts.services import create_user

    department = Department.objects.order_by("pk").first()
    users = {
        "": create_user("bench_handler", "bench-password-1", Role.HANDLER, department=department),
        "_head": create_user("bench_head", "bench-password-1", Role.DEPT_HEAD, department=department),
        "_unscoped": User.objects.create_superuser("bench_root", "", "bench-password-1"),
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    timings: dict[str, list[float]] = {name: [] for name in users}
    for i in range(requests + 5):
        for name, client in clients.items():
            started = time.perf_counter()
            response = client.get("/staff/cases/", {"page": str(i % 5 + 1)})
            if response.status_code != 200:
                raise RuntimeError(f"the case list answered {response.status_code}")
            if i >= 5:
                timings[name].append(time.perf_counter() - started)
    result: dict[str, Any] = {}
    for name, values in timings.items():
        result[f"case_list_p99_ms{name}"] = _percentile_ms(values, 0.99)
        result[f"case_list_p50_ms{name}"] = _percentile_ms(values, 0.5)
    return result


def time_audit() -> dict[str, Any]:
    from fankui.audit import chain

    started = time.perf_counter()
    while chain.seal():
        pass
    sealed = time.perf_counter()
    report = chain.verify()
    done = time.perf_counter()
    if not report.ok:
        raise RuntimeError(f"the fresh trail does not verify: {report.problem}")
    return {
        "audit_rows_verified": report.sealed,
        "audit_seal_s": round(sealed - started, 1),
        "audit_verify_s": round(done - sealed, 1),
        "audit_verify_1m_s": round((done - sealed) * 1_000_000 / max(report.sealed, 1), 1),
    }
