"""Issue 17: any sequence of steps, by anyone, on any case, keeps the workflow's invariants (a hypothesis state
machine drives the real services on the real database):

- one state, the one the table leads to: a step the table or the role does not allow changes nothing and is refused
  with a domain error (never another exception), an allowed one lands where the table says;
- the timeline in order: each case's workflow events chain (each starts where the one before ended) and end in the
  case's state, in time order, and a refused step writes none;
- deadlines consistent: one clock per (stage, round), each clock's instants in order, none running on an ended case;
- scoping unchanged: the triage roles see every case, a department's handler exactly the cases led or assisted by
  their department, whoever touched what."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any, ClassVar

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.cases import tasks as case_tasks
from fankui.cases.models import Case
from fankui.cases.queries import visible_cases
from fankui.cases.services import moves
from fankui.cases.services.moves import ActionInput
from fankui.cases.workflow import Action, State, find
from fankui.core.errors import DomainError
from fankui.sla import tasks as sla_tasks
from fankui.sla.models import Clock
from fankui.surveys.services import rate

from .. import factories

STEPS = 30
EXAMPLES = 10
MAX_CASES = 4
PEOPLE = ["dispatcher", "supervisor", "handler_a", "handler_b", "head_a"]


class Workflow(RuleBasedStateMachine):
    # Set by the test from its fixtures: the people and departments every example shares.
    people: ClassVar[dict[str, User]]
    departments: ClassVar[list[Department]]
    clock: ClassVar[time_machine.Coordinates]

    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self.mine: list[int] = []

    @precondition(lambda self: len(self.mine) < MAX_CASES)
    @rule(target=cases, body=st.sampled_from(["路灯坏了一个月", "小区噪音扰民", "垃圾没人清运", "燃气味道很重"]))
    def receive(self, body: str) -> int:
        case = factories.case(body=f"{body}，请尽快处理。{len(self.mine)}")
        self.mine.append(case.pk)
        return case.pk

    @rule(
        case_id=cases,
        action=st.sampled_from([a for a in Action.values if not a.startswith("rate_")]),
        who=st.sampled_from(PEOPLE),
        department=st.integers(0, 1),
        other=cases,
        reason=st.sampled_from(["", "不属于本部门职责"]),
    )
    def any_step(self, case_id: int, action: str, who: str, department: int, other: int, reason: str) -> None:
        """Anyone tries anything: mostly refused, which must change nothing."""
        self._try(case_id, action, who, department, other, reason)

    @rule(case_id=cases, department=st.integers(0, 1), other=cases, data=st.data())
    def allowed_step(self, case_id: int, department: int, other: int, data: st.DataObject) -> None:
        """Someone takes a step their page offers them: it must be taken (a merge may still find its primary unfit).
        Mostly a step forward (a case that ends at once teaches little), sometimes one to an end."""
        case = Case.objects.get(pk=case_id)
        offered = [(who, t) for who in PEOPLE for t in moves.available_actions(case, self.people[who])]
        if not offered:
            return
        forward = [(who, t) for who, t in offered if t.target not in State.terminal()]
        who, transition = data.draw(st.sampled_from(forward if forward and data.draw(st.integers(0, 4)) else offered))
        taken = self._try(case_id, transition.action, who, department, other, "理由")
        assert taken or transition.action == Action.MERGE, f"{who} was offered {transition.action} and refused"

    def _try(self, case_id: int, action: str, who: str, department: int, other: int, reason: str) -> bool:
        case = Case.objects.get(pk=case_id)
        before, events = case.state, Event.objects.filter(case=case).count()
        user = self.people[who]
        data = ActionInput(
            note="",
            reason=reason,
            body="已安排维修，三日内修复。",
            lead_department=self.departments[department].pk,
            primary=Case.objects.get(pk=other).number,
            spam_kind="spam",
        )
        allowed = moves.can_act(user, case, action)
        try:
            moves.perform(case, user, action, data)
        except DomainError:
            case.refresh_from_db()
            assert case.state == before, "a refused step changed the state"
            assert Event.objects.filter(case=case).count() == events, "a refused step wrote an event"
            return False
        case.refresh_from_db()
        transition = find(before, action)
        assert allowed and transition is not None, f"{who} took {action} on a {before} case"
        assert case.state == transition.target
        return True

    @rule(case_id=cases, level=st.integers(1, 5))
    def citizen_rates(self, case_id: int, level: int) -> None:
        case = Case.objects.get(pk=case_id)
        before = case.state
        try:
            rate(case, level)
        except DomainError:
            case.refresh_from_db()
            assert case.state == before
            return
        case.refresh_from_db()
        assert before == State.REPLIED
        assert case.state == (State.CLOSED if level >= 4 else State.REOPENED)

    @rule(hours=st.sampled_from([1, 8, 24 * 3, 24 * 10]))
    def time_passes_and_the_worker_sweeps(self, hours: int) -> None:
        self.clock.shift(timedelta(hours=hours))
        for _name, sweep in [*sla_tasks.SWEEPS, *case_tasks.SWEEPS]:
            sweep()

    @invariant()
    def each_case_has_one_state_and_a_timeline_in_order(self) -> None:
        for case in Case.objects.filter(pk__in=self.mine):
            assert case.state in State.values
            moves_ = list(Event.objects.filter(case=case).exclude(to_state="").order_by("created_at", "id"))
            assert moves_, "a case without its receive event"
            assert moves_[-1].to_state == case.state
            for earlier, later in pairwise(moves_):
                assert earlier.to_state == later.from_state, (case.number, earlier.action, later.action)
                assert earlier.created_at <= later.created_at
            if case.state == State.CLOSED:
                assert case.closed_at is not None
            if case.state == State.MERGED:
                assert case.merged_into_id is not None and case.merged_into_id != case.pk

    @invariant()
    def deadlines_are_consistent(self) -> None:
        seen: set[tuple[int, str, int]] = set()
        for clock in Clock.objects.filter(case_id__in=self.mine).select_related("case"):
            key = (clock.case_id, clock.stage, clock.round)
            assert key not in seen
            seen.add(key)
            if clock.deadline is not None:
                assert clock.started_at <= clock.deadline
            for first, then in [(clock.warn_at, clock.due_at), (clock.due_at, clock.escalate_at)]:
                if first is not None and then is not None:
                    assert first <= then, (clock.stage, first, then)
            if clock.stopped_at is not None:
                assert clock.started_at <= clock.stopped_at
            if clock.case.state in State.terminal():
                assert clock.stopped_at is not None, (clock.case.state, clock.stage)

    @invariant()
    def scoping_follows_the_departments(self) -> None:
        for who in ("dispatcher", "supervisor"):
            assert set(visible_cases(self.people[who]).filter(pk__in=self.mine).values_list("pk", flat=True)) == set(
                self.mine
            )
        for who, department in (("handler_a", self.departments[0]), ("handler_b", self.departments[1])):
            expected = {
                case.pk
                for case in Case.objects.filter(pk__in=self.mine).prefetch_related("assist_departments")
                if case.lead_department_id == department.pk or department in case.assist_departments.all()
            }
            seen = set(visible_cases(self.people[who]).filter(pk__in=self.mine).values_list("pk", flat=True))
            assert seen == expected, who


@pytest.mark.django_db
def test_any_sequence_of_steps_keeps_the_workflow_invariants(
    centre: Department, _frozen_time: time_machine.Coordinates
) -> None:
    a = factories.department("市住房和城乡建设局")
    b = factories.department("市生态环境局")
    Workflow.departments = [a, b]
    Workflow.people = {
        "dispatcher": factories.user(Role.DISPATCHER, centre),
        "supervisor": factories.user(Role.SUPERVISOR, centre),
        "handler_a": factories.user(Role.HANDLER, a),
        "handler_b": factories.user(Role.HANDLER, b),
        "head_a": factories.user(Role.DEPT_HEAD, a),
    }
    Workflow.clock = _frozen_time
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.mark.django_db
def test_the_invariants_catch_a_state_changed_behind_the_services() -> None:
    """Not vacuous: a case moved without its event (a raw UPDATE) breaks the timeline invariant."""
    case = factories.case()
    machine: Any = Workflow.__new__(Workflow)
    machine.mine = [case.pk]
    machine.each_case_has_one_state_and_a_timeline_in_order()
    Case.objects.filter(pk=case.pk).update(state=State.ACCEPTED)
    with pytest.raises(AssertionError):
        machine.each_case_has_one_state_and_a_timeline_in_order()


@pytest.mark.django_db
def test_a_case_answered_at_first_contact_is_not_offered_a_reopen(dispatcher: User, supervisor: User) -> None:
    """Found by the machine: the page offered "Reopen" on such a case and the service always refused it (no
    department would handle it again)."""
    case = moves.answer_at_once(factories.case(), dispatcher, "办理时间为工作日9:00-17:00，携带身份证即可。")
    assert case.state == State.CLOSED
    assert Action.REOPEN not in [t.action for t in moves.available_actions(case, supervisor)]
