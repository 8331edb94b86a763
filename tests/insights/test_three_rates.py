from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods, queries
from fankui.surveys.services import rate

pytestmark = pytest.mark.django_db


def _rates() -> dict[str, queries.Rate]:
    return {r.key: r for r in queries.three_rates(queries.whole_organisation(), periods.parse("2026-11"))}


def test_response_rate_counts_cases_accepted_or_rejected_before_the_period_ended(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]], dispatcher: User
) -> None:
    walk("2026-11-02 09:00", to="accepted")
    walk("2026-11-02 10:00", to="rejected")
    walk("2026-11-03 09:00", to="received")
    late = walk("2026-10-31 22:00", to="received")  # received in October, accepted in November
    rates = _rates()
    assert (rates["response"].numerator, rates["response"].denominator) == (2, 3)
    assert rates["response"].value == 66.7
    assert (rates["response"].previous_numerator, rates["response"].previous_denominator) == (0, 1)
    with at("2026-11-01 08:00"):
        moves.accept(late, dispatcher)
    # Accepted after October ended: October's response rate does not change in hindsight.
    assert _rates()["response"].previous_numerator == 0


def test_resolution_rate_excludes_closed_cases_whose_latest_rating_is_unsatisfied(
    walk: Callable[..., Case],
    at: Callable[[str], AbstractContextManager[object]],
    dispatcher: User,
    handler: User,
    supervisor: User,
) -> None:
    walk("2026-11-02 09:00", to="closed", level=4)
    walk("2026-11-02 10:00", to="closed", level=3)
    unhappy = walk("2026-11-03 09:00", to="reopened", level=1)
    with at("2026-11-04 09:00"):
        moves.reply(unhappy, handler, "再次答复。")
    with at("2026-11-05 09:00"):
        moves.close(unhappy, supervisor)  # closed without a second rating: the citizen's last word was "unsatisfied"
    by_window = walk("2026-11-06 09:00", to="replied")
    with at("2026-11-14 09:00"):
        moves.close_unrated()
    by_window.refresh_from_db()
    assert by_window.state == "closed"
    resolution = _rates()["resolution"]
    assert (resolution.numerator, resolution.denominator) == (3, 4)


def test_satisfaction_rate_counts_ratings_given_in_the_period(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-02 09:00", to="closed", level=5)
    walk("2026-11-02 09:00", to="closed", level=3)
    walk("2026-11-02 09:00", to="reopened", level=2)
    walk("2026-10-02 09:00", to="closed", level=5)
    satisfaction = _rates()["satisfaction"]
    assert (satisfaction.numerator, satisfaction.denominator) == (2, 3)
    assert (satisfaction.previous_numerator, satisfaction.previous_denominator) == (1, 1)
    assert satisfaction.change == round(200 / 3 - 100, 1)


def test_a_rate_without_cases_has_no_value_rather_than_zero() -> None:
    rates = _rates()
    assert all(r.value is None and r.previous_value is None and r.change is None for r in rates.values())


def test_a_rating_after_a_reopen_is_the_latest_rating(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]], handler: User
) -> None:
    case = walk("2026-11-03 09:00", to="reopened", level=1)
    with at("2026-11-04 09:00"):
        moves.reply(case, handler, "再次答复。")
        rate(case, 4)
    resolution = _rates()["resolution"]
    assert (resolution.numerator, resolution.denominator) == (1, 1)
