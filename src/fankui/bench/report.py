"""`fankui bench report`: the time to build one monthly analysis report over a database of N cases (default
1,000,000); ``bench_report_1m()`` is what `fankui bench loop` reports as ``report_1m_s``.

A throwaway database (a temporary SQLite file, or a fresh PostgreSQL database on FANKUI_DATABASE_URL's server; see
fankui.bench.intake.bench_database) is migrated and filled by a first process with bulk INSERTs (COPY on
PostgreSQL) straight into the tables, not through the services: submissions, cases spread over twelve months, their
accept/reject events, replies, ratings and analyses with hot topics. Then a second process times ``queries.build``
plus the report of the last month in the format asked (PDF by default, the one the monthly e-mail uses).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fankui.bench.intake import bench_database

PERIOD = "2026-10"
MONTHS = 12
BATCH = 50_000


def _rows_for(
    model: Any, supplied: dict[str, Callable[[Any], Any]], items: Iterable[Any]
) -> tuple[str, list[str], Iterator[tuple]]:
    """Columns of ``model`` and a row per item: supplied fields computed, the others at their defaults, so that a
    column another app adds later still gets a valid value."""
    from django.db import connection, models

    # An auto primary key not supplied is left to the database.
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.attname not in supplied and f.name not in supplied)
    ]
    constant: dict[str, Any] = {}
    for f in fields:
        if f.name in supplied or f.attname in supplied:
            continue
        if f.has_default():
            value = f.get_default()
            value = json.dumps(value) if isinstance(f, models.JSONField) else value
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField):
            value = ""
        else:
            value = 0
        constant[f.attname] = value
    getters = [supplied.get(f.attname) or supplied.get(f.name) for f in fields]
    datetimes = [isinstance(f, models.DateTimeField) for f in fields]
    adapt = connection.ops.adapt_datetimefield_value

    def rows() -> Iterator[tuple]:
        for item in items:
            row = []
            for f, get, is_dt in zip(fields, getters, datetimes, strict=True):
                value = get(item) if get else constant[f.attname]
                row.append(adapt(value) if is_dt and value is not None else value)
            yield tuple(row)

    return model._meta.db_table, [f.column for f in fields], rows()


def _insert(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg cursor: COPY is the bulk path
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# The states of cases that have a reply.
REPLIED = {"closed", "replied", "reopened"}


def build_database(n: int, seed: int = 7) -> dict[str, int]:
    """Fill the (empty, migrated) database Django is configured with."""
    from django.db import connection, transaction

    from fankui.insights.periods import parse

    rng = random.Random(seed)
    end = parse(PERIOD).end
    start = end - timedelta(days=30.4 * MONTHS)
    departments, leaves, topics = _reference_rows(start)
    plan = _plan(n, rng, start, (end - start).total_seconds(), leaves, departments)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        counts = _insert_cases(plan)
        counts.update(_insert_answers(plan, topics))
    if connection.vendor == "postgresql":
        # After a bulk load PostgreSQL has no statistics until autovacuum's ANALYZE comes round (within a minute
        # on a live server); without them it plans every join blind.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def _reference_rows(start: datetime) -> tuple[list[Any], list[Any], list[Any]]:
    """20 departments, 7 first-level categories with 4 leaves each, 50 topics."""
    from fankui.accounts.models import Department
    from fankui.cases.models import Category
    from fankui.topics.models import Topic

    departments = [Department.objects.create(name=f"部门{i}", code=f"bench{i}") for i in range(20)]
    tops = [Category.objects.create(name=f"一级{i}") for i in range(7)]
    leaves = [Category.objects.create(name=f"二级{i}-{j}", parent=t) for i, t in enumerate(tops) for j in range(4)]
    now = datetime.now(UTC)
    topics = [
        Topic.objects.create(
            label=f"热点{i}", keywords=["路灯", "噪音"], size=0, heat=float(i), first_seen_at=start, last_seen_at=now
        )
        for i in range(50)
    ]
    return departments, leaves, topics


def _plan(
    n: int, rng: random.Random, start: datetime, span: float, leaves: list[Any], departments: list[Any]
) -> list[tuple]:
    """One plan per case, drawn once, so every table agrees: (id, created, state, channel, kind, category id,
    lead department id, a random share)."""
    channels = ["web", "phone", "email", "api", "open311"]
    kinds = ["complaint", "help", "inquiry", "report", "suggestion", "praise"]
    states = ["closed"] * 60 + ["replied"] * 10 + ["in_progress"] * 10 + ["reopened"] * 5 + ["rejected"] * 5
    states += ["received"] * 5 + ["dispatched"] * 5
    plan = []
    for i in range(1, n + 1):
        created = start + timedelta(seconds=rng.random() * span)
        state = rng.choice(states)
        plan.append(
            (
                i,
                created,
                state,
                rng.choice(channels),
                rng.choice(kinds),
                rng.choice(leaves).pk,
                None if state in ("received", "rejected") else rng.choice(departments).pk,
                rng.random(),
            )
        )
    return plan


def _insert_cases(plan: list[tuple]) -> dict[str, int]:
    """The submissions and their cases."""
    from fankui.cases.models import Case
    from fankui.intake.models import Submission

    counts: dict[str, int] = {}
    counts["submissions"] = _insert(
        *_rows_for(
            Submission,
            {
                "id": lambda p: p[0],
                "channel": lambda p: p[3],
                "title": lambda p: "路灯不亮",
                "body": lambda p: "小区门口的路灯坏了一个月，晚上很黑。",
                "received_at": lambda p: p[1],
                "idempotency_key": lambda p: None,
            },
            plan,
        )
    )

    def replied_at(p: tuple) -> datetime | None:
        return p[1] + timedelta(days=2) if p[2] in REPLIED else None

    def closed_at(p: tuple) -> datetime | None:
        return p[1] + timedelta(days=3 + 5 * p[7]) if p[2] == "closed" else None

    counts["cases"] = _insert(
        *_rows_for(
            Case,
            {
                "id": lambda p: p[0],
                "submission_id": lambda p: p[0],
                "tracking_code": lambda p: f"B{p[0]:010d}",
                "number": lambda p: f"B-{p[0]:09d}",
                "state": lambda p: p[2],
                "kind": lambda p: p[4],
                "category_id": lambda p: p[5],
                "lead_department_id": lambda p: p[6],
                "created_at": lambda p: p[1],
                "state_changed_at": lambda p: p[1],
                "replied_at": replied_at,
                "closed_at": closed_at,
                "merged_into_id": lambda p: None,
            },
            plan,
        )
    )
    return counts


def _insert_answers(plan: list[tuple], topics: list[Any]) -> dict[str, int]:
    """What happened to the cases: an event each, replies, ratings and analyses."""
    from fankui.analysis.models import CaseAnalysis
    from fankui.audit.models import Event
    from fankui.cases.models import Reply
    from fankui.surveys.models import Rating

    counts: dict[str, int] = {}
    answered = (p for p in plan if p[2] != "received")
    counts["events"] = _insert(
        *_rows_for(
            Event,
            {
                "case_id": lambda p: p[0],
                "action": lambda p: "reject" if p[2] == "rejected" else "accept",
                "actor_kind": lambda p: "staff",
                "created_at": lambda p: p[1] + timedelta(hours=1),
            },
            answered,
        )
    )
    with_reply = [p for p in plan if p[2] in REPLIED]
    counts["replies"] = _insert(
        *_rows_for(
            Reply,
            {
                "id": lambda p: p[0],
                "case_id": lambda p: p[0],
                "body": lambda p: "已处理。",
                "department_id": lambda p: p[6],
                "created_at": lambda p: p[1] + timedelta(days=2),
            },
            with_reply,
        )
    )
    rated = (p for p in with_reply if p[2] == "reopened" or (p[2] == "closed" and p[7] < 0.7))
    counts["ratings"] = _insert(
        *_rows_for(
            Rating,
            {
                "case_id": lambda p: p[0],
                "reply_id": lambda p: p[0],
                "level": lambda p: 1 + int(p[7] * 2) if p[2] == "reopened" else 3 + int(p[7] * 3 / 0.7),
                "created_at": lambda p: p[1] + timedelta(days=3),
            },
            rated,
        )
    )
    counts["analyses"] = _insert(
        *_rows_for(
            CaseAnalysis,
            {
                "case_id": lambda p: p[0],
                "status": lambda p: "done" if p[7] < 0.9 else "pending",
                "masked_title": lambda p: "路灯不亮",
                "masked_body": lambda p: "小区门口的路灯坏了一个月，晚上很黑。",
                "topic_id": lambda p: topics[int(p[7] * 1000) % 50].pk if p[7] < 0.3 else None,
                "analysed_at": lambda p: p[1],
            },
            plan,
        )
    )
    return counts


def time_report(fmt: str = "pdf") -> dict[str, Any]:
    from django.utils import translation

    from fankui.insights import builders, periods, queries

    with translation.override("zh-hans"):
        started = time.perf_counter()
        report = queries.build(queries.whole_organisation(), periods.parse(PERIOD))
        built = time.perf_counter()
        content = builders.render(report, fmt)
        done = time.perf_counter()
    return {
        "queries_s": round(built - started, 2),
        "render_s": round(done - built, 2),
        "report_s": round(done - started, 2),
        "cases_in_period": report.volume.total,
        "bytes": len(content),
    }


def measure(n: int = 1_000_000, fmt: str = "pdf") -> dict[str, Any]:
    """Build a throwaway database of ``n`` cases in a child process, then time the report in another."""
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True)
        child = [*fankui, "bench", "report", "--format", fmt]
        started = time.perf_counter()
        built = subprocess.run([*child, "--build", str(n)], env=env, check=True, stdout=subprocess.PIPE, text=True)
        build_s = time.perf_counter() - started
        timed = subprocess.run([*child, "--time"], env=env, check=True, stdout=subprocess.PIPE, text=True)
    result = {
        "bench": "report",
        "engine": engine,
        "n": n,
        "format": fmt,
        "period": PERIOD,
        "build_s": round(build_s, 1),
    }
    result.update(json.loads(built.stdout.strip().splitlines()[-1]))
    result.update(json.loads(timed.stdout.strip().splitlines()[-1]))
    return result


def bench_report_1m() -> float:
    """Seconds to build the monthly report (figures + PDF) over a throwaway database of 1,000,000 cases."""
    return float(measure(1_000_000)["report_s"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1_000_000, help="cases in the throwaway database")
    parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx", "html"], help="report format timed")
    # The two child processes of ``measure``, each in the throwaway database.
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("build") is not None:
        return build_database(options["build"])
    if options.get("time"):
        return time_report(options["format"])
    return measure(options["n"], options["format"])
