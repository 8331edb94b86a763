"""`fankui bench questionnaires`: responses stored per second through the public respondent page, and the results
of one questionnaire with 100,000 responses: ``measure_responses()`` ("responses_per_s") and ``measure_results()``
("survey_100k_results_s"), which `fankui bench surveys` runs as two of its measurements; ``measure()`` runs both.

Each part migrates a throwaway database of its own (``bench.intake.bench_database``); a child process builds a
published questionnaire through the builder's services (one page: NPS, CSAT, CES, a single choice and a free text).

1. ``responses_per_s``: the real server (``bench.intake.serving``: `fankui serve`), ``-n`` responses posted to the
   public link ``/q/<key>/`` by ``--concurrency`` keep-alive clients, each POST the whole page with "submit" (what a
   phone's browser sends; the CSRF token read once per client from the page). A response counts when the server
   answers 302 to the "thank you" page; afterwards the responses in the database are counted (``stored``). One
   response in five is a detractor, whose follow-up case is opened in the same request (``questionnaires.alerts``),
   as in production. The public rate limit is off (one client address sends everything).
2. ``survey_100k_results_s``: a child process fills a second questionnaire (the same questions, two versions) with
   ``--responses`` responses by bulk INSERTs (COPY on PostgreSQL) over twelve months, one in ten with a text and its
   analysis reading; another times ``results.rollup`` plus a cross-tab by channel, the figures the results page
   shows. ``page_s`` is the whole results page rendered for a supervisor (test client, in the same process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from fankui.bench.intake import Result, bench_database, serving

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- The questionnaire (child process) ----------------------------------------------------------------------------
def _supervisor() -> Any:
    from fankui.accounts import services as accounts
    from fankui.accounts.models import Role, User

    user = User.objects.filter(username="bench-supervisor").first()
    return user or accounts.create_user("bench-supervisor", "bench-password-123", Role.SUPERVISOR)


def build_questionnaire(title: str = "政务服务满意度") -> dict[str, Any]:
    """A published one-page questionnaire; what a client needs to answer it (keys of its inputs and choices)."""
    from fankui.questionnaires.models import State
    from fankui.questionnaires.services import building
    from fankui.questionnaires.services.building import ChoiceInput, QuestionInput, Settings

    user = _supervisor()
    questionnaire = building.create(user, Settings(title_zh=title, title_en="Satisfaction"))
    page = questionnaire.current_version.pages.get()  # type: ignore[union-attr]

    def add(kind: str, text: str, **more: Any) -> Any:
        return building.save_question(
            user, questionnaire, QuestionInput(kind=kind, text_zh=text, page_key=page.key, **more)
        )

    nps = add("nps", "您有多大可能向亲友推荐本中心？", required=True)
    csat = add("csat", "您对本次服务满意吗？")
    ces = add("ces", "办理这项业务有多容易？")
    window = add(
        "single", "您在哪个窗口办理？", options=[ChoiceInput(f"{n}号窗口", f"Window {n}") for n in range(1, 6)]
    )
    why = add("text", "还有什么想告诉我们的？")
    building.set_state(user, questionnaire, State.PUBLISHED)
    return {
        "id": questionnaire.pk,
        "public_key": questionnaire.public_key,
        "page": page.key,
        "nps": nps.field,
        "csat": csat.field,
        "ces": ces.field,
        "window": window.field,
        "windows": [c.key for c in window.choices.all()],
        "why": why.field,
    }


# --- 1. Responses through the public page -------------------------------------------------------------------------
def _form(spec: dict[str, Any], rng: random.Random, token: str) -> dict[str, str]:
    detractor = rng.random() < 0.2
    data = {
        "csrfmiddlewaretoken": token,
        "page": spec["page"],
        "go": "submit",
        spec["nps"]: str(rng.randint(0, 6) if detractor else rng.randint(7, 10)),
        spec["csat"]: str(rng.randint(1, 2) if detractor else rng.randint(3, 5)),
        spec["ces"]: str(rng.randint(1, 7)),
        spec["window"]: rng.choice(spec["windows"]),
    }
    if detractor or rng.random() < 0.1:
        data[spec["why"]] = rng.choice(
            ["排队时间太长，窗口开得太少。", "工作人员态度很好，谢谢。", "材料要求说明不清楚。"]
        )
    return data


async def post_responses(base: str, spec: dict[str, Any], n: int, concurrency: int, seed: int) -> Result:
    """``n`` responses posted to the public page by ``concurrency`` keep-alive clients (aiohttp); a 302 to the
    thank-you page counts as stored, anything else as an error."""
    import aiohttp

    result = Result()
    counter = iter(range(n))
    url = f"{base}/q/{spec['public_key']}/"

    async def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        # unsafe: keep the cookies of an address like 127.0.0.1 (the CSRF cookie).
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), cookie_jar=jar) as session:
            async with session.get(url) as page:
                found = TOKEN.search(await page.text())
            if found is None:
                result.errors += 1
                result.error_samples.append("no CSRF token on the page")
                return
            token = found.group(1)
            for _ in counter:
                started = time.perf_counter()
                try:
                    async with session.post(url, data=_form(spec, rng, token), allow_redirects=False) as response:
                        await response.read()
                        status, location = response.status, response.headers.get("Location", "")
                except (TimeoutError, aiohttp.ClientError) as exc:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(repr(exc))
                    continue
                result.latencies.append(time.perf_counter() - started)
                if status == 302 and "done=1" in location:
                    result.codes.append("ok")
                else:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{status} {location}")

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return result


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "fankui", "bench", "questionnaires", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def count_stored(questionnaire_id: int) -> dict[str, Any]:
    from fankui.questionnaires.models import FollowUp, Response

    return {
        "stored": Response.objects.filter(questionnaire_id=questionnaire_id).count(),
        "follow_up_cases": FollowUp.objects.filter(response__questionnaire_id=questionnaire_id).count(),
    }


# --- 2. One questionnaire with 100,000 responses ------------------------------------------------------------------
def _answers(plan: list[tuple], questions: dict[int, dict[str, Any]]) -> Iterator[tuple]:
    """(response, question, choice, number, text) of each planned response: one in five a detractor."""
    for p in plan:
        r = p[4]
        detractor = r < 0.2
        for q in questions[p[1]].values():
            kind = q.kind
            if kind == "nps":
                yield (p[0], q.pk, None, int(r * 35) if detractor else 7 + int(r * 100) % 4, "")
            elif kind == "csat":
                yield (p[0], q.pk, None, 1 + int(r * 10) if detractor else 3 + int(r * 100) % 3, "")
            elif kind == "ces":
                yield (p[0], q.pk, None, 1 + int(r * 1000) % 7, "")
            elif kind == "scale":
                yield (p[0], q.pk, None, 1 + int(r * 10000) % 5, "")
            elif kind == "single":
                options = list(q.choices.all())
                yield (p[0], q.pk, options[int(r * 100000) % len(options)].pk, None, "")
            elif kind == "text" and r < 0.1:
                yield (p[0], q.pk, None, None, "排队时间太长，窗口开得太少。" if detractor else "服务很好。")


def _insert_readings(questionnaire: Any, when: datetime) -> int:
    """The analysis's readings of the text answers, as the worker would have left them."""
    from fankui.bench.report import _insert, _rows_for
    from fankui.questionnaires.models import Answer, TextReading

    texts = Answer.objects.filter(question__version__questionnaire=questionnaire).exclude(text="")
    return _insert(
        *_rows_for(
            TextReading,
            {
                "answer_id": lambda a: a[0],
                "masked_text": lambda a: a[1],
                "sentiment": lambda a: "negative" if "太" in a[1] else "positive",
                "keywords": lambda a: json.dumps(["排队", "窗口"] if "太" in a[1] else ["服务"]),
                "analysed_at": lambda a: when,
            },
            list(texts.values_list("id", "text")),
        )
    )


