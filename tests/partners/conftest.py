"""Fixtures of the partner webhook tests: a partner with its secret, signed requests, and a real HTTP server on the
loopback that plays the partner's callback endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from fankui.partners import services
from fankui.partners.models import Partner


@dataclass
class Made:
    partner: Partner
    secret: str


@pytest.fixture
def made(db: None) -> Made:
    partner, secret = services.create_partner("微信小程序", "wechat-mp")
    return Made(partner, secret)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Written here from the documentation, not with the product's own code: what a partner would write."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


REQUEST = {
    "reference": "WX-0001",
    "title": "路灯不亮",
    "body": "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。",
    "contact": {"name": "张先生", "phone": "13800138000"},
    "location": {"address": "人民路88号"},
}


@pytest.fixture
def post(made: Made) -> Callable[..., Any]:
    """``post(data)``: a request signed now with the partner's secret; ``raw`` bytes, ``timestamp``, ``signature``,
    ``secret`` and ``slug`` change what is sent."""

    def send(
        data: Any = None,
        *,
        raw: bytes | None = None,
        timestamp: str | None = None,
        signature: str | None = None,
        secret: str | None = None,
        slug: str | None = None,
        **extra: Any,
    ) -> Any:
        body = raw if raw is not None else json.dumps(REQUEST if data is None else data, ensure_ascii=False).encode()
        stamp = timestamp if timestamp is not None else str(int(time.time()))
        headers = {
            "HTTP_X_FANKUI_TIMESTAMP": stamp,
            "HTTP_X_FANKUI_SIGNATURE": signature if signature is not None else sign(secret or made.secret, stamp, body),
            "HTTP_ACCEPT_LANGUAGE": "en",
            **extra,
        }
        return Client().post(
            f"/partners/{slug or made.partner.slug}/submissions", body, content_type="application/json", **headers
        )

    return send


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CallbackServer:
    url: str
    received: list[Received] = field(default_factory=list)
    # Statuses to answer, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    retry_after: str = ""


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    server_state: dict[str, CallbackServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state = server_state["s"]
            length = int(self.headers.get("Content-Length") or 0)
            state.received.append(Received(dict(self.headers.items()), self.rfile.read(length)))
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if state.retry_after and status in (429, 503):
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state["s"] = CallbackServer(url=f"http://127.0.0.1:{httpd.server_address[1]}/fankui/callback")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state["s"]
    finally:
        httpd.shutdown()
        httpd.server_close()
