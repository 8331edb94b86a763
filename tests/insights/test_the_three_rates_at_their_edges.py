"""The edges of 响应率, 解决率 and 满意率 as fankui.actions.rates defines them (docs/insights.md, "Definitions"):
merged, rejected and reopened cases, cases received in one period and answered in the next, scopes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from fankui.accounts.models import Department, User
from fankui.actions import rates
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods
from fankui.surveys.services import rate

from .. import factories

pytestmark = pytest.mark.django_db
NOVEMBER = periods.parse("2026-11")
OCTOBER = periods.parse("2026-10")


def _figure(name: str, period: periods.Period = NOVEMBER, cases: object = None) -> tuple[int, int]:
    figure = getattr(rates, name)(cases, period.start, period.end)
    return figure.numerator, figure.denominator


def test_a_merged_case_has_been_responded_to(walk: Callable[..., Case], dispatcher: User) -> None:
    primary = walk("2026-11-02 09:00", to="accepted")
    duplicate = walk("2026-11-02 09:05", to="received")
    moves.merge(duplicate, dispatcher, primary)
    assert _figure("response") == (2, 2)


def test_a_case_answered_in_the_next_period_counts_in_neither_numerator(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]], dispatcher: User
) -> None:
    late = walk("2026-10-31 23:30", to="received")  # October in Beijing time, though 15:30 UTC
    with at("2026-11-01 09:00"):
        moves.accept(late, dispatcher)
    assert _figure("response", OCTOBER) == (0, 1)
    assert _figure("response") == (0, 0)


def test_a_period_without_cases_has_no_rate_rather_than_zero() -> None:
    for name in ("response", "resolution", "satisfaction"):
        figure = getattr(rates, name)(None, NOVEMBER.start, NOVEMBER.end)
        assert figure == rates.NOTHING and figure.percent is None


def test_rejected_and_merged_cases_are_never_resolved_or_unresolved(
    walk: Callable[..., Case], dispatcher: User
) -> None:
    walk("2026-11-02 09:00", to="rejected")
    primary = walk("2026-11-02 10:00", to="closed", level=5)
    duplicate = walk("2026-11-02 10:05", to="received")
    moves.merge(duplicate, dispatcher, primary)
    assert _figure("resolution") == (1, 1)


def test_a_case_reopened_after_closing_leaves_the_resolution_rate_until_closed_again(
    walk: Callable[..., Case],
    at: Callable[[str], AbstractContextManager[object]],
    supervisor: User,
    handler: User,
) -> None:
    case = walk("2026-11-02 09:00", to="closed", level=4)
    with at("2026-11-05 09:00"):
        moves.reopen(case, supervisor, "答复与事实不符。")
    assert _figure("resolution") == (0, 0)
    with at("2026-11-06 09:00"):
        moves.reply(case, handler, "已重新核实处理。")
        rate(case, 5)
    assert _figure("resolution") == (1, 1)


def test_a_case_closed_without_any_rating_is_resolved(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-02 09:00", to="replied")
    with at("2026-11-12 09:00"):
        moves.close_unrated()
    assert _figure("resolution") == (1, 1)


def test_a_case_rated_twice_counts_twice_in_the_satisfaction_rate(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]], handler: User
) -> None:
    case = walk("2026-11-02 09:00", to="reopened", level=2)
    with at("2026-11-03 09:00"):
        moves.reply(case, handler, "再次答复。")
        rate(case, 3)  # 基本满意 is satisfied
    assert _figure("satisfaction") == (1, 2)


def test_a_departments_satisfaction_covers_the_departments_below_it(
    dispatcher: User, handler: User, dept: Department, other_dept: Department
) -> None:
    team = factories.department("路灯管理所", parent=dept)
    team_handler = factories.user("handler", team)
    factories.case_in("closed", dispatcher=dispatcher, lead=team, handler=team_handler)
    factories.case_in("reopened", dispatcher=dispatcher, lead=dept, handler=handler)
    elsewhere = factories.user("handler", other_dept)
    factories.case_in("closed", dispatcher=dispatcher, lead=other_dept, handler=elsewhere)
    figure = rates.department_satisfaction(dept, NOVEMBER.start, NOVEMBER.end)
    assert (figure.numerator, figure.denominator, figure.percent) == (1, 2, 50.0)
    assert _figure("satisfaction", cases=Case.objects.filter(lead_department=other_dept)) == (1, 1)
