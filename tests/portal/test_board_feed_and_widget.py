from __future__ import annotations

from django.test import Client

from fankui.accounts.models import Department, Role
from fankui.actions.services import creating, moves
from fankui.actions.services.creating import ActionInput
from fankui.actions.workflow import Step
from tests import factories


def _approved(dept: Department) -> None:
    analyst = factories.user(Role.ANALYST, dept)
    action = creating.create_action(
        analyst,
        ActionInput(
            title="幸福小区路灯整改",
            goal="g",
            measures="更换灯具",
            owner=analyst.pk,
            department=dept.pk,
            deadline="2026-12-31",
        ),
    )
    moves.transition(action, analyst, Step.APPROVE)


def test_the_atom_feed_lists_public_actions(dept: Department) -> None:
    _approved(dept)
    response = Client().get("/board/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "幸福小区路灯整改" in response.content.decode()


def test_only_the_widget_may_be_framed(dept: Department) -> None:
    _approved(dept)
    client = Client()
    widget = client.get("/board/widget/")
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    assert widget["Content-Security-Policy"] == "frame-ancestors *"
    assert "幸福小区路灯整改" in widget.content.decode()
    assert client.get("/board/")["X-Frame-Options"] == "DENY"
