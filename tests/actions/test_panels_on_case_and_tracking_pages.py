from __future__ import annotations

from typing import Any

from django.test import Client

from fankui.accounts.models import Department, User
from fankui.actions.services import moves
from fankui.actions.workflow import Step

from .conftest import make_action


def test_the_tracking_page_shows_the_action_and_its_progress(
    analyst: User, owner: User, dept: Department, dispatcher: User, handler: User
) -> None:
    from tests import factories

    case = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=handler)
    action = make_action(analyst, owner, dept, case_ids=[case.pk])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "修复幸福小区路灯" not in client.get(f"/track/{case.tracking_code}/").content.decode()  # a draft
    moves.transition(action, analyst, Step.APPROVE)
    moves.post_progress(action, owner, "已完成线路检修")
    moves.post_progress(action, owner, "内部协调记录", public=False)
    text = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "What is being done about it" in text
    assert "修复幸福小区路灯" in text
    assert "已完成线路检修" in text
    assert "内部协调记录" not in text


def test_the_staff_case_page_lists_the_actions(
    analyst: User, owner: User, dept: Department, dispatcher: User, handler: User, client_for: Any
) -> None:
    from tests import factories

    case = factories.case_in("dispatched", dispatcher=dispatcher, lead=dept, handler=handler)
    action = make_action(analyst, owner, dept, case_ids=[case.pk])
    text = client_for(handler).get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/staff/actions/{action.pk}/" in text
