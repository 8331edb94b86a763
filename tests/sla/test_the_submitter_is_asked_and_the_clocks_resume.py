"""Asking the submitter for more information reaches them; their answer, or the end of the waiting time, lets the
deadlines run again, and the case says so."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.notify.models import Message
from fankui.sla import tasks
from fankui.sla.models import Clock, InfoRequest, Stage
from fankui.sla.services import waiting
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
EMAIL = "wang@example.com"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def case(policies: int, dispatcher: User, handler: User, dept: Department) -> Case:
    c = factories.case(contact_email=EMAIL)
    from fankui.cases.services import moves

    moves.accept(c, dispatcher)
    moves.dispatch(c, dispatcher, dept)
    moves.start(c, handler)
    return c


def reply_clock(case: Case) -> Clock:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)


def test_the_question_reaches_the_submitter_with_a_link_to_answer(case: Case, handler: User) -> None:
    waiting.request_information(case, handler, "请提供具体门牌号。")
    message = Message.objects.to(EMAIL).filter(key__startswith="sla:info:").get()
    assert "请提供具体门牌号。" in message.body
    assert f"/track/{case.tracking_code}/" in message.body
    assert "5 working days" in message.body


def test_the_answer_on_the_tracking_page_resumes_the_clocks(case: Case, handler: User) -> None:
    waiting.request_information(case, handler, "请提供具体门牌号。")
    assert reply_clock(case).paused
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/track/{case.tracking_code}/answer/", {"answer": "人民路88号。"}
    )
    assert response.status_code in (302, 303)
    assert not reply_clock(case).paused
    assert InfoRequest.objects.get(case=case).answer == "人民路88号。"


def test_without_an_answer_the_clocks_resume_after_the_waiting_time(case: Case, handler: User, settings: Any) -> None:
    settings.FANKUI_INFO_WAIT_WORKING_DAYS = 2
    waiting.request_information(case, handler, "请提供照片。")  # Monday 2026-11-16 10:00
    # Two working days end on Wednesday at closing time: not yet on Wednesday afternoon.
    with time_machine.travel(at(2026, 11, 18, 17, 0), tick=False):
        assert waiting.resume_unanswered() == 0
        assert reply_clock(case).paused
    with time_machine.travel(at(2026, 11, 18, 17, 31), tick=False):
        assert tasks.resume_unanswered() == 1
        assert tasks.resume_unanswered() == 0  # a second sweep (or worker) does nothing twice
        clock = reply_clock(case)
    assert not clock.paused and clock.deadline is not None
    event = Event.objects.get(case=case, action="sla_resumed")
    assert event.public and event.actor_kind == "system" and event.data["reason"] == "no_answer"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/track/{case.tracking_code}/").content.decode()
    assert "No answer came within 2 working days" in page
    told = Message.objects.to(EMAIL).filter(key__endswith=":timeout").get()
    assert case.display_code in told.body


def test_an_answered_request_is_not_resumed_again(case: Case, handler: User) -> None:
    waiting.request_information(case, handler, "请提供照片。")
    waiting.resume(case, answer="照片已上传。")
    with time_machine.travel(at(2026, 12, 31, 10, 0), tick=False):
        assert waiting.resume_unanswered() == 0
    assert Event.objects.filter(case=case, action="sla_resumed").count() == 1


def test_the_sweep_is_run_by_the_worker() -> None:
    assert "sla_resume_unanswered" in dict(tasks.SWEEPS)


def test_a_reply_closes_a_question_still_open(case: Case, handler: User) -> None:
    from fankui.cases.services import moves

    waiting.request_information(case, handler, "请提供具体门牌号。")
    moves.reply(case, handler, "已按现有信息处理：路灯已修好。")
    assert InfoRequest.objects.get(case=case).resumed_at is not None
    with time_machine.travel(at(2026, 12, 31, 10, 0), tick=False):
        assert waiting.resume_unanswered() == 0
    assert not Message.objects.to(EMAIL).filter(key__endswith=":timeout").exists()
    # The question is no longer offered on the tracking page, so no answer can restart the stopped clocks.
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/track/{case.tracking_code}/answer/", {"answer": "88号"})
    assert response.status_code == 302
    assert not Clock.objects.filter(case=case, stage=Stage.REPLY, stopped_at__isnull=True).exists()
