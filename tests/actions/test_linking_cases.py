from __future__ import annotations

import pytest

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import ActionCase, State
from fankui.actions.services import linking, moves
from fankui.core.errors import Conflict, ValidationFailed
from fankui.topics.models import Topic
from tests import factories

from .conftest import in_topic, make_action


def test_only_cases_the_user_may_see_can_be_linked(
    dept: Department, other_dept: Department, dispatcher: User, handler: User, owner: User
) -> None:
    head = factories.user(Role.DEPT_HEAD, dept)
    mine = factories.case_in("dispatched", dispatcher=dispatcher, lead=dept, handler=handler)
    other_handler = factories.user(Role.HANDLER, other_dept)
    theirs = factories.case_in("dispatched", dispatcher=dispatcher, lead=other_dept, handler=other_handler)
    action = make_action(head, owner, dept)
    with pytest.raises(ValidationFailed) as error:
        linking.link_cases(action, head, refs=[mine.number, theirs.number])
    assert theirs.number in error.value.errors["cases"][0]
    assert not ActionCase.objects.exists()
    assert linking.link_cases(action, head, refs=[mine.number]) == 1


def test_creating_from_selected_cases_refuses_invisible_ones(
    dept: Department, other_dept: Department, dispatcher: User, owner: User
) -> None:
    head = factories.user(Role.DEPT_HEAD, dept)
    invisible = factories.case()
    with pytest.raises(ValidationFailed) as error:
        make_action(head, owner, dept, case_ids=[invisible.pk])
    assert "cases" in error.value.errors


def test_counts_people_not_cases(analyst: User, owner: User, dept: Department) -> None:
    cases = [
        factories.case(contact_phone="13800138000"),
        factories.case(contact_phone="13800138000"),
        factories.case(contact_email="li@example.com"),
        factories.case(anonymous=True),
    ]
    action = make_action(analyst, owner, dept, case_ids=[c.pk for c in cases])
    assert (action.linked_count, action.people_count) == (4, 3)


def test_a_topic_links_its_cases_and_later_ones_join_by_themselves(
    analyst: User, owner: User, dept: Department, topic: Topic
) -> None:
    first = in_topic(factories.case(), topic)
    factories.case()  # another topic's
    action = make_action(analyst, owner, dept, topic=topic.pk)
    assert list(action.links.values_list("case_id", flat=True)) == [first.pk]
    later = in_topic(factories.case(), topic)
    assert linking.link_topic_cases() == 1
    assert linking.link_topic_cases() == 0
    link = ActionCase.objects.get(case=later)
    assert link.via == ActionCase.Via.TOPIC
    action.refresh_from_db()
    assert action.linked_count == 2


def test_an_abandoned_action_takes_no_new_cases(analyst: User, owner: User, dept: Department, topic: Topic) -> None:
    in_topic(factories.case(), topic)  # an action is made from a topic its maker sees: one with a case
    action = make_action(analyst, owner, dept, topic=topic.pk)
    moves.transition(action, analyst, "abandon", "重复")
    in_topic(factories.case(), topic)
    assert linking.link_topic_cases() == 0
    action.refresh_from_db()
    assert action.state == State.ABANDONED


def test_unlinking_removes_the_case(analyst: User, owner: User, dept: Department) -> None:
    case = factories.case()
    action = make_action(analyst, owner, dept, case_ids=[case.pk])
    linking.unlink_case(action, analyst, case.pk)
    action.refresh_from_db()
    assert action.linked_count == 0


def test_an_action_from_survey_answers_links_the_badly_rated_cases(
    analyst: User, owner: User, dept: Department, dispatcher: User, handler: User
) -> None:
    bad = factories.case_in("reopened", dispatcher=dispatcher, lead=dept, handler=handler)
    factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    action = make_action(analyst, owner, dept, from_bad_ratings=True, source="survey")
    assert list(action.links.values_list("case_id", flat=True)) == [bad.pk]


def test_a_finished_actions_cases_can_neither_be_unlinked_nor_linked(
    analyst: User, owner: User, dept: Department
) -> None:
    """Its cases are the action's record; the page offers neither (services.cases_can_change)."""
    case, other = factories.case(), factories.case()
    action = make_action(analyst, owner, dept, case_ids=[case.pk])
    moves.transition(action, analyst, "abandon", "重复")
    with pytest.raises(Conflict):
        linking.unlink_case(action, analyst, case.pk)
    with pytest.raises(Conflict):
        linking.link_cases(action, analyst, ids=[other.pk])
    assert list(action.links.values_list("case_id", flat=True)) == [case.pk]
