"""The demo rebuilds clocks from recorded histories; they must be the clocks the live receivers write."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from fankui.accounts.models import Department, User
from fankui.cases.services import moves as case_moves
from fankui.cases.workflow import Action
from fankui.sla import history as demo
from fankui.sla.models import Clock
from fankui.sla.services import clocks as sla_clocks
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def columns(clocks: list[Clock]) -> list[tuple[object, ...]]:
    return sorted(
        (c.stage, c.round, c.started_at, c.deadline, c.stopped_at, c.working_seconds, c.amount) for c in clocks
    )


def test_planned_clocks_equal_the_live_ones(policies: int, dispatcher: User, handler: User, dept: Department) -> None:
    case = factories.case(kind="complaint")
    steps = [
        (dt.datetime(2026, 11, 16, 15, 0), lambda: case_moves.accept(case, dispatcher)),
        (dt.datetime(2026, 11, 17, 9, 30), lambda: case_moves.dispatch(case, dispatcher, dept)),
        (dt.datetime(2026, 11, 18, 11, 0), lambda: case_moves.return_case(case, handler, "不属于本部门")),
        (
            dt.datetime(2026, 11, 18, 14, 0),
            lambda: case_moves.dispatch(case, dispatcher, dept, action=Action.REDISPATCH),
        ),
        (dt.datetime(2026, 11, 19, 10, 0), lambda: case_moves.start(case, handler)),
        (dt.datetime(2026, 11, 25, 16, 0), lambda: case_moves.reply(case, handler, "已处理")),
    ]
    for when, step in steps:
        with time_machine.travel(when.replace(tzinfo=SH), tick=False):
            step()
    live = list(Clock.objects.filter(case=case))
    moves = [
        (e.from_state, e.to_state, e.created_at)
        for e in case.events.exclude(to_state="").exclude(from_state="").order_by("created_at", "id")
    ]
    planned = demo.plan(case, moves, sla_clocks._context(case))
    assert len(live) == 7  # the return and redispatch start a second dispatch and first-response round
    assert columns(planned) == columns(live)


def test_install_gives_clocks_to_cases_without_any(db: None, dispatcher: User) -> None:
    case = factories.case()
    case_moves.accept(case, dispatcher)
    assert not Clock.objects.filter(case=case).exists()  # no policy existed yet
    assert demo.install(lambda line: None) == 4  # accept (stopped), dispatch, reply, close
    assert demo.install(lambda line: None) == 0
