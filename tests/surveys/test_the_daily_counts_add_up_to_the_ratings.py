"""The rates read whole local days from the daily counts (``RatingDay``) and the ends of a range from the ratings
themselves. For any ratings, any change made to them later (an appeal upheld, a rectification done, a call that
reached the person, days after the rating) and any range (cutting days, open at either end), the sum is what
counting every rating gives; and a recount from scratch (``tallies.rebuild``) changes nothing."""

from __future__ import annotations

from copy import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fankui.accounts.models import Department
from fankui.surveys import rates
from fankui.surveys.models import Rating, RatingKind, ServiceHall, ServicePoint, StaffBadge
from fankui.surveys.services import tallies

pytestmark = pytest.mark.django_db

START = datetime(2026, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
SPAN = 6 * 86400  # six local days: ranges cut through days and cross midnights

moment = st.integers(0, SPAN).map(lambda s: START + timedelta(seconds=s))
a_rating = st.fixed_dictionaries(
    {
        "at": moment,
        "level": st.integers(1, 5),
        "real_name": st.booleans(),
        "point": st.integers(0, 2),
        "person": st.booleans(),
    }
)
a_change = st.tuples(
    st.integers(0, 59), st.sampled_from(["excluded", "rectified", "followed_up"]), st.integers(0, SPAN)
)
a_range = st.tuples(st.none() | moment, st.none() | moment)
GROUPINGS: list[object] = [
    "department",
    "service_point",
    "service_point__hall",
    "staff",
    "level",
    ["department", "level"],
]


@pytest.fixture
def places(dept: Department, other_dept: Department) -> tuple[list[ServicePoint], StaffBadge]:
    halls = [ServiceHall.objects.create(name="东厅"), ServiceHall.objects.create(name="西厅")]
    points = [
        ServicePoint.objects.create(hall=halls[0], department=dept, number="A1", name="登记"),
        ServicePoint.objects.create(hall=halls[0], department=other_dept, number="A2", name="社保"),
        ServicePoint.objects.create(hall=halls[1], department=dept, number="B1", name="公积金"),
    ]
    return points, StaffBadge.objects.create(name="李红", department=other_dept, service_point=points[0])


def _write(spec: dict, points: list[ServicePoint], badge: StaffBadge) -> Rating:
    point = points[spec["point"]]
    rating = Rating.objects.create(
        kind=RatingKind.WINDOW,
        service_point=point,
        staff=badge if spec["person"] else None,
        department=point.department,
        level=spec["level"],
        real_name=spec["real_name"],
        created_at=spec["at"],
    )
    tallies.counted(rating)
    return rating


def _change(rating: Rating, what: str, after: int) -> None:
    """What the services do to a rating later: take it out (appeal), mark it rectified or followed up."""
    before = copy(rating)
    at = rating.created_at + timedelta(seconds=after)
    if what == "excluded":
        rating.excluded = True
    elif what == "rectified" and rating.rectified_at is None:
        rating.rectified_at = at
    elif what == "followed_up" and rating.followed_up_at is None:
        rating.followed_up_at = at
    rating.save()
    tallies.counted(rating, before)


def _agree(start: datetime | None, end: datetime | None, dept: Department) -> None:
    for by in GROUPINGS:
        for where in (None, Q(department=dept), Q(service_point__hall__name="东厅") | Q(staff__isnull=False)):
            from_days = rates.rollup(by, start, end, kind=RatingKind.WINDOW, where=where)
            from_ratings = rates.rollup(by, start, end, kind=RatingKind.WINDOW, where=where, only=Q())
            assert from_days == from_ratings, (by, where)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(a_rating, min_size=1, max_size=60),
    changes=st.lists(a_change, max_size=40),
    ranges=st.lists(a_range, min_size=1, max_size=4),
)
def test_the_daily_counts_and_the_ratings_give_the_same_rates(
    places: tuple[list[ServicePoint], StaffBadge],
    dept: Department,
    specs: list[dict],
    changes: list[tuple[int, str, int]],
    ranges: list[tuple[datetime | None, datetime | None]],
) -> None:
    points, badge = places
    with transaction.atomic():
        ratings = [_write(spec, points, badge) for spec in specs]
        for index, what, after in changes:
            _change(ratings[index % len(ratings)], what, after)
        for start, end in [(None, None), *ranges]:
            _agree(start, end, dept)
        sums = {span: rates.total(*span, kind=RatingKind.WINDOW) for span in [(None, None), *ranges]}
        tallies.rebuild()
        assert {span: rates.total(*span, kind=RatingKind.WINDOW) for span in sums} == sums
        transaction.set_rollback(True)


def test_a_range_inside_one_day_reads_the_ratings_and_a_whole_day_the_counts(
    places: tuple[list[ServicePoint], StaffBadge], dept: Department
) -> None:
    points, badge = places
    _write(
        {"at": START + timedelta(hours=9), "level": 5, "real_name": False, "point": 0, "person": False}, points, badge
    )
    _write(
        {"at": START + timedelta(hours=30), "level": 1, "real_name": True, "point": 0, "person": True}, points, badge
    )
    assert rates.whole_days(START + timedelta(hours=1), START + timedelta(hours=20)) == (
        START.date() + timedelta(days=1),
        START.date(),
    )
    assert rates.total(START + timedelta(hours=8), START + timedelta(hours=10), kind=RatingKind.WINDOW).valid == 1
    assert rates.total(START, START + timedelta(days=1), kind=RatingKind.WINDOW).valid == 1
    both = rates.total(START + timedelta(hours=8), START + timedelta(hours=31), kind=RatingKind.WINDOW)
    assert (both.valid, both.bad, both.real_name_bad) == (2, 1, 1)
