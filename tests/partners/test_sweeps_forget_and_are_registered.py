"""The partners' sweeps run in the worker; seen signatures are forgotten once their window passed, and finished
callbacks after 30 days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fankui.core.management.commands.worker import sweeps
from fankui.partners.models import SeenSignature

from .conftest import Made


@pytest.mark.django_db
def test_the_worker_runs_the_partner_sweeps() -> None:
    names = {name: task for name, task in sweeps()}
    assert names["partners_deliver"]() == 0
    assert names["partners_forget"]() == 0


@pytest.mark.django_db
def test_seen_signatures_are_forgotten_after_the_window(made: Made, post: Any, _frozen_time: Any) -> None:
    from fankui.partners import tasks

    post()
    assert SeenSignature.objects.count() == 1
    assert tasks.partners_forget() == 0
    _frozen_time.shift(timedelta(seconds=301))
    assert tasks.partners_forget() == 1
    assert not SeenSignature.objects.exists()
