"""An action marked done has no measured effect yet: the "after" figure and the verdict are pending until the
indicator's weeks after completion have passed, and every page says when they will be known. It once showed
"target reached" and "after: 0.0" the day it was done (a window of minutes holds no case)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.actions import broadcast, indicators
from fankui.actions.models import Action, Indicator, State
from fankui.actions.services import moves, sweeps
from fankui.actions.workflow import Step
from fankui.core.errors import Conflict
from fankui.insights import integrations, periods, queries
from fankui.notify.models import Message
from fankui.topics.models import Topic
from tests import factories

from .conftest import in_topic, make_action

EN = {"Accept-Language": "en"}


@pytest.fixture
def done(analyst: User, owner: User, dept: Department, topic: Topic, _frozen_time: time_machine.Coordinates) -> Action:
    """Eight cases of the topic in the four weeks before approval (two a week); done on Monday 16 November at 10:00,
    looked at three hours later."""
    _frozen_time.shift(timedelta(days=-20))
    for _ in range(8):
        in_topic(factories.case(), topic)
    _frozen_time.shift(timedelta(days=20))
    action = make_action(
        analyst,
        owner,
        dept,
        topic=topic.pk,
        indicator=Indicator.TOPIC_WEEKLY,
        indicator_target=1,
        case_ids=[factories.case(contact_email="li@example.com").pk],
    )
    for step in (Step.APPROVE, Step.START, Step.COMPLETE):
        moves.transition(action, analyst, step)
    _frozen_time.shift(timedelta(hours=3))  # later the same day
    cache.clear()
    return Action.objects.get(pk=action.pk)


def test_on_the_day_it_is_done_the_effect_is_pending_with_the_day_it_will_be_known(done: Action) -> None:
    figures = indicators.figures(done)
    assert figures["before"] == 2.0
    assert (figures["after"], figures["met"], figures["pending"]) == (None, None, True)
    assert figures["known_on"] == date(2026, 12, 14)  # four weeks after completion


def test_the_staff_page_and_the_board_say_pending_not_target_reached(
    done: Action, analyst: User, client_for: Callable[[User], Client]
) -> None:
    staff = client_for(analyst).get(f"/staff/actions/{done.pk}/", headers=EN).content.decode()
    assert "Pending: known on 2026-12-14" in staff and "Pending until 2026-12-14" in staff
    assert "Target reached" not in staff and "<dd>0.0</dd>" not in staff
    assert f"/staff/actions/{done.pk}/step/verify/" not in staff  # no button for a step that would be refused
    for url in ("/board/", f"/board/{done.pk}/"):
        public = Client().get(url, headers=EN).content.decode()
        assert "known on 2026-12-14" in public
        assert "Target reached" not in public and "<strong>0.0</strong>" not in public


def test_the_message_to_citizens_says_when_the_effect_will_be_known(done: Action) -> None:
    broadcast.run_pending()
    message = Message.objects.get(key=f"action:{done.pk}:done")
    assert "2026-12-14" in message.body


def test_the_report_lists_it_as_pending_until_that_day(done: Action) -> None:
    section = integrations.actions(queries.whole_organisation(), periods.parse("2026-11"))
    effect = {str(row[0]): row[-1] for row in section.tables[1].rows}[done.title]
    assert effect == "pending until 2026-12-14"


def test_it_cannot_be_verified_before_the_period_has_passed(done: Action, analyst: User) -> None:
    assert sweeps.verify_due() == 0
    with pytest.raises(Conflict) as refused:
        moves.transition(done, analyst, Step.VERIFY)
    assert "2026-12-14" in str(refused.value.message)


def test_after_the_period_the_effect_is_computed_and_recorded(
    done: Action, topic: Topic, _frozen_time: time_machine.Coordinates, analyst: User, client_for: Any
) -> None:
    _frozen_time.shift(timedelta(days=10))
    in_topic(factories.case(), topic)  # one case in the four weeks after: 0.25 a week
    _frozen_time.shift(timedelta(days=17, hours=20))
    assert indicators.figures(done)["pending"] is True  # an hour before the four weeks are over
    assert sweeps.verify_due() == 0
    _frozen_time.shift(timedelta(hours=1))
    figures = indicators.figures(done)
    assert (figures["after"], figures["met"], figures["pending"]) == (0.25, True, False)
    assert sweeps.verify_due() == 1
    verified = Action.objects.get(pk=done.pk)
    assert verified.state == State.VERIFIED
    assert (verified.indicator_result["after"], verified.indicator_result["met"]) == (0.25, True)
    cache.clear()
    staff = client_for(analyst).get(f"/staff/actions/{done.pk}/", headers=EN).content.decode()
    assert "Target reached" in staff and "Pending" not in staff
    assert "Target reached" in Client().get("/board/", headers=EN).content.decode()


def test_a_verification_delay_shorter_than_the_weeks_compared_waits_for_the_weeks(
    analyst: User, owner: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    action = make_action(
        analyst, owner, dept, indicator=Indicator.DEPARTMENT_SATISFACTION, indicator_weeks=6, verify_after_days=7
    )
    for step in (Step.APPROVE, Step.START, Step.COMPLETE):
        moves.transition(action, analyst, step)
    action.refresh_from_db()
    assert indicators.figures(action)["known_on"] == date(2026, 12, 28)
    _frozen_time.shift(timedelta(days=8))
    assert sweeps.verify_due() == 0
