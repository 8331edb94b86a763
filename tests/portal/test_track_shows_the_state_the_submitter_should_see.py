"""The tracking page and the public API show the submitter's view of the state and one story in time order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from tests import factories

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_a_returned_case_is_shown_as_in_progress(en: Client, dispatcher: User, handler: User, dept: Department) -> None:
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.return_case(case, handler, "不属于本部门职责，请改派。")
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Returned" not in page and "不属于本部门职责" not in page
    assert 'class="badge in_progress"' in page
    api = en.get(f"/api/v1/track/{case.tracking_code}").json()
    assert api["state"] == "in_progress" and api["state_label"] == "In progress"


def test_a_merged_case_tells_its_story_in_time_order(
    en: Client, dispatcher: User, handler: User, dept: Department
) -> None:
    primary = factories.case(body="人民路路灯坏了，晚上很黑。")
    with time_machine.travel(dt.datetime(2026, 11, 16, 11, 0, tzinfo=SH), tick=False):
        moves.accept(primary, dispatcher)
        moves.dispatch(primary, dispatcher, dept)
    with time_machine.travel(dt.datetime(2026, 11, 17, 9, 0, tzinfo=SH), tick=False):
        duplicate = factories.case(body="人民路88号门口路灯不亮。")
        moves.merge(duplicate, dispatcher, primary)
    with time_machine.travel(dt.datetime(2026, 11, 18, 9, 0, tzinfo=SH), tick=False):
        moves.start(primary, handler)
        moves.reply(primary, handler, "路灯已修复。")
    api = en.get(f"/api/v1/track/{duplicate.tracking_code}").json()
    times = [entry["at"] for entry in api["timeline"]]
    assert times == sorted(times)
    assert [entry["action"] for entry in api["timeline"]][-1] == "reply"


def test_a_kind_nobody_set_yet_is_not_shown_as_a_complaint(en: Client) -> None:
    case = factories.case(body="感谢社区网格员小李，帮我家老人办好了医保手续，服务非常周到！")
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Complaint" not in page
    assert en.get(f"/api/v1/track/{case.tracking_code}").json()["kind"] == ""
    chosen = factories.case(body="表扬社区网格员小李。", kind="praise")
    assert "Praise" in en.get(f"/track/{chosen.tracking_code}/").content.decode()