def fill(responses: int, seed: int = 7) -> dict[str, Any]:
    """A questionnaire in two versions with ``responses`` responses over twelve months, by bulk INSERTs."""
    from django.db import connection, transaction

    from fankui.bench.report import _insert, _rows_for
    from fankui.questionnaires.models import Answer, Question, Questionnaire, Response
    from fankui.questionnaires.services import building
    from fankui.questionnaires.services.building import QuestionInput

    spec = build_questionnaire("患者满意度")
    questionnaire = Questionnaire.objects.get(pk=spec["id"])
    first = questionnaire.current_version
    # A first response makes the next edit a new version (the builder never changes an answered version).
    user = _supervisor()
    from fankui.questionnaires.services.answering import submit

    made = submit(questionnaire, {spec["nps"][2:]: "9"})
    building.save_question(
        user, questionnaire, QuestionInput(kind="scale", text_zh="环境整洁", page_key=spec["page"], scale_max=5)
    )
    questionnaire.refresh_from_db()
    second = questionnaire.current_version
    assert first is not None and second is not None and first.pk != second.pk
    questions = {
        v.pk: {q.key: q for q in Question.objects.filter(version=v).prefetch_related("choices")}
        for v in (first, second)
    }
    rng = random.Random(seed)
    end = datetime(2026, 11, 30, tzinfo=UTC)
    start = end - timedelta(days=365)
    span = (end - start).total_seconds()
    # That first response is dated before the others: rows in time order, as ``submit`` writes them.
    Response.objects.filter(pk=made.pk).update(submitted_at=start - timedelta(days=1))
    first_id = (Response.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    plan = []
    for i in range(responses):
        when = start + timedelta(seconds=span * i / responses)
        version = first if i < responses * 0.6 else second
        plan.append((first_id + i, version.pk, when, "invitation" if rng.random() < 0.3 else "public", rng.random()))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["responses"] = _insert(
            *_rows_for(
                Response,
                {
                    "id": lambda p: p[0],
                    "questionnaire_id": lambda p: questionnaire.pk,
                    "version_id": lambda p: p[1],
                    "via": lambda p: p[3],
                    "language": lambda p: "zh-hans",
                    "submitted_at": lambda p: p[2],
                },
                plan,
            )
        )

        counts["answers"] = _insert(
            *_rows_for(
                Answer,
                {
                    "response_id": lambda a: a[0],
                    "question_id": lambda a: a[1],
                    "choice_id": lambda a: a[2],
                    "number": lambda a: a[3],
                    "text": lambda a: a[4],
                },
                _answers(plan, questions),
            )
        )
        counts["readings"] = _insert_readings(questionnaire, end)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"questionnaire": questionnaire.pk, **counts}


