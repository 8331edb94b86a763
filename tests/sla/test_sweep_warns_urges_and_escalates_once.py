"""The sweep warns before a deadline, urges at it and escalates after it: each step one event and one notice,
however many times it runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.cases.services import moves
from fankui.notify.models import Message
from fankui.sla import tasks
from fankui.sla.models import Clock, Notice, Stage
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_nothing_happens_before_the_warning_share_is_used(policies: int) -> None:
    factories.case(kind="complaint")
    assert tasks.sweep() == 0
    assert not Event.objects.filter(action__startswith="sla_").exists()


def test_a_warning_is_recorded_once_when_the_share_is_used(policies: int, dispatcher: User) -> None:
    case = factories.case(kind="complaint")
    accept = Clock.objects.get(case=case, stage=Stage.ACCEPT)
    # 1 working day from Monday 10:00 is 13 working hours; 75 % of them are used on Tuesday at 14:15.
    assert accept.yellow_at == at(2026, 11, 17, 14, 15)
    with time_machine.travel(at(2026, 11, 17, 15, 0), tick=False):
        assert tasks.sweep() == 1
        assert tasks.sweep() == 0
    events = Event.objects.filter(case=case, action="sla_warn")
    assert events.count() == 1
    event = events.get()
    assert event.public is False and event.data["stage"] == "accept"
    assert Notice.objects.filter(clock=accept, step="warn").count() == 1


def test_the_deadline_urges_and_later_escalates(policies: int) -> None:
    case = factories.case(kind="complaint")
    with time_machine.travel(at(2026, 11, 17, 18, 0), tick=False):
        # Both the warning and the deadline have passed: only the urge is sent, the warning is moot.
        assert tasks.sweep() == 1
    assert list(Event.objects.filter(case=case, action__startswith="sla_").values_list("action", flat=True)) == [
        "sla_urge"
    ]
    with time_machine.travel(at(2026, 11, 18, 14, 29), tick=False):
        assert tasks.sweep() == 0
    with time_machine.travel(at(2026, 11, 18, 14, 30), tick=False):
        assert tasks.sweep() == 1
        assert tasks.sweep() == 0
    assert Event.objects.filter(case=case, action="sla_escalate").count() == 1


def test_a_stopped_clock_is_never_swept(policies: int, dispatcher: User) -> None:
    case = factories.case(kind="complaint")
    with time_machine.travel(at(2026, 11, 17, 9, 0), tick=False):
        moves.accept(case, dispatcher)
    with time_machine.travel(at(2026, 11, 17, 18, 0), tick=False):
        # The accept clock stopped before its deadline; the dispatch clock (Wednesday 17:30) is not due.
        assert tasks.sweep() == 0


def test_notices_go_to_the_department_and_escalations_to_heads_and_supervisors(
    policies: int, dispatcher: User, handler: User, dept: Department, supervisor: User, dept_head: User
) -> None:
    case = factories.case(kind="complaint")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    stranger = factories.user(Role.HANDLER, factories.department())
    # First response: 2 working days from Monday 10:00, Wednesday 17:30; escalation 4 working hours later.
    with time_machine.travel(at(2026, 11, 18, 18, 0), tick=False):
        tasks.sweep()
        assert tasks.send_notices() == 1
        assert tasks.send_notices() == 0
    urged = set(Message.objects.filter(key__endswith=":urge").values_list("user_id", flat=True))
    assert urged == {handler.pk, dept_head.pk}
    with time_machine.travel(at(2026, 11, 19, 15, 0), tick=False):
        tasks.sweep()
        tasks.send_notices()
    escalated = set(Message.objects.filter(key__endswith=":escalate").values_list("user_id", flat=True))
    assert escalated == {supervisor.pk, dept_head.pk}
    assert stranger.pk not in urged | escalated
    assert not Notice.objects.filter(sent_at__isnull=True).exists()


def test_the_worker_collects_the_sla_sweeps() -> None:
    names = [name for name, _ in tasks.SWEEPS]
    assert names == ["sla_deadline_sweep", "sla_deadline_notices", "sla_follow_urgency", "sla_resume_unanswered"]


def test_the_ledger_not_the_cleared_column_keeps_a_step_from_being_taken_twice(policies: int) -> None:
    # As if a second worker read the clock before the first cleared its column.
    case = factories.case(kind="complaint")
    accept = Clock.objects.get(case=case, stage=Stage.ACCEPT)
    with time_machine.travel(at(2026, 11, 17, 18, 0), tick=False):
        assert tasks.sweep() == 1
        Clock.objects.filter(pk=accept.pk).update(due_at=accept.due_at)
        assert tasks.sweep() == 0
    assert Event.objects.filter(case=case, action="sla_urge").count() == 1


def test_the_staff_timeline_names_the_stage_and_deadline_of_a_swept_step(policies: int) -> None:
    from fankui.audit import labels

    case = factories.case(kind="complaint")
    with time_machine.travel(at(2026, 11, 17, 18, 0), tick=False):
        tasks.sweep()
    event = Event.objects.get(case=case, action="sla_urge")
    words = labels.words("sla_urge")
    assert words is not None and words.detail is not None
    assert words.detail(event) == "Accept, deadline 2026-11-17 17:30"


def test_triage_deadlines_go_to_the_dispatchers(policies: int, dispatcher: User, supervisor: User) -> None:
    factories.case(kind="complaint")
    with time_machine.travel(at(2026, 11, 17, 18, 0), tick=False):
        tasks.sweep()
        tasks.send_notices()
    assert set(Message.objects.filter(key__endswith=":urge").values_list("user_id", flat=True)) == {dispatcher.pk}
    with time_machine.travel(at(2026, 11, 18, 15, 0), tick=False):
        tasks.sweep()
        tasks.send_notices()
    escalated = set(Message.objects.filter(key__endswith=":escalate").values_list("user_id", flat=True))
    assert escalated == {dispatcher.pk, supervisor.pk}
