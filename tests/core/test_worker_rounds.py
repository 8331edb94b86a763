"""`fankui worker` begins its rounds ``--interval`` apart: a round that took longer is followed by the next at once,
a short one waits out the rest of the interval. The clock, the pause and the signals are the test's."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from fankui.core.management.commands import worker

pytestmark = pytest.mark.django_db


def run_rounds(monkeypatch: pytest.MonkeyPatch, durations: list[float], interval: float) -> list[float]:
    """Run the worker until it has done one round per duration (each round's one sweep takes that long); returns
    when each round began on the test's clock."""
    clock = [0.0]
    began: list[float] = []
    handlers: dict[int, Callable[..., Any]] = {}

    def sweep() -> int:
        began.append(clock[0])
        clock[0] += durations[len(began) - 1]
        if len(began) == len(durations):
            handlers[signal.SIGTERM](signal.SIGTERM, None)  # stop after this round
        return 0

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    monkeypatch.setattr(worker.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(worker.time, "sleep", sleep)
    monkeypatch.setattr(worker.signal, "signal", lambda number, handler: handlers.__setitem__(number, handler))
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker, "sweeps", lambda: [("test", sweep)])
    with override_settings(FANKUI_WORKER_NICE=0):
        worker.Command().handle(once=False, interval=interval)
    return began


def test_a_round_longer_than_the_interval_is_followed_by_the_next_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_rounds(monkeypatch, [12, 12, 1], interval=5) == [0, 12, 24]


def test_a_short_round_waits_out_the_rest_of_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    began = run_rounds(monkeypatch, [1, 1, 1], interval=5)
    assert began == pytest.approx([0, 5, 10], abs=0.2)
