from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from fankui.accounts.models import Department, Role, User

from . import factories

FROZEN_AT = "2026-11-16 10:00:00+08:00"  # a Monday morning


def pytest_configure() -> None:
    from django.conf import settings

    # Real hashing costs a quarter second per user; tests make thousands.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits and required two-factor sign-in are off for the suite (thousands of requests from one test
    # client, staff signed in with force_login); their own tests turn them on with the `settings` fixture
    # (tests/accounts/test_two_factor.py, tests/portal/test_rate_limits.py).
    settings.FANKUI_RATE_LIMITS = {}
    settings.FANKUI_TWO_FACTOR_ROLES = []


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Counters of rate limits and lockouts, cached figures: no test sees another's.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _audit_triggers_let_the_flush_through(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test's database is emptied afterwards with DELETE on SQLite, which the audit tables' triggers
    refuse: they are dropped just before, and the flush's ``post_migrate`` puts them back (audit.triggers)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down (flushed) after this fixture
    yield
    from django.db import connection

    from fankui.audit import triggers

    triggers.remove(connection)


@pytest.fixture
def centre(db: None) -> Department:
    return factories.department("12345热线服务中心", is_dispatch_centre=True)


@pytest.fixture
def dept(db: None) -> Department:
    return factories.department("市住房和城乡建设局")


@pytest.fixture
def other_dept(db: None) -> Department:
    return factories.department("市生态环境局")


@pytest.fixture
def dispatcher(centre: Department) -> User:
    return factories.user(Role.DISPATCHER, centre)


@pytest.fixture
def handler(dept: Department) -> User:
    return factories.user(Role.HANDLER, dept)


@pytest.fixture
def supervisor(centre: Department) -> User:
    return factories.user(Role.SUPERVISOR, centre)


@pytest.fixture
def client_for() -> object:
    """``client_for(user)``: a Django test client logged in as ``user``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
