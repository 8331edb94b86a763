"""/healthz and /readyz for load balancers (no login, no personal data, JSON), and the staff header's warning when
the background worker's heartbeat is stale."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import User
from fankui.core import services

from .. import factories

pytestmark = pytest.mark.django_db


def _beat() -> None:
    services.beat("worker-host:4242", timezone.now())


def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_login_or_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_readyz_names_each_check_and_is_ready_with_a_recent_heartbeat(client: Client) -> None:
    _beat()
    status, answer = _ready(client)
    assert status == 200
    assert answer["status"] == "ok"
    assert set(answer["checks"]) == {"database", "migrations", "worker", "analysis_backlog"}
    assert all(check["ok"] for check in answer["checks"].values())


def test_readyz_fails_without_any_worker(client: Client) -> None:
    status, answer = _ready(client)
    assert status == 503
    assert answer["status"] == "unavailable"
    assert answer["checks"]["worker"] == {"ok": False, "last_beat_seconds_ago": None, "stale_after_seconds": 120}
    assert answer["checks"]["database"]["ok"] is True


def test_readyz_fails_when_the_heartbeat_is_stale(
    client: Client, _frozen_time: time_machine.Coordinates, settings: Any
) -> None:
    settings.FANKUI_WORKER_STALE_SECONDS = 60
    _beat()
    _frozen_time.shift(timedelta(seconds=61))
    status, answer = _ready(client)
    assert status == 503
    assert answer["checks"]["worker"]["ok"] is False
    assert answer["checks"]["worker"]["last_beat_seconds_ago"] == 61


def test_readyz_fails_while_the_analysis_backlog_is_over_its_threshold(client: Client, settings: Any) -> None:
    settings.FANKUI_READY_MAX_BACKLOG = 1
    _beat()
    factories.case()
    assert _ready(client)[0] == 200
    factories.case(body="单元楼的电梯停了三天，老人上下楼很困难，请尽快维修。")
    status, answer = _ready(client)
    assert status == 503
    assert answer["checks"]["analysis_backlog"] == {"ok": False, "pending": 2, "max": 1}


def test_readyz_says_nothing_personal(client: Client) -> None:
    factories.case(body="我叫张三，电话13912345678，小区门口路灯坏了。")
    _beat()
    page = client.get("/readyz").content.decode()
    assert "13912345678" not in page and "张三" not in page and "worker-host" not in page


def test_readyz_is_not_redirected_to_https_for_load_balancers(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/staff/").status_code == 301


def test_staff_see_a_warning_while_the_worker_is_stale(
    handler: User, client_for: Callable[[User], Client], _frozen_time: time_machine.Coordinates
) -> None:
    client = client_for(handler)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Background worker not running" in client.get("/staff/inbox/").content.decode()
    _beat()
    assert "Background worker not running" not in client.get("/staff/inbox/").content.decode()
    _frozen_time.shift(timedelta(seconds=121))
    assert "Background worker not running" in client.get("/staff/inbox/").content.decode()


def test_citizens_never_see_the_worker_warning(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Background worker not running" not in client.get("/").content.decode()
