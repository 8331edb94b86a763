"""`fankui bench questionnaires`: responses stored per second through the respondent's page (two pages posted,
then the thank-you page), in one process with Django's test client: no HTTP server, so it measures the page's own
work (the draft, show-if, validation, the locked quota count, the answers' INSERT) and the middleware, not the network.

A throwaway database (``fankui.bench.intake.bench_database``) is migrated; a fresh process copies the government
service template, publishes it, and answers it ``-n`` times as different respondents (cookies cleared each time, so a
new draft each), detractors and promoters alternating so that show-if pages differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from fankui.bench.intake import bench_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=500, help="responses (default 500)")
    parser.add_argument("--time", type=int, help=argparse.SUPPRESS)


def time_responses(n: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from fankui.accounts import services as accounts
    from fankui.accounts.models import Role
    from fankui.questionnaires.models import Response, State
    from fankui.questionnaires.services import building, shipped
    from fankui.questionnaires.services.answering import Form

    settings.ALLOWED_HOSTS = ["*"]
    settings.FANKUI_RATE_LIMITS = {}
    user = accounts.create_user("bench-supervisor", "bench-password-1", Role.SUPERVISOR)
    questionnaire = shipped.copy(user, "government_service")
    building.set_state(user, questionnaire, State.PUBLISHED)
    questionnaire.refresh_from_db()
    assert questionnaire.current_version is not None
    form = Form.of(questionnaire.current_version)
    first, second = form.pages
    url = f"/q/{questionnaire.public_key}/"
    on_first = form.on_page(first)
    on_second = form.on_page(second)
    client = Client()  # one handler (its middleware is built once, as in a server process)
    started = time.perf_counter()
    for i in range(n):
        client.cookies.clear()  # a new respondent: no draft cookie
        page_one: dict[str, Any] = {"page": first.key, "go": "next"}
        for question in on_first:
            if question.kind == "single":
                page_one[question.field] = question.options[4 if i % 2 else 0].key  # type: ignore[attr-defined]
            elif question.kind == "nps":
                page_one[question.field] = str(i % 11)
            elif question.kind == "ces":
                page_one[question.field] = str(1 + i % 7)
        client.post(url, page_one)
        page_two: dict[str, Any] = {"page": second.key, "go": "submit"}
        for question in on_second:
            if question.kind == "matrix":
                for row in question.rows:  # type: ignore[attr-defined]
                    page_two[f"{question.field}_{row.key}"] = question.options[i % 5].key  # type: ignore[attr-defined]
            elif question.kind == "text":
                page_two[question.field] = "排队时间太长，希望增加窗口。"
        done = client.post(url, page_two)
        if done.status_code != 302:
            raise SystemExit(f"response {i} was refused: {done.status_code}")
    elapsed = time.perf_counter() - started
    stored = Response.objects.count()
    return {"responses": stored, "seconds": round(elapsed, 2), "responses_per_s": round(stored / elapsed, 1)}


def run(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("time") is not None:
        return time_responses(options["time"])
    n = options["n"]
    with bench_database() as (engine, env):
        env["FANKUI_RATE_QUESTIONNAIRE"] = "off"
        fankui = [sys.executable, "-m", "fankui"]
        subprocess.run([*fankui, "migrate", "--no-input", "-v0"], env=env, check=True)
        timed = subprocess.run(
            [*fankui, "bench", "questionnaires", "--time", str(n)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    result: dict[str, Any] = {"bench": "questionnaires", "engine": engine, "n": n, "cores": os.cpu_count()}
    result.update(json.loads(timed.stdout.strip().splitlines()[-1]))
    return result
