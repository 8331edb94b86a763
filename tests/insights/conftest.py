from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import translation

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.surveys.services import rate

from .. import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """'2026-10-31 23:30' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def at() -> Callable[[str], AbstractContextManager[object]]:
    """``with at("2026-10-05 09:00"):`` runs the block at that Beijing time."""

    def travel(text: str) -> AbstractContextManager[object]:
        return time_machine.travel(local(text), tick=False)

    return travel


@pytest.fixture
def walk(dispatcher: User, handler: User, dept: Department) -> Callable[..., Case]:
    """``walk(when, to="closed", level=5)``: a case received at ``when`` and moved on at the same moment."""

    def make(when: str, to: str = "received", level: int | None = None, **submission: object) -> Case:
        with time_machine.travel(local(when), tick=False):
            case = factories.case(**submission)  # type: ignore[arg-type]
            if to == "received":
                return case
            if to == "rejected":
                return moves.reject(case, dispatcher, "不属于受理范围")
            moves.accept(case, dispatcher)
            if to == "accepted":
                return case
            moves.dispatch(case, dispatcher, dept)
            moves.start(case, handler)
            moves.reply(case, handler, "已处理。")
            if to == "replied":
                return case
            rate(case, level if level is not None else 5)
            case.refresh_from_db()
            return case

    return make


@pytest.fixture
def head(dept: Department) -> User:
    return factories.user("dept_head", dept)


@pytest.fixture
def analyst(centre: Department) -> User:
    return factories.user("analyst", centre)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Figures carry labels in the active language; these tests read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache() -> Iterator[None]:
    """The dashboard keeps figures in the cache for minutes; each test starts without them."""
    cache.clear()
    yield
    cache.clear()
