"""Walk every (state, action, actor) combination of the transition table through the services."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.cases import workflow
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import Action, Actor, State
from fankui.core.errors import Conflict, PermissionDenied
from fankui.surveys.models import Level
from fankui.surveys.services import rate
from tests import factories

STAFF_ROLES = [r.value for r in Role]
COMBINATIONS = list(itertools.product(State.values, Action.values, [*STAFF_ROLES, Actor.CITIZEN, Actor.SYSTEM]))


def perform(case: Case, action: str, actor: str, people: dict[str, Any], lead: Department) -> Case:
    """Take ``action`` on ``case`` as ``actor`` through the same service a page or the API would call."""
    user: User | None = people.get(actor)
    if actor == Actor.CITIZEN and action in (Action.RATE_SATISFIED, Action.RATE_UNSATISFIED):
        rate(case, Level.SATISFIED if action == Action.RATE_SATISFIED else Level.UNSATISFIED)
        case.refresh_from_db()
        return case
    if actor == Actor.SYSTEM and action == Action.CLOSE:
        case.replied_at = case.replied_at or case.state_changed_at
        with override_settings(FANKUI_RATING_WINDOW_DAYS=-1):
            closed = moves.close_unrated()
        if closed == 0:
            raise Conflict("nothing to close")
        case.refresh_from_db()
        return case
    if user is None or action in (Action.RATE_SATISFIED, Action.RATE_UNSATISFIED):
        # No page or endpoint offers these; the one mechanism every named service uses must refuse them.
        with transaction.atomic():
            return moves.move(Case.objects.select_for_update().get(pk=case.pk), action, user=user, actor=actor)
    match action:
        case Action.ACCEPT:
            return moves.accept(case, user)
        case Action.REJECT:
            return moves.reject(case, user, "不属于受理范围")
        case Action.DISPATCH:
            return moves.dispatch(case, user, lead)
        case Action.REDISPATCH:
            return moves.dispatch(case, user, lead, action=Action.REDISPATCH)
        case Action.RETURN:
            return moves.return_case(case, user, "非本部门职责")
        case Action.START:
            return moves.start(case, user)
        case Action.REPLY:
            return moves.reply(case, user, "已处理完毕。")
        case Action.CLOSE:
            return moves.close(case, user)
        case Action.REOPEN:
            return moves.reopen(case, user, "答复未解决问题")
        case Action.MERGE:
            return moves.merge(case, user, factories.case())
        case Action.MARK_SPAM:
            return moves.mark_spam(case, user, "abuse", "辱骂工作人员")
        case Action.UNMARK_SPAM:
            return moves.unmark_spam(case, user, "误标，实为正常诉求")
        case Action.ANSWER_AT_ONCE:
            return moves.answer_at_once(case, user, "办理居住证需携带身份证和租房合同。")
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "actor"), COMBINATIONS)
def test_every_combination_is_applied_or_refused(state: str, action: str, actor: str) -> None:
    centre = factories.department("中心", is_dispatch_centre=True)
    lead = factories.department("住建局")
    people: dict[str, Any] = {
        role: factories.user(role, lead if role in (Role.HANDLER, Role.DEPT_HEAD) else centre) for role in STAFF_ROLES
    }
    case = factories.case_in(state, dispatcher=people[Role.DISPATCHER], lead=lead, handler=people[Role.HANDLER])
    events_before = Event.objects.filter(case=case).count()
    transition = workflow.find(state, action)
    expected_ok = transition is not None and actor in transition.actors

    if expected_ok:
        assert transition is not None
        result = perform(case, action, actor, people, lead)
        result.refresh_from_db()
        assert result.state == transition.target
        last = Event.objects.filter(case=case).order_by("-id").first()
        assert last is not None and last.action == action
        assert (last.from_state, last.to_state) == (state, transition.target)
        assert last.public == transition.public
    else:
        with pytest.raises((Conflict, PermissionDenied)):
            perform(case, action, actor, people, lead)
        case.refresh_from_db()
        assert case.state == state
        assert Event.objects.filter(case=case).count() == events_before


def test_every_state_is_reachable_and_every_open_state_has_a_way_out() -> None:
    targets = {t.target for t in workflow.TRANSITIONS} | {State.RECEIVED}
    assert targets == set(State.values)
    sources = {t.source for t in workflow.TRANSITIONS}
    assert sources == set(State.values) - {State.REJECTED, State.MERGED}


def test_the_table_names_only_staff_roles_the_submitter_and_the_system() -> None:
    actors = {actor for t in workflow.TRANSITIONS for actor in t.actors}
    assert actors <= set(Role.values) | set(Actor.values)
    assert {Actor.CITIZEN, Actor.SYSTEM} <= actors
    assert set(Role.values).isdisjoint(Actor.values)
