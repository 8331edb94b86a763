"""The worker takes the models and dictionaries its first work loaded out of the garbage collector's reach, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fankui.core.management.commands import worker
from tests import factories


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(worker, "freeze_long_lived", lambda: calls.append(1))
    return calls


@pytest.mark.django_db
def test_a_worker_with_nothing_to_do_freezes_nothing(freezes: list[int]) -> None:
    call_command("worker", "--once")
    assert freezes == []


@pytest.mark.django_db
def test_the_first_work_done_freezes_what_it_loaded_once(freezes: list[int]) -> None:
    factories.case("小区门口路灯坏了一个月，晚上很黑。")
    factories.case("公交站台的顶棚漏雨，请修理。")
    call_command("worker", "--once")  # analyses both pending cases (and any other sweep's work)
    assert freezes == [1]
