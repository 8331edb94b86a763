"""More information requested: the case's clocks pause, and resume with the working time they had left."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fankui.accounts.models import Department, User
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.sla import tasks
from fankui.sla.models import Clock, Stage
from fankui.sla.services import waiting
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def case(policies: int, dispatcher: User, handler: User, dept: Department) -> object:
    return factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)


def reply_clock(case: object) -> Clock:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)


def test_a_paused_clock_has_no_deadline_and_is_not_swept(case: object, handler: User) -> None:
    waiting.request_information(case, handler, "请提供具体门牌号。")
    clock = reply_clock(case)
    assert clock.paused and clock.deadline is None
    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):
        assert tasks.sweep() == 0
    event = Event.objects.get(case=case, action="sla_info_requested")
    # The question is not copied into the audit trail: the timelines read it from the request's row.
    assert event.public and event.message == "" and event.data == {"request": clock.case.info_requests.get().pk}
    assert labels.with_words([event])[0].message == "请提供具体门牌号。"


def test_resuming_adds_the_paused_working_time_to_the_deadline(case: object, handler: User) -> None:
    before = reply_clock(case).deadline
    assert before == at(2026, 12, 3, 17, 30)
    waiting.request_information(case, handler, "请提供照片。")
    # Paused from Monday 10:00 to Wednesday 10:00: two working days (14 working hours) do not count.
    with time_machine.travel(at(2026, 11, 18, 10, 0), tick=False):
        waiting.resume(case, answer="照片已上传。")
    clock = reply_clock(case)
    assert not clock.paused
    assert clock.paused_seconds == 14 * 3600
    assert clock.deadline == at(2026, 12, 7, 17, 30)
    assert Event.objects.filter(case=case, action="sla_resumed", actor_kind="citizen").exists()


def test_staff_may_resume_without_an_answer(case: object, handler: User) -> None:
    waiting.request_information(case, handler, "请提供照片。")
    waiting.resume(case, handler)
    assert not reply_clock(case).paused


def test_the_citizen_must_answer_something(case: object, handler: User) -> None:
    waiting.request_information(case, handler, "请提供照片。")
    with pytest.raises(ValidationFailed):
        waiting.resume(case, answer="  ")


def test_a_second_request_while_paused_is_refused(case: object, handler: User) -> None:
    waiting.request_information(case, handler, "请提供照片。")
    with pytest.raises(Conflict):
        waiting.request_information(case, handler, "还有地址。")


def test_resuming_without_a_request_is_refused(case: object, handler: User) -> None:
    with pytest.raises(Conflict):
        waiting.resume(case, handler)


def test_another_department_may_not_pause(case: object, other_dept: Department) -> None:
    from fankui.accounts.models import Role

    with pytest.raises(PermissionDenied):
        waiting.request_information(case, factories.user(Role.HANDLER, other_dept), "?")


def test_an_empty_question_is_refused(case: object, handler: User) -> None:
    with pytest.raises(ValidationFailed):
        waiting.request_information(case, handler, "")
