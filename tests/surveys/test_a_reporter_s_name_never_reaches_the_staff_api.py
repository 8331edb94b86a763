"""A 举报's reporter who signs their bad rating ("我是举报人张伟明") is not named to the department the report is about
by the staff API of 好差评: the comment is masked there as the case page masks it for that department, the name the
submitter gave included, on every route that shows a rating (rectifications and appeals, lists and single ones)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.accounts.services import issue_token
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.surveys.models import Rectification
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db

NAME = "张伟明"
COMMENT = f"我是举报人{NAME}，问题根本没解决，电话13812345678"


def reported(dispatcher: User, handler: User, dept: Department) -> Case:
    """A 举报 signed with a name, dispatched to ``dept``, replied and rated badly with the name in the comment."""
    case = factories.case(
        body="某单位负责人违规收费，请查处。", kind="report", contact_name=NAME, contact_phone="13812345678"
    )
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已核查处理。")
    case.refresh_from_db()
    rate(case, 1, COMMENT)
    return case


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')}", HTTP_ACCEPT_LANGUAGE="en")


def comments(body: Any) -> list[str]:
    items = body.get("items", [body])
    return [item["rating"]["comment"] for item in items]


def test_the_department_reads_the_comment_without_the_reporter_s_name(
    dispatcher: User, handler: User, dept: Department
) -> None:
    case = reported(dispatcher, handler, dept)
    rectification = Rectification.objects.get(case=case)
    own = api(handler)
    filed = own.post(
        f"/api/v1/ratings/{rectification.rating_id}/appeals",
        {"grounds": "malicious", "evidence": "举报人反复差评。"},
        content_type="application/json",
    )
    assert filed.status_code == 201
    shown = [
        *comments(own.get("/api/v1/rectifications").json()),
        *comments(own.get(f"/api/v1/rectifications/{rectification.pk}").json()),
        *comments(own.get("/api/v1/appeals").json()),
        *comments(own.get(f"/api/v1/appeals/{filed.json()['id']}").json()),
        *comments(filed.json()),
    ]
    assert len(shown) == 5
    for comment in shown:
        assert NAME not in comment and "13812345678" not in comment
        assert comment.startswith("我是举报人张")  # masked, not dropped
    # Nothing personal was seen, so nothing is recorded as a look.
    assert not Access.objects.filter(user=handler).exists()
