"""The worker tunes the garbage collector once its first work loaded the models and dictionaries it keeps."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fankui.core.management.commands import worker
from tests import factories


@pytest.fixture
def tunings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(worker, "tune_garbage_collection", lambda: calls.append(1))
    return calls


@pytest.mark.django_db
def test_a_worker_with_nothing_to_do_leaves_the_collector_alone(tunings: list[int]) -> None:
    call_command("worker", "--once")
    assert tunings == []


@pytest.mark.django_db
def test_the_first_work_done_tunes_the_collector_once(tunings: list[int]) -> None:
    factories.case("小区门口路灯坏了一个月，晚上很黑。")
    factories.case("公交站台的顶棚漏雨，请修理。")
    call_command("worker", "--once")  # analyses both pending cases (and any other sweep's work)
    assert tunings == [1]
