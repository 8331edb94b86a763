from __future__ import annotations

from datetime import date, timedelta

import time_machine

from fankui.accounts.models import Department, User
from fankui.actions.models import Action, ActionEvent, Indicator, State
from fankui.actions.services import linking, moves, sweeps
from fankui.actions.workflow import Step
from fankui.notify.models import Channel, Message
from fankui.topics.models import Topic
from tests import factories

from .conftest import in_topic, make_action


def test_a_near_deadline_and_milestone_warn_the_owner_once(analyst: User, owner: User, dept: Department) -> None:
    action = make_action(analyst, owner, dept, deadline=date(2026, 11, 18), milestones=[("勘查", "2026-11-17")])
    moves.transition(action, analyst, Step.APPROVE)
    assert sweeps.warn_due() == 2
    assert sweeps.warn_due() == 0
    kinds = set(ActionEvent.objects.filter(action=action).values_list("kind", flat=True))
    assert {"deadline_near", "milestone_near"} <= kinds
    assert Message.objects.filter(user=owner, channel=Channel.IN_APP).count() == 2


def test_a_missed_deadline_warns_again_once(
    analyst: User, owner: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    action = make_action(analyst, owner, dept, deadline=date(2026, 11, 18))
    moves.transition(action, analyst, Step.APPROVE)
    sweeps.warn_due()
    _frozen_time.shift(timedelta(days=5))
    assert sweeps.warn_due() == 1
    assert sweeps.warn_due() == 0
    assert ActionEvent.objects.filter(action=action, kind="deadline_missed").count() == 1


def test_drafts_are_not_watched(analyst: User, owner: User, dept: Department) -> None:
    make_action(analyst, owner, dept, deadline=date(2026, 11, 17))
    assert sweeps.warn_due() == 0


def test_verification_compares_topic_cases_per_week_before_and_after(
    analyst: User, owner: User, dept: Department, topic: Topic, _frozen_time: time_machine.Coordinates
) -> None:
    # Eight cases in the four weeks before approval: two a week.
    _frozen_time.shift(timedelta(days=-20))
    for _ in range(8):
        in_topic(factories.case(), topic)
    _frozen_time.shift(timedelta(days=20))
    action = make_action(analyst, owner, dept, topic=topic.pk, indicator=Indicator.TOPIC_WEEKLY, verify_after_days=28)
    for step in (Step.APPROVE, Step.START, Step.COMPLETE):
        moves.transition(action, analyst, step)
    _frozen_time.shift(timedelta(days=10))
    in_topic(factories.case(), topic)
    _frozen_time.shift(timedelta(days=20))
    linking.link_topic_cases()
    assert sweeps.verify_due() == 1
    action = Action.objects.get(pk=action.pk)
    assert action.state == State.VERIFIED
    assert action.indicator_result["before"] == 2.0
    assert action.indicator_result["after"] == 0.25
    assert action.indicator_result["met"] is True


def test_satisfaction_indicator_uses_the_departments_ratings(
    analyst: User,
    owner: User,
    dept: Department,
    dispatcher: User,
    handler: User,
    _frozen_time: time_machine.Coordinates,
) -> None:
    factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    factories.case_in("reopened", dispatcher=dispatcher, lead=dept, handler=handler)
    _frozen_time.shift(timedelta(days=1))
    action = make_action(
        analyst,
        owner,
        dept,
        indicator=Indicator.DEPARTMENT_SATISFACTION,
        indicator_target=80,
        indicator_weeks=1,
        verify_after_days=7,
    )
    for step in (Step.APPROVE, Step.START, Step.COMPLETE):
        moves.transition(action, analyst, step)
    _frozen_time.shift(timedelta(days=1))
    factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    _frozen_time.shift(timedelta(days=7))
    sweeps.verify_due()
    action.refresh_from_db()
    assert (action.indicator_result["before"], action.indicator_result["after"]) == (50.0, 100.0)
    assert action.indicator_result["met"] is True
