from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from fankui.accounts.models import Department, User
from fankui.cases.workflow import State
from tests import factories


@pytest.mark.django_db
def test_the_worker_closes_a_reply_nobody_rated_once_the_window_passed(
    dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=handler)
    call_command("worker", "--once")
    case.refresh_from_db()
    assert case.state == State.REPLIED  # still inside the window

    with time_machine.travel("2026-11-24 10:00:01+08:00", tick=False):
        call_command("worker", "--once")
        call_command("worker", "--once")  # a second run (or a second worker) changes nothing more
    case.refresh_from_db()
    assert case.state == State.CLOSED
    closing = case.events.filter(action="close")
    assert closing.count() == 1
    assert closing.get().actor_kind == "system"
