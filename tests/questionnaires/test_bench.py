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
