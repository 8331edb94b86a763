"""FANKUI_RATING_REMINDER_DAYS after a reply without a rating, the submitter is reminded through the outbox, once;
the case still closes on its own when the rating window passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine

from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.services.moves import close_unrated
from fankui.cases.workflow import State
from fankui.core.management.commands.worker import sweeps
from fankui.notify.models import Message
from fankui.surveys.models import RatingReminder
from fankui.surveys.services import rate
from fankui.surveys.tasks import send_rating_reminders

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


def reminders() -> list[Message]:
    return list(Message.objects.to(EMAIL).filter(key__contains="rating-reminder"))


def test_the_reminder_comes_after_three_days_once_and_the_case_still_closes(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates
) -> None:
    case = replied()
    _frozen_time.shift(timedelta(days=2, hours=23))
    assert send_rating_reminders() == 0
    assert reminders() == []

    _frozen_time.shift(timedelta(hours=2))
    assert send_rating_reminders() == 1
    [message] = reminders()
    assert "You have not rated the reply" in message.body
    assert f"/track/{case.tracking_code}/rate/" in message.body
    assert Event.objects.filter(case=case, action="rating_reminder").count() == 1

    _frozen_time.shift(timedelta(days=1))
    assert send_rating_reminders() == 0
    assert len(reminders()) == 1

    _frozen_time.shift(timedelta(days=4))
    assert close_unrated() == 1
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert send_rating_reminders() == 0
    assert len(reminders()) == 1


def test_a_rated_or_anonymous_case_gets_no_message(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates
) -> None:
    rated = replied()
    rate(rated, 5)
    anonymous = replied(email="", anonymous=True)
    _frozen_time.shift(timedelta(days=3, hours=1))
    assert send_rating_reminders() == 1  # the anonymous one: recorded, so not looked at again, but nothing sent
    assert not reminders()
    assert RatingReminder.objects.get().case_id == anonymous.pk
    assert RatingReminder.objects.get().queued is False
    assert send_rating_reminders() == 0


def test_the_setting_turns_it_off(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates, settings: object
) -> None:
    settings.FANKUI_RATING_REMINDER_DAYS = 0  # type: ignore[attr-defined]
    replied()
    _frozen_time.shift(timedelta(days=5))
    assert send_rating_reminders() == 0


def test_the_sweep_is_registered() -> None:
    assert "surveys_rating_reminders" in [name for name, _fn in sweeps()]