def time_results(questionnaire_id: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from fankui.questionnaires.models import Questionnaire
    from fankui.questionnaires.services import crosstab, results

    questionnaire = Questionnaire.objects.get(pk=questionnaire_id)
    with translation.override("zh-hans"):
        started = time.perf_counter()
        rollup = results.rollup(questionnaire)
        headline = rollup.headline[0].key if rollup.headline else ""
        crosstab.cross_tab(rollup, "via", headline)
        rolled = time.perf_counter() - started
    # The throwaway database's supervisor has no second factor: signed in as a test would be.
    settings.FANKUI_TWO_FACTOR_ROLES = []
    client = Client()
    client.force_login(_supervisor())
    started = time.perf_counter()
    page = client.get(reverse("questionnaires:results", args=[questionnaire_id]), HTTP_HOST="127.0.0.1")
    page_s = time.perf_counter() - started
    return {
        "survey_100k_results_s": round(rolled, 2),
        "page_s": round(page_s, 2),
        "page_status": page.status_code,
        "results_responses": rollup.responses,
        "nps": rollup.headline[0].figure if rollup.headline else None,
    }


# --- The whole benchmark ------------------------------------------------------------------------------------------
def measure_responses(
    n: int = 2000,
    concurrency: int = 16,
    workers: int | None = None,
    threads: int | None = None,
    warmup: int = 100,
) -> dict[str, Any]:
    """1. ``responses_per_s`` through the public page of a running server, in a throwaway database of its own."""
    workers = workers or settings.FANKUI_WEB_WORKERS
    threads = threads or settings.FANKUI_WEB_THREADS
    out: dict[str, Any] = {}
    with bench_database() as (engine, env):
        env["FANKUI_RATE_QUESTIONNAIRE"] = "off"
        out["engine"] = engine
        subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
        spec = _child(env, "--setup")
        with serving(env, workers, threads) as (base, _server):
            warm = asyncio.run(post_responses(base, spec, warmup, concurrency, seed=1))
            started = time.perf_counter()
            measured = asyncio.run(post_responses(base, spec, n, concurrency, seed=2))
            elapsed = time.perf_counter() - started
        latencies = sorted(measured.latencies)
        out.update(
            {
                "workers": workers,
                "threads": threads,
                "responses_per_s": round(len(measured.codes) / elapsed, 1) if elapsed else 0.0,
                "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else 0.0,
                "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1)
                if latencies
                else 0.0,
                "errors": measured.errors + warm.errors,
                "acknowledged": len(measured.codes) + len(warm.codes),
                "error_samples": measured.error_samples + warm.error_samples,
            }
        )
        out.update(_child(env, "--count", str(spec["id"])))
    return out


def measure_results(responses: int = 100_000) -> dict[str, Any]:
    """2. ``survey_100k_results_s``: a questionnaire of ``responses`` responses, in a throwaway database of its own."""
    out: dict[str, Any] = {}
    with bench_database() as (engine, env):
        out["engine"] = engine
        subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
        started = time.perf_counter()
        built = _child(env, "--fill", str(responses))
        out["fill_s"] = round(time.perf_counter() - started, 1)
        out.update(_child(env, "--time", str(built["questionnaire"])))
    return out


def measure(
    n: int = 2000,
    concurrency: int = 16,
    workers: int | None = None,
    threads: int | None = None,
    responses: int = 100_000,
    warmup: int = 100,
) -> dict[str, Any]:
    """Both (``fankui bench questionnaires``; ``fankui bench surveys`` runs them as two of its measurements)."""
    out: dict[str, Any] = {"bench": "questionnaires", "n": n, "concurrency": concurrency, "responses": responses}
    if n:
        out.update(measure_responses(n, concurrency, workers, threads, warmup))
    if responses:
        out.update(measure_results(responses))
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=2000, help="responses posted through the public page (0: skip)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: fankui serve's)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: fankui serve's)")
    parser.add_argument("--responses", type=int, default=100_000, help="responses of the results' questionnaire")
    # The child processes of ``measure``, each in the throwaway database.
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--time", type=int, help=argparse.SUPPRESS)


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("setup"):
        return build_questionnaire()
    if options.get("count") is not None:
        return count_stored(options["count"])
    if options.get("fill") is not None:
        return fill(options["fill"])
    if options.get("time") is not None:
        return time_results(options["time"])
    return measure(
        n=options["n"],
        concurrency=options["concurrency"],
        workers=options["workers"],
        threads=options["threads"],
        responses=options["responses"],
    )
