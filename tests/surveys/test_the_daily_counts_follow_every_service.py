"""Every service that writes or changes a rating keeps its day's counts in the same transaction: a rating on the web,
on the phone and at a window, the rating of a rectification, and, days later, a call that reached the person (or
that they declined), a rectification checked, an appeal upheld. After each step the daily counts and the ratings
give the same rates, per department and category; a case sent to another department afterwards leaves its rating
where it was given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.surveys import followups, rates, windows
from fankui.surveys.models import Rating, RatingDay, RatingKind, Rectification, ServicePoint
from fankui.surveys.services import (
    check_rectification,
    decide_appeal,
    file_appeal,
    rate,
    rate_rectification,
    record_follow_up,
    submit_rectification,
)
from tests import factories

pytestmark = pytest.mark.django_db


def agree() -> None:
    for kind in RatingKind.values:
        for by in ("department", "category", ["department", "level"]):
            assert rates.rollup(by, kind=kind) == rates.rollup(by, kind=kind, only=Q()), (kind, by)
    last_week = timezone.now() - timedelta(days=7, hours=5)  # not a midnight: part of a day from the ratings
    assert rates.total(last_week, None) == rates.total(last_week, None, only=Q())


def test_each_step_keeps_the_counts(
    replied: Callable[..., Case],
    handler: User,
    supervisor: User,
    dispatcher: User,
    dept: Department,
    other_dept: Department,
    point: ServicePoint,
    _frozen_time: time_machine.Coordinates,
) -> None:
    category = factories.category("市容环境")
    first, second, third = replied(), replied(), replied(email="", anonymous=True)
    Case.objects.filter(pk=first.pk).update(category=factories.category("路灯", parent=category))
    first.refresh_from_db()
    bad = rate(first, 1, "没修好")
    appealed = rate(second, 2)
    rate(third, 5)
    windows.rate_window(point, 2)
    assert (bad.department_id, bad.category_id) == (dept.pk, category.pk)
    assert RatingDay.objects.exists()
    agree()

    _frozen_time.shift(timedelta(days=3))  # another day: the counts of the rating's day change, not today's
    record_follow_up(bad, dispatcher, "reached", "已解释")
    followups.record_call(dispatcher, second, "declined", notes="不愿多谈")
    agree()
    assert rates.total().followed_up == 2  # declining to talk is a follow-up done: the call list agrees

    _frozen_time.shift(timedelta(days=2))
    rectification = Rectification.objects.get(rating=bad)
    submit_rectification(rectification, handler, "已更换灯具")
    check_rectification(rectification, supervisor, True)
    rate_rectification(first, 4)
    appeal = file_appeal(appealed, handler, "malicious", "来电人与诉求无关")
    decide_appeal(appeal, supervisor, True, "经核实为恶意差评")
    agree()
    assert (rates.total().rectified, rates.total().excluded) == (1, 1)
    assert rates.total(kind=RatingKind.RECTIFICATION).valid == 1

    # Sent to another department after the rating: the rating stays with the department that was rated.
    Case.objects.filter(pk=first.pk).update(lead_department=other_dept)
    agree()
    assert Rating.objects.get(pk=bad.pk).department_id == dept.pk
    assert rates.rollup("department")[dept.pk].valid == 2  # the excluded one left the rates, visibly
