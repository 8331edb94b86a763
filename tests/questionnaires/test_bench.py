"""`fankui bench questionnaires`: responses posted through the public page of a live server are stored, and the
results of a questionnaire filled by bulk INSERTs are timed through the same rollup as the page."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from fankui.bench import questionnaires as bench
from fankui.questionnaires.models import FollowUp, Response


@pytest.mark.django_db(transaction=True)
def test_responses_posted_to_the_public_page_are_stored(live_server: Any, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {}
    spec = bench.build_questionnaire()
    # One client: the test database in memory takes one writer at a time.
    # In a thread of its own: an earlier test of the suite may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, bench.post_responses(live_server.url, spec, 12, 1, seed=3)).result()
    assert result.errors == 0, result.error_samples
    assert len(result.codes) == 12
    assert bench.count_stored(spec["id"])["stored"] == Response.objects.count() == 12
    # One in five is a detractor, whose follow-up case opened in the same request.
    assert FollowUp.objects.count() == bench.count_stored(spec["id"])["follow_up_cases"]


@pytest.mark.django_db(transaction=True)
def test_a_filled_questionnaire_rolls_up(settings: Any) -> None:
    built = bench.fill(300)
    assert built["responses"] == 300 and built["answers"] > 1000
    timed = bench.time_results(built["questionnaire"])
    assert timed["results_responses"] == 301  # and the one submitted to start version 2
    assert timed["page_status"] == 200
    assert -100 <= timed["nps"] <= 100


def test_bench_surveys_prints_the_questionnaires_figures_beside_the_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    from fankui.bench import surveys

    asked: dict[str, Any] = {}

    def responses(n: int, concurrency: int) -> dict[str, Any]:
        asked.update(n=n, concurrency=concurrency)
        return {"engine": "sqlite", "responses_per_s": 55.5, "p99_ms": 80.0, "stored": n, "error_samples": []}

    def results(responses: int) -> dict[str, Any]:
        asked.update(responses=responses)
        return {"engine": "sqlite", "survey_100k_results_s": 1.2, "page_s": 1.5, "results_responses": responses + 1}

    monkeypatch.setattr(bench, "measure_responses", responses)
    monkeypatch.setattr(bench, "measure_results", results)
    line = surveys.run({"only": ["responses", "results"], "posts": 10, "concurrency": 2, "responses": 30})
    assert asked == {"n": 10, "concurrency": 2, "responses": 30}
    assert line["bench"] == "surveys"
    assert line["responses_per_s"] == 55.5 and line["survey_100k_results_s"] == 1.2
    assert line["responses_p99_ms"] == 80.0 and line["responses_stored"] == 10
    assert line["results_page_s"] == 1.5 and line["results_responses"] == 31
    assert "rates_1m_ratings_s" not in line  # --only
