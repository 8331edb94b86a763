"""`fankui bench loop`: closing the loop at scale. Queues the messages for an action linked to 100,000 cases.

A throwaway database (see ``fankui.bench.intake.bench_database``) is migrated and filled by a first process with
bulk INSERTs: submissions (e-mail, phone, anonymous or no contact; a fifth of the people wrote more than once),
their cases, one action and its links. A second, fresh process approves the action and times the broadcast that
queues one message per distinct contact, and reports its peak memory, so that "memory flat" is visible. The monthly
report over 1,000,000 cases is `fankui bench report` (``fankui.bench.report.bench_report_1m``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from fankui.bench.intake import bench_database
from fankui.bench.report import bench_report_1m

BATCH = 5_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=100_000, help="linked cases (default 100000)")
    parser.add_argument("--skip-report", action="store_true", help="do not run the 1,000,000-case report benchmark")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)


def build(n: int) -> dict[str, Any]:
    """Fill the database: ``n`` cases linked to one draft action."""
    from django.db import transaction
    from django.utils import timezone

    from fankui.accounts import services as accounts
    from fankui.accounts.models import Role
    from fankui.actions.models import Action, ActionCase
    from fankui.cases.models import Case
    from fankui.core import codes
    from fankui.intake.models import Submission

    started = time.perf_counter()
    now = timezone.now()
    dept = accounts.create_department("市城市管理局", "bench-city")
    analyst = accounts.create_user("bench-analyst", "bench-password-1", Role.ANALYST, department=dept)
    action = Action.objects.create(
        title="路灯整改",
        goal="路灯全部恢复照明",
        measures="更换老化线路和灯具，建立每月巡查制度",
        owner=analyst,
        department=dept,
        deadline=(now + timedelta(days=60)).date(),
        created_by=analyst,
        created_at=now,
    )
    people = max(1, int(n * 0.8))
    for first in range(0, n, BATCH):
        ids = range(first, min(first + BATCH, n))
        with transaction.atomic():
            subs = []
            for i in ids:
                person = i % people
                kind = person % 10
                subs.append(
                    Submission(
                        title=f"路灯不亮 {i}",
                        body="小区门口的路灯坏了一个月，晚上很黑，请尽快修理。",
                        anonymous=kind == 9,
                        contact_email=f"p{person}@example.com" if kind < 4 else "",
                        contact_phone=f"138{person:08d}" if 4 <= kind < 8 else "",
                        received_at=now,
                    )
                )
            for sub in subs:
                sub.fill_lookups()  # bulk_create skips save()
            Submission.objects.bulk_create(subs, batch_size=1000)
            cases = [
                Case(
                    submission=s,
                    tracking_code=codes.new_code(),
                    number=f"2026-{i:07d}",
                    state="in_progress",
                    created_at=now,
                    state_changed_at=now,
                )
                for i, s in zip(ids, subs, strict=True)
            ]
            Case.objects.bulk_create(cases, batch_size=1000)
            ActionCase.objects.bulk_create(
                [ActionCase(action=action, case=c, linked_at=now) for c in cases], batch_size=1000
            )
    from django.db import connection

    from fankui.actions.services.linking import refresh_counts

    refresh_counts(action)
    if connection.vendor == "postgresql":
        # What autovacuum does in a running system: without statistics the planner misjudges the fresh tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"action": action.pk, "people": action.people_count, "build_s": round(time.perf_counter() - started, 1)}


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_broadcast() -> dict[str, Any]:
    from fankui.accounts.models import User
    from fankui.actions import broadcast
    from fankui.actions.models import Action, Broadcast
    from fankui.actions.services import moves
    from fankui.notify.models import Message

    action = Action.objects.get()
    analyst = User.objects.get(username="bench-analyst")
    rss_before = _rss_mb()
    started = time.perf_counter()
    moves.transition(action, analyst, "approve")
    record = Broadcast.objects.get(action=action)
    queued = broadcast.run(record)
    elapsed = time.perf_counter() - started
    return {
        "broadcast_100k_s": round(elapsed, 2),
        "queued": queued,
        "messages": Message.objects.count(),
        "rss_before_mb": round(rss_before, 1),
        "rss_peak_mb": round(_rss_mb(), 1),
    }


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("build") is not None:
        return build(options["build"])
    if options.get("time"):
        return time_broadcast()
    n = options["n"]
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True)
        built = subprocess.run(
            [*fankui, "bench", "loop", "--build", str(n)], env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        timed = subprocess.run(
            [*fankui, "bench", "loop", "--time"], env=env, check=True, stdout=subprocess.PIPE, text=True
        )
    result: dict[str, Any] = {"bench": "loop", "engine": engine, "n": n, "cores": os.cpu_count()}
    result.update(json.loads(built.stdout.strip().splitlines()[-1]))
    result.update(json.loads(timed.stdout.strip().splitlines()[-1]))
    result["report_1m_s"] = None if options.get("skip_report") else round(bench_report_1m(), 2)
    return result
