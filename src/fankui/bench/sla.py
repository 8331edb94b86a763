"""`fankui bench sla`: deadline arithmetic per second, and one deadline sweep over a million open cases.

The sweep runs in a throwaway database (a temporary SQLite file, or a fresh PostgreSQL database on the server that
FANKUI_DATABASE_URL names), filled with SQL: ``-n`` submissions, their open cases (in progress, spread over 20
departments) and one running reply clock each, with deadlines spread from an hour ago to 30 days ahead, warnings
3 days before and escalations 4 hours after. So the measured sweep finds what a real one finds after a pause:
every clock whose warning came in the last 3 days (about 10%) is warned, those whose deadline just passed are
urged, each with its ledger row and case event. A second sweep right after must take no step at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

from fankui.bench.intake import bench_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1_000_000, help="open cases for the sweep")
    parser.add_argument("--deadlines", type=int, default=20_000, help="deadline computations to time")


def deadlines_per_second(count: int) -> float:
    """Deadlines on the national calendar (no database), mixed units and starts over 2024 to 2026."""
    from django.conf import settings

    if not settings.configured:  # pragma: no cover - `fankui bench` has set Django up already
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
        django.setup()
    from fankui.sla import calendar

    cal = calendar.WorkCalendar()
    rng = random.Random(3)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    first = dt.datetime(2024, 1, 1, tzinfo=zone)
    jobs = [
        (
            first + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            *rng.choice(
                [(3, "working_days"), (13, "working_days"), (15, "working_days"), (4, "working_hours"), (24, "hours")]
            ),
        )
        for _ in range(count)
    ]
    calendar.package_is_workday.cache_clear()
    started = time.perf_counter()
    for start, amount, unit in jobs:
        calendar.deadline(cal, start, amount, unit)
    return count / (time.perf_counter() - started)


FILL_SQLITE = {
    "series": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %(n)s) ",
    "from": "FROM s",
    "ts": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %(now)s, printf('%%+d minutes', {minutes}))",
    "false": "0",
}
FILL_POSTGRES = {
    "series": "",
    "from": "FROM generate_series(1, %(n)s) AS s(i)",
    "ts": "(%(now)s::timestamptz + ({minutes}) * interval '1 minute')",
    "false": "FALSE",
}


def fill(n: int, now: dt.datetime) -> dict[str, Any]:
    """Insert n submissions, cases and running reply clocks with SQL (seconds, not the hours the ORM would take)."""
    from django.db import connection

    from fankui.accounts.models import Department

    sql = FILL_POSTGRES if connection.vendor == "postgresql" else FILL_SQLITE
    departments = [Department.objects.create(name=f"部门{k}", code=f"bench-{k}").pk for k in range(20)]
    first_dept, last_dept = min(departments), max(departments)
    span = last_dept - first_dept + 1
    deadline = "((CAST(i AS BIGINT) * 7919) %% 43260) - 60"  # minutes from now: an hour ago to 30 days ahead, scattered
    ts = sql["ts"]
    params: dict[str, Any] = {"n": n, "now": now}
    statements = [
        sql["series"]
        + "INSERT INTO intake_submission (id, channel, title, body, anonymous, contact_name, contact_phone, "
        "contact_email, address, lat, lng, idempotency_key, external_id, kind, language, receipt, received_at) "
        f"SELECT i, 'web', '', 'bench', {sql['false']}, '', '', '', '', NULL, NULL, NULL, '', '', '', {sql['false']}, "
        + ts.format(minutes="-(i %% 20000)")
        + " "
        + sql["from"],
        sql["series"] + "INSERT INTO cases_case (id, submission_id, tracking_code, number, state, kind, category_id, "
        "lead_department_id, merged_into_id, created_at, state_changed_at, replied_at, closed_at, kind_source, "
        "category_source, kind_confidence, category_confidence) "
        "SELECT i, i, 'B' || CAST(i AS TEXT), 'BENCH-' || CAST(i AS TEXT), 'in_progress', 'complaint', NULL, "
        f"{first_dept} + (i %% {span}), NULL, "
        + ts.format(minutes="-(i %% 20000)")
        + ", "
        + ts.format(minutes="-(i %% 20000)")
        + ", NULL, NULL, '', '', NULL, NULL "
        + sql["from"],
        sql["series"]
        + "INSERT INTO sla_clock (case_id, stage, round, policy_id, unit, amount, started_at, deadline, warn_at, "
        "due_at, escalate_at, yellow_at, paused_at, paused_seconds, stopped_at, extended_days, department_id, "
        "working_seconds, urgency) "
        "SELECT i, 'reply', 1, NULL, 'working_days', 13, "
        + ts.format(minutes="-(i %% 20000)")
        + ", "
        + ts.format(minutes=deadline)
        + ", "
        + ts.format(minutes=f"{deadline} - 4320")
        + ", "
        + ts.format(minutes=deadline)
        + ", "
        + ts.format(minutes=f"{deadline} + 240")
        + ", "
        + ts.format(minutes=f"{deadline} - 4320")
        + f", NULL, 0, NULL, 0, {first_dept} + (i %% {span}), NULL, '' "
        + sql["from"],
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
            cursor.execute("SELECT setval(pg_get_serial_sequence('intake_submission', 'id'), %s)", [n])
        cursor.execute("ANALYZE")
    return {"fill_s": round(time.perf_counter() - started, 1)}


def inner(n: int) -> dict[str, Any]:
    """Runs in a child process whose environment names the throwaway database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from fankui.sla import tasks
    from fankui.sla.models import Clock

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now().replace(microsecond=0)
    result = fill(n, now)
    result["open_cases"] = Clock.objects.filter(stopped_at__isnull=True).count()
    started = time.perf_counter()
    result["steps"] = tasks.sweep(now)
    result["sweep_1m_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    result["second_sweep_steps"] = tasks.sweep(now)
    result["second_sweep_s"] = round(time.perf_counter() - started, 3)
    return result


def run(options: dict[str, Any]) -> dict[str, Any]:
    per_second = deadlines_per_second(options["deadlines"])
    with bench_database() as (engine, env):
        completed = subprocess.run(
            [sys.executable, "-m", "fankui.bench.sla", str(options["n"])],
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError("the sweep benchmark failed:\n" + "\n".join(completed.stderr.splitlines()[-5:]))
        swept = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        "bench": "sla",
        "engine": engine,
        "cores": os.cpu_count() or 1,
        "deadlines_per_s": round(per_second),
        "sweep_1m_s": swept.pop("sweep_1m_s"),
        "n": options["n"],
        **swept,
    }


if __name__ == "__main__":
    print(json.dumps(inner(int(sys.argv[1]))))
