"""Issue 14, item 5: the action page's texts read without a form (a step's reason, progress, cases to link) follow
the one text rule (core.text): a control character is refused with the message, nothing stored, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from fankui.accounts.models import Department, User
from fankui.actions.models import ProgressUpdate
from fankui.actions.services import moves
from fankui.actions.workflow import Step

from .conftest import make_action

MESSAGE = "invisible control character"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("actions:progress", {"text": "已完成\x00勘查"}),
        ("actions:link", {"cases": "2026-000001\x00"}),
    ],
)
def test_a_control_character_is_refused_with_the_message(
    url: str, data: dict[str, str], analyst: User, owner: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    client = client_for(analyst if url == "actions:link" else owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse(url, args=[action.pk]), data)
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_a_reason_with_a_control_character_is_refused(
    analyst: User, owner: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    action = make_action(analyst, owner, dept)
    client = client_for(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("actions:step", args=[action.pk, Step.ABANDON]), {"reason": "重复\x1b"})
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()
    action.refresh_from_db()
    assert action.state == "draft"
