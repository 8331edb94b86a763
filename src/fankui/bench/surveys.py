"""`fankui bench surveys`: the satisfaction measurements, one JSON line with "bench": "surveys".

Each measurement is a function in ``MEASUREMENTS`` that takes the options and returns its figures; adding one is a
function and a line (``--only NAME`` runs some). Now:

- ``rates``: ``rates_1m_ratings_s``, the time to compute every 好差评 rate (满意率, 好评率, 差评率, 整改率,
  回访率; whole organisation, per department, per category, per month, the previous period and the excluded
  ratings' footnote) for ``-n`` ratings (default 1,000,000) through ``insights.goodbad.figures``, the rollup the
  dashboard and the report use. A throwaway database (a temporary SQLite file, or a fresh PostgreSQL database on
  FANKUI_DATABASE_URL's server) is filled by a child process with bulk INSERTs (COPY on PostgreSQL), in the order of
  time: one case, reply and rating each, every rating in the measured month, a fifth of them bad with a
  rectification, half of those followed up; then the daily counts (``surveys.RatingDay``) are recounted from them
  (``services.tallies.rebuild``), which the product keeps one rating at a time. A second child times the figures,
  twice (the first read warms the database's cache; both reported, with the CPU time), and the period's breakdown
  counted from the ratings alone (``rates_from_ratings_s``), whose total must equal the figures'.
- ``responses``: ``responses_per_s``, responses stored per second through the public respondent page (``/q/<key>/``)
  of a running server (``--posts`` of them from ``--concurrency`` clients), and ``results``:
  ``survey_100k_results_s``, the results page's rollup of one questionnaire with ``--responses`` responses (default
  100,000); both are ``fankui.bench.questionnaires``' (``measure_responses``, ``measure_results``), each in a
  throwaway database of its own, their other figures named after them (``responses_p99_ms``, ``results_page_s``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fankui.bench.intake import bench_database
from fankui.bench.report import _insert, _reference_rows, _rows_for

PERIOD = "2026-10"


# --- rates_1m_ratings_s --------------------------------------------------------------------------------------------
def build_ratings(n: int, seed: int = 11) -> dict[str, int]:
    """Fill the (empty, migrated) database Django is configured with: ``n`` rated cases in ``PERIOD``."""
    from django.db import connection, transaction

    from fankui.insights.periods import parse
    from fankui.surveys.services import tallies

    period = parse(PERIOD)
    departments, leaves, _topics = _reference_rows(period.start)
    plan = _plan(n, random.Random(seed), period, departments, leaves)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        counts = _insert_cases(plan)
        counts.update(_insert_ratings(plan))
        # The daily counts the services keep one rating at a time, recounted at once after the bulk load.
        counts["rating_days"] = tallies.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def _plan(n: int, rng: random.Random, period: Any, departments: list[Any], leaves: list[Any]) -> list[tuple]:
    """(id, received, department id, category id, level, real name, followed up, rectified, first-level category id)
    per rated case."""
    span = (period.end - period.start).total_seconds() - 4 * 86400
    # Rows are written in the order of time, as the product writes them (ids grow with time): a period's ratings
    # and their cases are then neighbours on disk, as in a real database.
    moments = sorted(period.start + timedelta(seconds=rng.random() * span) for _i in range(n))
    plan = []
    for i, moment in enumerate(moments, start=1):
        level = rng.choices([5, 4, 3, 2, 1], weights=[45, 25, 10, 12, 8])[0]
        bad = level <= 2
        department = rng.choice(departments).pk  # drawn in this order since the first figures: the same data
        leaf = rng.choice(leaves)
        plan.append(
            (
                i,
                moment,
                department,
                leaf.pk,
                level,
                rng.random() < 0.8,
                bad and rng.random() < 0.5,
                bad and rng.random() < 0.6,
                leaf.parent_id or leaf.pk,
            )
        )
    return plan


def _insert_cases(plan: list[tuple]) -> dict[str, int]:
    from fankui.cases.models import Case, Reply
    from fankui.intake.models import Submission

    counts: dict[str, int] = {}
    counts["submissions"] = _insert(
        *_rows_for(
            Submission,
            {
                "id": lambda p: p[0],
                "channel": lambda p: "web",
                "body": lambda p: "小区门口的路灯坏了一个月，晚上很黑。",
                "received_at": lambda p: p[1],
                "idempotency_key": lambda p: None,
            },
            plan,
        )
    )
    counts["cases"] = _insert(
        *_rows_for(
            Case,
            {
                "id": lambda p: p[0],
                "submission_id": lambda p: p[0],
                "tracking_code": lambda p: f"S{p[0]:010d}",
                "number": lambda p: f"S-{p[0]:09d}",
                "state": lambda p: "closed" if p[4] >= 3 else "reopened",
                "category_id": lambda p: p[3],
                "lead_department_id": lambda p: p[2],
                "created_at": lambda p: p[1],
                "state_changed_at": lambda p: p[1],
                "replied_at": lambda p: p[1] + timedelta(days=1),
                "closed_at": lambda p: p[1] + timedelta(days=2) if p[4] >= 3 else None,
                "merged_into_id": lambda p: None,
            },
            plan,
        )
    )
    counts["replies"] = _insert(
        *_rows_for(
            Reply,
            {
                "id": lambda p: p[0],
                "case_id": lambda p: p[0],
                "body": lambda p: "已处理。",
                "department_id": lambda p: p[2],
                "created_at": lambda p: p[1] + timedelta(days=1),
            },
            plan,
        )
    )
    return counts


def _insert_ratings(plan: list[tuple]) -> dict[str, int]:
    from fankui.surveys.models import Rating, Rectification

    counts: dict[str, int] = {}
    counts["ratings"] = _insert(
        *_rows_for(
            Rating,
            {
                "id": lambda p: p[0],
                "case_id": lambda p: p[0],
                "reply_id": lambda p: p[0],
                "kind": lambda p: "reply",
                # As ``surveys.services.rate`` keeps them: the case's lead department and first-level category.
                "department_id": lambda p: p[2],
                "category_id": lambda p: p[8],
                "level": lambda p: p[4],
                "real_name": lambda p: p[5],
                "followed_up_at": lambda p: p[1] + timedelta(days=3) if p[6] else None,
                "rectified_at": lambda p: p[1] + timedelta(days=3) if p[7] else None,
                "excluded": lambda p: p[0] % 997 == 0,
                "excluded_reason": lambda p: "经核实为误评" if p[0] % 997 == 0 else "",
                "created_at": lambda p: p[1] + timedelta(days=2),
            },
            plan,
        )
    )
    bad = [p for p in plan if p[4] <= 2]
    counts["rectifications"] = _insert(
        *_rows_for(
            Rectification,
            {
                "rating_id": lambda p: p[0],
                "case_id": lambda p: p[0],
                "department_id": lambda p: p[2],
                "state": lambda p: "done" if p[7] else "open",
                "deadline": lambda p: p[1] + timedelta(days=23),
                "created_at": lambda p: p[1] + timedelta(days=2),
            },
            bad,
        )
    )
    return counts


def time_rates() -> dict[str, Any]:
    """Time the dashboard's 好差评 figures over the whole organisation, twice (wall and CPU time of this process);
    then the period's breakdown counted from the ratings alone, which must give the same total."""
    from django.db.models import Q
    from django.utils import translation

    from fankui.insights import goodbad, periods, queries
    from fankui.surveys import rates

    timings, cpu = [], []
    period = periods.parse(PERIOD)
    with translation.override("zh-hans"):
        for _round in range(2):
            started, started_cpu = time.perf_counter(), time.process_time()
            figures = goodbad.figures(queries.whole_organisation(), period)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    started = time.perf_counter()
    groups = rates.rollup(["department", "category"], period.start, period.end, only=Q())
    from_ratings_s = time.perf_counter() - started
    if sum(groups.values(), rates.Tally()) != figures.now:
        raise SystemExit("the daily counts and the ratings disagree")
    return {
        "rates_1m_ratings_s": round(min(timings), 2),
        "rates_first_run_s": round(timings[0], 2),
        "rates_cpu_s": round(min(cpu), 2),
        "rates_from_ratings_s": round(from_ratings_s, 2),
        "ratings_counted": figures.now.valid + figures.now.excluded,
        "satisfaction_percent": figures.now.satisfaction.percent,
    }


