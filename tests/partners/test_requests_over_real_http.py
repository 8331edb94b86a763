"""Issue 15, "Partner webhook in", over a real HTTP connection (the live server on the loopback), as a partner's
backend sends it: the signature covers the bytes on the wire; retries racing each other open one case."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection

from fankui.cases.models import Case
from fankui.partners import services

from .conftest import REQUEST, sign


def _send(url: str, secret: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = json.dumps(data, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Fankui-Timestamp": stamp,
            "X-Fankui-Signature": sign(secret, stamp, body),
            "Accept-Language": "en",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_a_request_over_http_opens_a_case(live_server: Any) -> None:
    _partner, secret = services.create_partner("微信小程序", "wechat-mp")
    url = f"{live_server.url}/partners/wechat-mp/submissions"
    status, answer = _send(url, secret, REQUEST)
    assert status == 201, answer
    assert Case.objects.filter(tracking_code=answer["tracking_code"]).exists()
    status, answer = _send(url, "wrong", REQUEST)
    assert (status, answer["code"]) == (401, "bad_signature")


@pytest.mark.django_db(transaction=True)
def test_retries_racing_each_other_open_one_case(live_server: Any, _frozen_time: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need a database server (FANKUI_DATABASE_URL=postgres://...)")
    _partner, secret = services.create_partner("微信小程序", "wechat-mp")
    url = f"{live_server.url}/partners/wechat-mp/submissions"
    answers: list[tuple[int, dict[str, Any]]] = []

    def attempt(n: int) -> None:
        # Each retry differs in a field the case does not keep, so each is signed differently, as a real retry is.
        answers.append(_send(url, secret, {**REQUEST, "unknown_field": n}))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _answer in answers)
    assert statuses == [200, 200, 200, 200, 200, 201], answers
    assert len({answer["tracking_code"] for _status, answer in answers}) == 1
    assert Case.objects.count() == 1
