"""Four eyes in 好差评 hold whatever a person's role became: a department head who wrote what was done about a bad
rating, or filed an appeal against one, and was then made a supervisor, neither checks that rectification nor
decides that appeal (the API's 403, the pages offer no button); another supervisor still may."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.accounts.services import issue_token
from fankui.surveys import windows
from fankui.surveys.models import Appeal, Rectification, ServicePoint
from tests import factories

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')}", HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def promote(user: User) -> User:
    user.role = Role.SUPERVISOR
    user.save(update_fields=["role"])
    return User.objects.get(pk=user.pk)


def test_a_head_made_supervisor_does_not_check_their_own_rectification(
    point: ServicePoint, head: User, supervisor: User, client_for: Any
) -> None:
    windows.rate_window(point, 1, "排队太久")
    rectification = Rectification.objects.get()
    assert post(api(head), f"/rectifications/{rectification.pk}/submit", {"measures": "增加窗口。"}).status_code == 200
    promoted = promote(head)
    own = api(promoted)

    assert own.get(f"/api/v1/rectifications/{rectification.pk}").json()["available_actions"] == []
    answer = post(own, f"/rectifications/{rectification.pk}/check", {"approve": True})
    assert answer.status_code == 403
    assert "someone else must check it" in answer.json()["detail"]
    page = client_for(promoted).get(f"/staff/surveys/rectifications/{rectification.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    assert client_for(promoted).post(
        f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "approve", "note": ""}
    ).status_code in (302, 403)
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.SUBMITTED

    assert post(api(supervisor), f"/rectifications/{rectification.pk}/check", {"approve": True}).status_code == 200


def test_a_head_made_supervisor_does_not_decide_their_own_appeal(
    point: ServicePoint, head: User, client_for: Any
) -> None:
    rating = windows.rate_window(point, 1, "乱评")
    assert rating is not None
    filed = post(api(head), f"/ratings/{rating.pk}/appeals", {"grounds": "malicious", "evidence": "无人办理。"})
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    promoted = promote(head)

    answer = post(api(promoted), f"/appeals/{appeal_id}/decision", {"uphold": True, "note": "自己批准"})
    assert answer.status_code == 403
    assert "another supervisor must decide it" in answer.json()["detail"]
    page = client_for(promoted).get(f"/staff/surveys/appeals/{appeal_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'value="uphold"' not in page.content.decode()
    client_for(promoted).post(f"/staff/surveys/appeals/{appeal_id}/decide/", {"decision": "uphold", "note": "批准"})
    assert Appeal.objects.get().state == Appeal.State.PENDING
    rating.refresh_from_db()
    assert not rating.excluded

    other = factories.user(Role.SUPERVISOR)
    decided = post(api(other), f"/appeals/{appeal_id}/decision", {"uphold": False, "note": "证据不足"})
    assert decided.status_code == 200 and decided.json()["state"] == "rejected"
