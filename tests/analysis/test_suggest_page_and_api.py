"""The operator's suggestions as the desk asks for them (``analysis:suggest``, an htmx fragment) and as a program asks
for them (``POST /api/v1/analysis/suggest``): who may ask, what is shown, bad input, limits, and nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from fankui.accounts.models import Department, Role, User
from fankui.accounts.services import issue_token
from fankui.analysis import queries, suggestions, tasks
from fankui.analysis.models import CaseAnalysis
from fankui.audit.models import Access, Event
from fankui.cases.models import Case
from fankui.intake.models import Submission
from fankui.notify.models import Message
from fankui.topics import duplicates
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/staff/analysis/suggest/"
API = "/api/v1/analysis/suggest"
REPORT = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
AGAIN = "丽发新城小区旁边建了个搅拌站，每晚噪音很大，灰尘满天飞，居民根本无法休息，请尽快处理！"
PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>"]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    suggestions.forget_models()
    duplicates.reset_index()
    yield
    suggestions.forget_models()
    duplicates.reset_index()


def page_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_client(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'tests')}", HTTP_ACCEPT_LANGUAGE="en")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Case, Submission, CaseAnalysis, Event, Access, Message)}


def test_the_url_is_named_for_the_desk() -> None:
    assert reverse("analysis:suggest") == URL


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN])
def test_the_people_who_triage_get_the_fragment(role: str, centre: Department) -> None:
    response = page_client(factories.user(role, centre)).post(URL, {"text": "我家厨房燃气泄漏，闻到很浓的煤气味"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "gas leak" in html
    assert "Transfer the caller to 119 fire and rescue" in html
    assert 'data-suggest="urgency" data-value="emergency"' in html
    assert "<html" not in html and len(html) < 4000  # a fragment, not a page


@pytest.mark.parametrize("role", [Role.HANDLER, Role.DEPT_HEAD, Role.ANALYST, Role.AUDITOR])
def test_everyone_else_is_refused(role: str, dept: Department) -> None:
    client = page_client(factories.user(role, dept))

    assert client.post(URL, {"text": "路灯坏了"}).status_code == 403
    api = api_client(factories.user(role, dept)).post(API, {"text": "路灯坏了"}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"


def test_signed_out_visitors_and_get_requests_get_nothing(dispatcher: User) -> None:
    signed_out = Client().post(URL, {"text": "路灯坏了"})
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    assert page_client(dispatcher).get(URL).status_code == 405
    assert Client().post(API, {"text": "路灯坏了"}, content_type="application/json").status_code == 401


def test_the_fragment_needs_the_csrf_token_htmx_sends(dispatcher: User) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(dispatcher)
    client.get("/staff/", follow=True)  # sets the CSRF cookie, as the desk's page does
    token = client.cookies["csrftoken"].value

    assert client.post(URL, {"text": "路灯坏了"}).status_code == 403
    assert client.post(URL, {"text": "路灯坏了"}, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_blank_text_shows_what_will_appear(dispatcher: User) -> None:
    response = page_client(dispatcher).post(URL, {"text": "  "})

    assert response.status_code == 200
    assert "Suggestions appear here" in response.content.decode()


def test_a_title_alone_is_enough(dispatcher: User) -> None:
    response = page_client(dispatcher).post(URL, {"text": "", "title": "楼道里煤气泄漏"})

    assert 'data-value="emergency"' in response.content.decode()


def test_the_likely_duplicate_is_linked_by_its_number(dispatcher: User) -> None:
    first = factories.case(REPORT)

    html = page_client(dispatcher).post(URL, {"text": AGAIN}).content.decode()

    assert f'href="/staff/cases/{first.pk}/"' in html and first.number in html
    data = api_client(dispatcher).post(API, {"text": AGAIN}, content_type="application/json").json()
    assert data["duplicate"]["id"] == first.pk and data["duplicate"]["number"] == first.number
    assert data["duplicate"]["url"] == f"/staff/cases/{first.pk}/"


def test_a_duplicate_the_user_may_not_see_is_not_named(handler: User) -> None:
    other = factories.case(REPORT)
    suggestion = suggestions.Suggestion(
        kind="complaint",
        kind_confidence=0.5,
        category=None,
        department=None,
        urgency="normal",
        urgency_confidence=0.8,
        duplicate=suggestions.Duplicate(other.pk, 0.9),
    )

    assert queries.suggested_duplicate(suggestion, handler) is None  # not dispatched to the handler's department
    assert queries.suggested_duplicate(suggestion, factories.user(Role.DISPATCHER)) is not None


def test_the_duplicate_s_title_is_shown_masked(dispatcher: User) -> None:
    first = factories.case(REPORT, title="搅拌站扰民 电话13812345678")
    tasks.analyse_pending()

    html = page_client(dispatcher).post(URL, {"text": AGAIN, "title": "搅拌站扰民"}).content.decode()

    assert first.number in html
    assert "13812345678" not in html and "138****5678" in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_the_text_or_in_a_duplicate_is_shown_as_text(dispatcher: User, payload: str) -> None:
    factories.case(REPORT, title=payload)

    html = page_client(dispatcher).post(URL, {"text": AGAIN + payload, "title": payload}).content.decode()

    assert not re.search(r"<(script|img|svg)\b", html)
    assert "&lt;" in html  # the duplicate's title, escaped


def test_a_control_character_gets_a_clear_message(dispatcher: User) -> None:
    response = page_client(dispatcher).post(URL, {"text": "路灯\x00坏了"})

    assert response.status_code == 200  # htmx swaps in only successful answers: the operator must see it
    assert "invisible control character (U+0000)" in response.content.decode()
    api = api_client(dispatcher).post(API, {"text": "路灯\x00坏了"}, content_type="application/json")
    assert api.status_code == 422
    assert "U+0000" in api.json()["errors"]["text"][0]
    title = api_client(dispatcher).post(API, {"text": "路灯坏了", "title": "\x07"}, content_type="application/json")
    assert title.status_code == 422 and "title" in title.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": None}, {"text": "路灯", "title": ["x"]}],
)
def test_the_api_answers_bad_input_with_422(dispatcher: User, body: dict[str, object]) -> None:
    response = api_client(dispatcher).post(API, body, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_the_api_answers_with_every_suggestion(dispatcher: User) -> None:
    response = api_client(dispatcher).post(
        API, {"text": "我的电话13812345678，楼下有人持刀砍人", "title": ""}, content_type="application/json"
    )

    assert response.status_code == 200
    data = response.json()
    assert data["urgency"] == "emergency" and data["emergency"] is True
    assert data["urgency_reasons"] == ["violence"] and data["urgency_reason_labels"] == ["violence"]
    assert data["emergency_numbers"] == ["110"] and "110 police" in data["emergency_instruction"]
    assert data["kind"] and data["kind_label"]
    assert data["personal_data"] == {"mobile": 1}
    assert data["model_versions"] is None  # for analysts and administrators
    assert "13812345678" not in response.content.decode()


def test_nothing_is_written_by_either(dispatcher: User) -> None:
    factories.case(REPORT)
    page, api = page_client(dispatcher), api_client(dispatcher)
    before = counts()

    for text in (AGAIN, "我家厨房燃气泄漏", "路灯\x00坏了", ""):
        page.post(URL, {"text": text})
        api.post(API, {"text": text}, content_type="application/json")

    assert counts() == before


def test_each_operator_is_limited_on_their_own(
    dispatcher: User, supervisor: User, settings: pytest.FixtureRequest
) -> None:
    settings.FANKUI_RATE_LIMITS = {"suggest": (2, 60)}  # type: ignore[attr-defined]
    page = page_client(dispatcher)

    assert [page.post(URL, {"text": "路灯坏了"}).status_code for _ in range(2)] == [200, 200]
    over = page.post(URL, {"text": "路灯坏了"})
    assert over.status_code == 429 and int(over["Retry-After"]) >= 1
    assert "Too many requests" in over.content.decode()
    api = api_client(dispatcher).post(API, {"text": "路灯坏了"}, content_type="application/json")
    assert api.status_code == 429 and api["Retry-After"]
    # Another operator at the same address is not held back by the first one.
    assert page_client(supervisor).post(URL, {"text": "路灯坏了"}).status_code == 200
