"""Internal notes are not public (issue 14, defect 3): the notes written with accept, dispatch, redispatch, close and
reopen appeared on the tracking page and in ``GET /api/v1/track/{code}``, for anyone holding the code. The submitter
sees the step, never its note; words meant for them (a rejection's reason, the reply, their own rating comment) still
show."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from fankui.cases.workflow import Action
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db

NOTES = {
    "accept": "受理备注：来电人情绪激动，多次投诉",
    "dispatch": "派单备注：涉及局长亲属，谨慎处理",
    "redispatch": "改派备注：原部门推诿",
    "close": "办结备注：市民难缠",
    "reopen": "重办备注：答复敷衍，督办",
}


def _texts(en: Client, code: str) -> tuple[str, str]:
    page = en.get(f"/track/{code}/").content.decode()
    api = en.get(f"/api/v1/track/{code}").content.decode("unicode_escape")
    return page, api


def test_notes_of_public_steps_stay_with_staff(en: Client, dispatcher: User, dept: Department) -> None:
    handler = factories.user(Role.HANDLER, dept)
    supervisor = factories.user(Role.SUPERVISOR)
    case = factories.case()
    moves.accept(case, dispatcher, NOTES["accept"])
    moves.dispatch(case, dispatcher, dept, note=NOTES["dispatch"])
    moves.dispatch(case, dispatcher, dept, note=NOTES["redispatch"], action=Action.REDISPATCH)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修，三日内修复。")
    moves.close(case, supervisor, NOTES["close"])
    moves.reopen(case, supervisor, NOTES["reopen"])

    page, api = _texts(en, case.tracking_code)
    for text in (page, api):
        assert "已安排维修，三日内修复。" in text  # the reply is theirs
        assert "Sent to the responsible department" in text and "Accepted" in text  # the steps are public
        for step, note in NOTES.items():
            assert note not in text, step


def test_words_meant_for_the_submitter_still_show(en: Client, dispatcher: User, dept: Department) -> None:
    rejected = factories.case()
    moves.reject(rejected, dispatcher, "不属于本平台受理范围，请向法院起诉。")
    assert all("请向法院起诉" in text for text in _texts(en, rejected.tracking_code))

    rated = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=factories.user(Role.HANDLER, dept))
    rate(rated, 1, "修了又坏，没有解决。")
    assert all("修了又坏" in text for text in _texts(en, rated.tracking_code))
