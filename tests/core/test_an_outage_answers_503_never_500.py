"""The database unreachable: a submission is refused with 503 and Retry-After, as JSON from the API and as a page
from the form, never a 500 with a traceback; a real bug still is a 500 (issue 17; core.middleware)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from fankui.portal import api as portal_api
from fankui.portal import views as portal_views

pytestmark = pytest.mark.django_db

SUBMISSION = {"body": "小区门口的路灯坏了一个月，晚上很黑。"}


def _down(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_the_api_answers_503_with_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_api, "receive", _down)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/submissions", json.dumps(SUBMISSION), content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "unavailable"
    assert (
        body["detail"] == "The service is briefly unavailable and nothing was stored. Please send it again in a minute."
    )
    assert "5432" not in response.content.decode()  # nothing of the error's text


def test_a_lost_connection_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_api, "receive", lambda *a: (_ for _ in ()).throw(InterfaceError("connection closed")))
    response = Client().post("/api/v1/submissions", json.dumps(SUBMISSION), content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"]


def test_the_form_answers_a_page_with_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_views, "receive", _down)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/")
    token = page.content.decode().split('name="token" value="', 1)[1][:32]
    response = client.post("/", {"token": token, "body": SUBMISSION["body"]})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "nothing was stored" in response.content.decode()


def test_a_failure_before_any_view_answers_503_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session read while the database is down happens in a middleware, before the view."""
    monkeypatch.setattr(SessionStore, "load", _down)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/track/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_a_bug_is_still_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*args: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(portal_api, "receive", bug)
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/submissions", json.dumps(SUBMISSION), content_type="application/json")
    assert response.status_code == 500
