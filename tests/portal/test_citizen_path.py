"""The whole way of a citizen through the public pages: submit, keep the code, follow, rate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.surveys.models import Rating

from .conftest import case_from_redirect


def _submit_and_reply(
    en: Client, fresh_form: Callable[..., dict[str, Any]], dispatcher: User, handler: User, dept: Department
) -> Case:
    response = en.post("/", fresh_form(kind="complaint", title="路灯不亮", contact_phone="13800138000"))
    assert response.status_code == 302
    case = case_from_redirect(response["Location"])
    assert response["Location"] == f"/submitted/{case.tracking_code}/"

    confirmation = en.get(response["Location"])
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert f'class="code code-big" id="tracking-code">{case.display_code}<' in html
    assert "Keep this code" in html
    assert f'href="/track/{case.tracking_code}/"' in html
    assert case.number not in html  # the human number is for staff only

    page = en.get(f"/track/{case.tracking_code}/")
    assert page.status_code == 200
    assert "路灯不亮" in page.content.decode()
    assert 'class="badge received"' in page.content.decode()

    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修，三日内修复。")
    return case


@pytest.mark.django_db
def test_a_good_rating_closes_the_case(
    en: Client, fresh_form: Callable[..., dict[str, Any]], dispatcher: User, handler: User, dept: Department
) -> None:
    case = _submit_and_reply(en, fresh_form, dispatcher, handler, dept)

    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "已安排维修，三日内修复。" in page
    assert dept.name in page  # dispatched to, and replied by, the department
    assert 'id="rate-form"' in page
    assert 'class="badge replied"' in page

    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "5", "comment": "修得很快"}, follow=True)
    assert response.status_code == 200
    assert "Thank you for your rating." in response.content.decode()
    assert 'id="rate-form"' not in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert Rating.objects.get(case=case).level == 5


@pytest.mark.django_db
def test_a_bad_rating_reopens_the_case(
    en: Client, fresh_form: Callable[..., dict[str, Any]], dispatcher: User, handler: User, dept: Department
) -> None:
    case = _submit_and_reply(en, fresh_form, dispatcher, handler, dept)

    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "1", "comment": "还是不亮"}, follow=True)
    assert response.status_code == 200
    assert "Your request has been reopened" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REOPENED
    assert 'class="badge reopened"' in response.content.decode()
