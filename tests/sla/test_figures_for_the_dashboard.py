"""On-time rates per stage and department, overdue counts and average working time, as plain dataclasses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from fankui.sla import queries
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 1, tzinfo=SH)
END = dt.datetime(2026, 12, 1, tzinfo=SH)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_accept_on_time_and_late(policies: int, dispatcher: User, dept: Department) -> None:
    quick, slow, _waiting = (factories.case(kind="complaint") for _ in range(3))
    moves.accept(quick, dispatcher)  # Monday 10:00, deadline Tuesday 17:30
    with time_machine.travel(at(2026, 11, 18, 9, 0), tick=False):
        moves.accept(slow, dispatcher)
        rates = {r.stage: r for r in queries.on_time_rates(START, END)}
        # The third is still running past its deadline: due, not on time.
        assert (rates["accept"].due, rates["accept"].on_time, rates["accept"].overdue) == (3, 1, 2)
        assert rates["accept"].rate == 1 / 3
        assert rates["close"].due == 0 and rates["close"].rate is None
        overdue = queries.overdue_counts(START, END)
        # Open and late: the third case's accept clock, and the first case's dispatch clock (due Tuesday).
        assert sum(o.overdue_open for o in overdue) == 2
        # Late in the period: those two and the second case's accept clock.
        assert sum(o.breached for o in overdue) == 3


def test_rates_by_department_follow_the_lead_department(
    policies: int, dispatcher: User, handler: User, dept: Department, other_dept: Department
) -> None:
    mine = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    theirs = factories.case(kind="complaint")
    moves.accept(theirs, dispatcher)
    moves.dispatch(theirs, dispatcher, other_dept)
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        rows = {r.department_id: r for r in queries.on_time_rates_by_department(START, END, stage="first_response")}
        assert rows[dept.pk].on_time == 1 and rows[dept.pk].department == dept.name
        assert rows[other_dept.pk].on_time == 0 and rows[other_dept.pk].overdue == 1
        scoped = {r.stage: r for r in queries.on_time_rates(START, END, department=dept)}
        assert scoped["first_response"].due == 1
    assert mine.pk != theirs.pk
