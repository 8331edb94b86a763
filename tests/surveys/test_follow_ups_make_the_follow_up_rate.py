"""回访: ``record_follow_up`` records a call about a rating or a case; a call that reached the person makes a
real-name bad rating followed up, the numerator of 回访率."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fankui.accounts.models import Role, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.surveys import queries, rates
from fankui.surveys.models import FollowUp
from fankui.surveys.services import rate, record_follow_up
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_reached_call_counts_and_an_unreachable_one_does_not(
    replied: Callable[..., Case], dispatcher: User, other_dept: object
) -> None:
    first = rate(replied(), 1)
    second_case = replied()
    rate(second_case, 2)
    rate(replied(email="", anonymous=True), 1)  # anonymous: nobody to call, not in the rate
    assert rates.total().follow_up_rate.percent == 0.0
    assert rates.total().real_name_bad == 2
    assert queries.follow_ups_due(dispatcher).count() == 2

    record_follow_up(first, dispatcher, "unreachable", "无人接听")
    assert rates.total().followed_up == 0
    call = record_follow_up(second_case, dispatcher, "reached", "已修好，表示满意", level=4)
    assert call.rating is not None and call.rating.case_id == second_case.pk and call.level == 4
    assert rates.total().follow_up_rate.percent == 50.0
    assert queries.follow_ups_due(dispatcher).count() == 1
    assert Event.objects.filter(case=second_case, action="follow_up").count() == 1

    with pytest.raises(ValidationFailed) as error:
        record_follow_up(first, dispatcher, "maybe", level=7)
    assert set(error.value.errors) == {"outcome", "level"}
    with pytest.raises(PermissionDenied):
        record_follow_up(first, factories.user(Role.HANDLER, other_dept), "reached")  # type: ignore[arg-type]
    assert FollowUp.objects.count() == 2
