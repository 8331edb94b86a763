"""Clocks start when a case enters a state and stop when it leaves it, in the same transaction as the move."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from fankui.sla.models import Clock, Stage
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def running(case: object) -> dict[str, Clock]:
    return {c.stage: c for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}


def test_a_new_complaint_gets_accept_reply_and_close_deadlines(policies: int) -> None:
    case = factories.case(kind="complaint")
    clocks = running(case)
    assert set(clocks) == {Stage.ACCEPT, Stage.REPLY, Stage.CLOSE}
    # Received Monday 2026-11-16 10:00: 13 working days end on Thursday 3 December.
    assert clocks[Stage.REPLY].deadline == dt.datetime(2026, 12, 3, 17, 30, tzinfo=SH)
    assert clocks[Stage.ACCEPT].deadline == dt.datetime(2026, 11, 17, 17, 30, tzinfo=SH)


def test_an_inquiry_gets_three_working_days(policies: int) -> None:
    case = factories.case(kind="inquiry")
    assert running(case)[Stage.REPLY].deadline == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)


def test_each_move_stops_and_starts_the_right_clocks(
    policies: int, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case(kind="complaint")
    moves.accept(case, dispatcher)
    assert set(running(case)) == {Stage.DISPATCH, Stage.REPLY, Stage.CLOSE}
    accept = Clock.objects.get(case=case, stage=Stage.ACCEPT)
    assert accept.stopped_at is not None and accept.working_seconds == 0
    moves.dispatch(case, dispatcher, dept)
    assert set(running(case)) == {Stage.FIRST_RESPONSE, Stage.REPLY, Stage.CLOSE}
    assert all(c.department_id == dept.pk for c in running(case).values())
    moves.start(case, handler)
    assert set(running(case)) == {Stage.REPLY, Stage.CLOSE}
    moves.reply(case, handler, "已处理。")
    assert set(running(case)) == {Stage.CLOSE}


def test_a_reopened_case_gets_a_rectification_deadline_of_fifteen_working_days(
    policies: int, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case_in("reopened", dispatcher=dispatcher, lead=dept, handler=handler)
    clock = running(case)[Stage.RECTIFY]
    assert clock.amount == 15 and clock.round == 1
    assert clock.deadline == dt.datetime(2026, 12, 7, 17, 30, tzinfo=SH)
    moves.reply(case, handler, "已整改。")
    assert Stage.RECTIFY not in running(case)


def test_ending_a_case_stops_every_clock(policies: int, dispatcher: User) -> None:
    case = factories.case()
    moves.reject(case, dispatcher, "不属于受理范围")
    assert running(case) == {}


def test_the_time_a_stage_took_is_kept_in_working_time(
    policies: int, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case(kind="complaint")
    with time_machine.travel(dt.datetime(2026, 11, 17, 11, 0, tzinfo=SH), tick=False):
        moves.accept(case, dispatcher)
    accept = Clock.objects.get(case=case, stage=Stage.ACCEPT)
    # Monday 10:00 to Tuesday 11:00 is 6 + 2 working hours.
    assert accept.working_seconds == 8 * 3600


def test_without_any_policy_no_clock_starts(db: None) -> None:
    case = factories.case()
    assert not Clock.objects.filter(case=case).exists()
