"""Issue 14, item 10: a body over Django's size limit (DATA_UPLOAD_MAX_MEMORY_SIZE) got the HTML 400 page, also
from the API. The API answers JSON 413 {"code", "detail"}, a page the 413 page saying what to do; a body that is
not JSON answers JSON 400 in the reader's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case


@pytest.fixture
def small_limit(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_the_api_answers_json_413_for_a_body_over_the_limit() -> None:
    big = json.dumps({"body": "路" * (1024 * 1024)})
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/submissions", big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "too_large",
        "detail": "The request is larger than this site accepts (1 MB).",
    }
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_the_staff_api_answers_json_413_too(dispatcher: Any) -> None:
    from fankui.accounts.services import issue_token

    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(dispatcher, 't')}", HTTP_ACCEPT_LANGUAGE="en")
    big = json.dumps({"note": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/cases/1/actions/accept", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_a_page_says_what_was_too_large() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/", {"body": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    text = response.content.decode()
    assert "Too much to send at once" in text and "(1 MB)" in text
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_gets_a_json_400_in_the_readers_language() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/submissions", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "detail": "The request body could not be read: send JSON (Content-Type: application/json).",
    }
