from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fankui.accounts.models import Department
from fankui.core.errors import ValidationFailed
from fankui.surveys import windows
from fankui.surveys.models import Rating, RatingKind, ServicePoint, StaffBadge

pytestmark = pytest.mark.django_db


def test_a_visitor_rates_a_window_without_a_case(point: ServicePoint) -> None:
    rating = windows.rate_window(point, "4", "  办得很快  ")

    assert rating is not None
    rating.refresh_from_db()
    assert (rating.case, rating.reply, rating.service_point, rating.staff) == (None, None, point, None)
    assert (rating.level, rating.comment, rating.channel) == (4, "办得很快", "web")


def test_a_rating_of_a_person_counts_for_their_usual_window_too(badge: StaffBadge, point: ServicePoint) -> None:
    rating = windows.rate_window(badge, 2)

    assert rating is not None
    assert (rating.staff, rating.service_point) == (badge, point)


def test_a_person_without_a_usual_window_is_rated_alone(dept: Department) -> None:
    badge = StaffBadge.objects.create(name="王伟", department=dept)

    rating = windows.rate_window(badge, 5)

    assert rating is not None and rating.service_point is None and rating.staff == badge


@pytest.mark.parametrize("level", [None, "", "0", "6", "很好", "3.5"])
def test_a_level_outside_the_five_is_refused_and_nothing_is_stored(point: ServicePoint, level: object) -> None:
    with pytest.raises(ValidationFailed) as error:
        windows.rate_window(point, level)  # type: ignore[arg-type]

    assert "level" in error.value.errors
    assert not Rating.objects.exists()


def test_a_comment_too_long_is_refused(point: ServicePoint) -> None:
    with pytest.raises(ValidationFailed) as error:
        windows.rate_window(point, 5, "好" * 2001)

    assert "comment" in error.value.errors
    assert not Rating.objects.exists()


def test_the_same_form_sent_twice_counts_once(point: ServicePoint) -> None:
    key = windows.new_form_key()

    first = windows.rate_window(point, 5, form_key=key)
    second = windows.rate_window(point, 5, form_key=key)
    third = windows.rate_window(point, 1, form_key=windows.new_form_key())

    assert first is not None and second is None and third is not None
    assert Rating.objects.count() == 2


def test_the_database_refuses_a_rating_of_nothing_and_a_rating_of_both(point: ServicePoint) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(level=5, created_at=timezone.now())
    from tests import factories

    case = factories.case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(case=case, service_point=point, level=5, created_at=timezone.now())
    # The kind must say which: a window rating of kind "reply", or one of kind "window" with a case, is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(kind=RatingKind.REPLY, service_point=point, level=5, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            kind=RatingKind.WINDOW, case=case, service_point=point, level=5, created_at=timezone.now()
        )


def test_an_unknown_replaced_or_inactive_link_finds_nothing(point: ServicePoint, badge: StaffBadge) -> None:
    assert windows.find("w", point.token) == point
    assert windows.find("p", badge.token) == badge
    assert windows.find("p", point.token) is None  # a window's token is no person's
    assert windows.find("w", "x" * 40) is None
    old = point.token
    windows.renew_token(point)
    assert windows.find("w", old) is None and windows.find("w", point.token) == point
    badge.active = False
    badge.save()
    assert windows.find("p", badge.token) is None


def test_tokens_are_random_not_counted(hall: object, dept: Department) -> None:
    tokens = {
        ServicePoint.objects.create(hall=hall, department=dept, name=f"窗口{n}").token  # type: ignore[misc]
        for n in range(20)
    }
    assert len(tokens) == 20 and all(len(t) >= 16 for t in tokens)
    assert not any(t.isdigit() for t in tokens)
