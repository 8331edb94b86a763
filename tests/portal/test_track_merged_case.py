from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from tests import factories


@pytest.mark.django_db
def test_a_merged_case_follows_the_primary(en: Client, dispatcher: User, handler: User, dept: Department) -> None:
    primary = factories.case(body="人民路路灯坏了，晚上很黑。")
    duplicate = factories.case(body="人民路88号门口路灯不亮。我是住在3栋的张三。")
    moves.merge(duplicate, dispatcher, primary)
    moves.accept(primary, dispatcher)
    moves.dispatch(primary, dispatcher, dept)
    moves.start(primary, handler)
    moves.reply(primary, handler, "路灯已修复。")

    page = en.get(f"/track/{duplicate.tracking_code}/").content.decode()
    assert "your request was merged with another on the same problem; you now follow that one" in page.lower()
    assert "路灯已修复。" in page  # the primary's reply
    assert dept.name in page  # the primary's dispatch
    assert "人民路88号门口路灯不亮" in page  # the submitter's own text
    assert "人民路路灯坏了" not in page  # never the other person's text
    assert primary.tracking_code not in page and primary.display_code not in page
    assert 'id="rate-form"' not in page  # the primary's submitter rates the reply

    api = en.get(f"/api/v1/track/{duplicate.tracking_code}").json()
    assert api["merged"] is True
    assert api["state"] == "replied"
    assert [r["body"] for r in api["replies"]] == ["路灯已修复。"]
    assert api["can_rate"] is False
    assert primary.tracking_code not in str(api)


@pytest.mark.django_db
def test_the_other_submitters_rating_comment_is_not_shown(en: Client, dispatcher: User, handler: User) -> None:
    from fankui.surveys.services import rate

    primary = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    duplicate = factories.case()
    moves.merge(duplicate, dispatcher, primary)
    rate(primary, 5, "谢谢王师傅，我电话13800138000")
    page = en.get(f"/track/{duplicate.tracking_code}/").content.decode()
    assert "Rated satisfied" in page
    assert "13800138000" not in page