def rates_1m_ratings(options: dict[str, Any]) -> dict[str, Any]:
    n = options["n"]
    with bench_database() as (engine, env):
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True)
        started = time.perf_counter()
        child = [*fankui, "bench", "surveys"]
        subprocess.run([*child, "--build", str(n)], env=env, check=True, stdout=subprocess.PIPE, text=True)
        build_s = time.perf_counter() - started
        timed = subprocess.run([*child, "--time"], env=env, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = {"engine": engine, "ratings": n, "rates_build_s": round(build_s, 1)}
    result.update(json.loads(timed.stdout.strip().splitlines()[-1]))
    return result


# --- responses_per_s, survey_100k_results_s: the questionnaires' (fankui.bench.questionnaires) ---------------------
# Their figures beside the rates' in one line: the headline names as they are, the rest named after their part.
RESPONSES_KEPT = ("engine", "responses_per_s", "error_samples")
RESULTS_KEPT = ("engine", "survey_100k_results_s", "results_responses")


def _named(figures: dict[str, Any], prefix: str, kept: tuple[str, ...]) -> dict[str, Any]:
    return {name if name in kept else f"{prefix}_{name}": value for name, value in figures.items()}


def questionnaire_responses(options: dict[str, Any]) -> dict[str, Any]:
    from fankui.bench import questionnaires

    posts, concurrency = options.get("posts") or 2000, options.get("concurrency") or 16
    figures = questionnaires.measure_responses(n=posts, concurrency=concurrency)
    return _named(figures, "responses", RESPONSES_KEPT)


def questionnaire_results(options: dict[str, Any]) -> dict[str, Any]:
    from fankui.bench import questionnaires

    figures = questionnaires.measure_results(responses=options.get("responses") or 100_000)
    return _named(figures, "results", RESULTS_KEPT)


# --- The command ---------------------------------------------------------------------------------------------------
# (name, function): each takes the options and returns its figures, merged into the one JSON line.
MEASUREMENTS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ("rates", rates_1m_ratings),
    ("responses", questionnaire_responses),
    ("results", questionnaire_results),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1_000_000, help="ratings for the rates (default 1,000,000)")
    parser.add_argument(
        "--only", action="append", choices=[name for name, _fn in MEASUREMENTS], help="run only these measurements"
    )
    parser.add_argument("--posts", type=int, default=2000, help="responses posted to the public page (default 2,000)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients posting them (default 16)")
    parser.add_argument("--responses", type=int, default=100_000, help="responses of the results' questionnaire")
    # The child processes of ``rates_1m_ratings``, each in the throwaway database.
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("build") is not None:
        return build_ratings(options["build"])
    if options.get("time"):
        return time_rates()
    result: dict[str, Any] = {"bench": "surveys", "cores": os.cpu_count()}
    for name, measure in MEASUREMENTS:
        if not options.get("only") or name in options["only"]:
            result.update(measure(options))
    return result
