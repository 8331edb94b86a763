from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.actions.services import creating, moves
from fankui.actions.services.creating import ActionInput
from fankui.actions.workflow import Step
from tests import factories

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _action(dept: Department, *, public: bool = True, cases: list[Any] | None = None) -> Any:
    analyst = factories.user(Role.ANALYST, dept)
    owner = factories.user(Role.HANDLER, dept)
    action = creating.create_action(
        analyst,
        ActionInput(
            title="幸福小区路灯整改" if public else "内部整改事项",
            goal="恢复照明",
            measures="更换全部路灯灯具",
            owner=owner.pk,
            department=dept.pk,
            deadline="2026-12-31",
            public=public,
            case_ids=[c.pk for c in cases or []],
        ),
    )
    moves.transition(action, analyst, Step.APPROVE)
    return action


def test_the_board_shows_public_actions_without_login_and_no_citizen_text(dept: Department) -> None:
    secret = factories.case(body="我叫张三，电话13800138000，家门口路灯坏了", contact_phone="13800138000")
    _action(dept, cases=[secret])
    _action(dept, public=False)
    response = Client().get("/board/", **EN)
    text = response.content.decode()
    assert response.status_code == 200
    assert "幸福小区路灯整改" in text
    assert "内部整改事项" not in text
    assert "张三" not in text and "13800138000" not in text
    assert "1 person raised it" in text
    assert "requests received this month" in text


def test_drafts_are_not_on_the_board(dept: Department) -> None:
    analyst = factories.user(Role.ANALYST, dept)
    creating.create_action(
        analyst,
        ActionInput(
            title="草稿事项", goal="g", measures="m", owner=analyst.pk, department=dept.pk, deadline="2026-12-31"
        ),
    )
    assert "草稿事项" not in Client().get("/board/").content.decode()


def test_the_board_can_be_switched_off(settings: Any, dept: Department) -> None:
    settings.FANKUI_PUBLIC_BOARD = False
    client = Client()
    assert client.get("/board/").status_code == 404
    assert client.get("/board/feed/").status_code == 404
    assert client.get("/board/widget/").status_code == 404


def test_the_headline_counts_this_months_cases_and_satisfaction(
    dept: Department, dispatcher: User, handler: User
) -> None:
    factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    factories.case_in("reopened", dispatcher=dispatcher, lead=dept, handler=handler)
    from fankui.portal.board import headline

    figures = headline()
    assert figures.received == 2
    assert figures.satisfaction_rate == 50.0


def test_an_unknown_or_internal_action_page_is_404(dept: Department) -> None:
    hidden = _action(dept, public=False)
    client = Client()
    assert client.get(f"/board/{hidden.pk}/").status_code == 404
    assert client.get(f"/board/{2**70}/").status_code == 404
