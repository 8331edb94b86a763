"""Walk every (state, step, actor) of the action workflow through the service and compare with the table."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions import workflow
from fankui.actions.models import Action, ActionEvent, State
from fankui.actions.services import moves
from fankui.actions.workflow import Step
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories

from .conftest import make_action

ROLES = [Role.ANALYST, Role.SUPERVISOR, Role.ADMIN, Role.DEPT_HEAD, Role.HANDLER, Role.DISPATCHER, "owner"]


def _actor(role: str, dept: Department, owner: User) -> User:
    if role == "owner":
        return owner
    return factories.user(role, dept)


@pytest.mark.parametrize(("state", "step", "role"), list(itertools.product(State.values, Step.values, ROLES)))
def test_every_step_follows_the_table(
    state: str, step: str, role: str, dept: Department, analyst: User, owner: User
) -> None:
    action = make_action(analyst, owner, dept)
    done_long_ago = timezone.now() - timedelta(days=60)
    Action.objects.filter(pk=action.pk).update(state=state, done_at=done_long_ago)
    user = _actor(role, dept, owner)
    transition = workflow.find(state, step)
    expected = transition is not None and (role in transition.actors)
    reason = "不再需要" if transition is not None and transition.needs_reason else ""
    if expected:
        moved = moves.transition(action, user, step, reason)
        assert moved.state == transition.target
        assert ActionEvent.objects.filter(action=action, kind=step, to_state=transition.target).exists()
    else:
        with pytest.raises((Conflict, PermissionDenied)):
            moves.transition(action, user, step, reason)
        action.refresh_from_db()
        assert action.state == state


def test_abandoning_needs_a_reason(dept: Department, analyst: User, owner: User) -> None:
    action = make_action(analyst, owner, dept)
    with pytest.raises(ValidationFailed) as error:
        moves.transition(action, analyst, Step.ABANDON, "  ")
    assert "reason" in error.value.errors
    moves.transition(action, analyst, Step.ABANDON, "资金未落实")
    action.refresh_from_db()
    assert (action.state, action.abandon_reason) == (State.ABANDONED, "资金未落实")


def test_a_department_head_acts_only_within_the_subtree(dept: Department, other_dept: Department, owner: User) -> None:
    head = factories.user(Role.DEPT_HEAD, other_dept)
    analyst = factories.user(Role.ANALYST, dept)
    action = make_action(analyst, owner, dept)
    with pytest.raises(PermissionDenied):
        moves.transition(action, head, Step.APPROVE)


def test_verification_waits_for_the_set_period(dept: Department, analyst: User, owner: User) -> None:
    action = make_action(analyst, owner, dept)
    for step in (Step.APPROVE, Step.START, Step.COMPLETE):
        moves.transition(action, analyst, step)
    with pytest.raises(Conflict) as error:
        moves.transition(action, analyst, Step.VERIFY)
    assert "2026-12-14" in str(error.value.message)
