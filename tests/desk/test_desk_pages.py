"""The desk's page and fragments through the test client: who may open them, what a call records, bad input."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from tests import factories
from tests.xss import PAYLOADS, live_markup

DESK = "/staff/desk/"


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def form(**kwargs: Any) -> dict[str, Any]:
    data = {"caller": "13812345678", "channel": "phone", "body": "请问居住证怎么办理？", "token": uuid.uuid4().hex}
    data.update(kwargs)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN])
def test_the_centre_and_administrators_open_the_desk(role: str, centre: Department, client_for: Any) -> None:
    client = english(client_for(factories.user(role, centre if role != Role.ADMIN else None)))
    page = client.get(DESK)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="desk-suggestions"' in html and "Record the call" in html
    # Only the roles the workflow lets answer at first contact are offered it.
    assert ("Record as answered at first contact" in html) == (role != Role.ADMIN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HANDLER, Role.DEPT_HEAD, Role.ANALYST, Role.AUDITOR])
def test_departments_analysts_and_auditors_may_not(role: str, dept: Department, client_for: Any) -> None:
    client = english(client_for(factories.user(role, dept)))
    assert client.get(DESK).status_code == 403
    assert client.post(DESK, form()).status_code == 403
    for name in ("history", "urgency", "knowledge"):
        assert client.post(reverse(f"desk:{name}"), {"caller": "13812345678", "body": "燃气泄漏"}).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_the_login() -> None:
    answer = Client().get(DESK)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@pytest.mark.django_db
def test_a_call_is_recorded_and_its_tracking_code_shown_on_a_fresh_form(dispatcher: User, client_for: Any) -> None:
    client = english(client_for(dispatcher))
    answer = client.post(DESK, form())
    assert answer.status_code == 302
    case = Case.objects.get()
    assert case.submission.language == settings.LANGUAGE_CODE  # not the operator's English
    page = client.get(DESK).content.decode()
    assert case.display_code in page and "read the tracking code to the caller" in page
    # A fresh form, the first field focused.
    assert re.search(r'<input[^>]*name="caller"[^>]*autofocus', page)
    assert "请问居住证怎么办理" not in page.split('id="desk-form"')[1]


@pytest.mark.django_db
def test_the_phone_system_passes_the_callers_number(dispatcher: User, client_for: Any) -> None:
    factories.case("小区路灯坏了", contact_phone="13812345678")
    page = english(client_for(dispatcher)).get(DESK, {"caller": "13812345678"}).content.decode()
    assert 'value="13812345678"' in page and "1 earlier case from 13812345678" in page
    assert re.search(r'<input[^>]*name="name"[^>]*autofocus', page)
    assert Access.objects.filter(user=dispatcher, what="phone_search").count() == 1


@pytest.mark.django_db
def test_answering_at_first_contact_from_the_desk(dispatcher: User, client_for: Any) -> None:
    client = english(client_for(dispatcher))
    client.post(DESK, form(answer="带身份证和租房合同到社区办理。", finish="answer"))
    case = Case.objects.get()
    assert case.state == State.CLOSED and case.replies.get().body == "带身份证和租房合同到社区办理。"
    assert "Answered at first contact" in client.get(DESK).content.decode()


@pytest.mark.django_db
def test_a_missing_text_keeps_everything_typed(dispatcher: User, client_for: Any) -> None:
    page = english(client_for(dispatcher)).post(DESK, form(body="", name="张先生", address="五一大道1号"))
    assert page.status_code == 422
    html = page.content.decode()
    assert "Please describe your request." in html
    assert 'value="张先生"' in html and 'value="五一大道1号"' in html and 'value="13812345678"' in html
    assert re.search(r'<textarea[^>]*name="body"[^>]*autofocus', html)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_control_characters_and_a_wrong_number_are_refused_beside_their_fields(
    dispatcher: User, client_for: Any
) -> None:
    client = english(client_for(dispatcher))
    page = client.post(DESK, form(body="路灯坏了\x00", name="张\x07"))
    assert page.status_code == 422 and "U+0000" in page.content.decode() and "U+0007" in page.content.decode()
    page = client.post(DESK, form(caller="12345"))
    assert page.status_code == 422 and "is not a valid phone number" in page.content.decode()
    fragment = client.post(reverse("desk:urgency"), {"body": "燃气\x00泄漏"})
    assert fragment.status_code == 422 and "U+0000" in fragment.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_emergency_advice_appears_while_typing(dispatcher: User, client_for: Any) -> None:
    client = english(client_for(dispatcher))
    html = client.post(reverse("desk:urgency"), {"body": "楼道里燃气泄漏了，味道很大"}).content.decode()
    assert "transfer the caller" in html and "110" in html and "119" in html and "120" in html
    assert "gas leak" in html
    quiet = client.post(reverse("desk:urgency"), {"body": "请问居住证怎么办理"}).content.decode()
    assert "transfer" not in quiet


@pytest.mark.django_db
def test_the_knowledge_fragment_lists_the_closest_replies(dispatcher: User, client_for: Any) -> None:
    moves.answer_at_once(factories.case("请问居住证怎么办理？"), dispatcher, "带身份证和租房合同到社区办理。")
    html = english(client_for(dispatcher)).post(reverse("desk:knowledge"), {"body": "居住证办理"}).content.decode()
    assert "带身份证和租房合同到社区办理。" in html and "Use this answer" in html


@pytest.mark.django_db
def test_script_payloads_in_the_history_and_the_knowledge_are_shown_as_text(dispatcher: User, client_for: Any) -> None:
    client = english(client_for(dispatcher))
    for payload in PAYLOADS:
        case = factories.case(f"居住证 {payload}", title=f"居住证{payload}"[:200], contact_phone="13812345678")
        moves.answer_at_once(case, dispatcher, f"答复 {payload}")
    pages = [
        client.get(DESK, {"caller": "13812345678"}).content.decode(),
        client.post(reverse("desk:history"), {"caller": "13812345678"}).content.decode(),
        client.post(reverse("desk:knowledge"), {"q": "居住证"}).content.decode(),
        client.post(DESK, form(body="", name=PAYLOADS[0], address=PAYLOADS[1])).content.decode(),
    ]
    for html in pages:
        assert live_markup(html) == []
        assert "&lt;script&gt;alert(&quot;xss1&quot;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_a_service_windows_desk_records_visits(dispatcher: User, client_for: Any) -> None:
    client = english(client_for(dispatcher))
    page = client.get(DESK, {"channel": "visit"}).content.decode()
    assert re.search(r'<input[^>]*value="visit"[^>]*checked', page)
    client.post(DESK, form(channel="visit"))
    assert Case.objects.get().submission.channel == "visit"


@pytest.mark.django_db
def test_a_burst_of_fragments_gets_429_per_operator(dispatcher: User, client_for: Any, settings: Any) -> None:
    # The caller history is a search by phone number: counted per operator with the suggestions' limit.
    settings.FANKUI_RATE_LIMITS = {"suggest": (3, 60)}
    client = english(client_for(dispatcher))
    answers = [
        client.post(reverse(name), {"caller": "13812345678", "body": "路灯坏了"})
        for name in ("desk:history", "desk:urgency", "desk:knowledge", "desk:history")
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] and "Too many requests" in answers[-1].content.decode()
    other = factories.user(Role.DISPATCHER, dispatcher.department, username="other_operator")
    assert english(client_for(other)).post(reverse("desk:history"), {"caller": "13812345678"}).status_code == 200
