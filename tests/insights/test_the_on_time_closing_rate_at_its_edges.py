"""The edges of 按时办结率 (fankui.actions.rates.on_time, the "close" stage of fankui.sla.queries): a clock counts in
the period its deadline falls in, once that deadline has passed; rejected and merged cases are not counted."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from fankui.accounts.models import Department, User
from fankui.actions import rates
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods
from fankui.sla import queries as sla
from fankui.sla.defaults import ensure_defaults

from .. import factories

pytestmark = pytest.mark.django_db
NOVEMBER = periods.parse("2026-11")


@pytest.fixture(autouse=True)
def _policies(db: None) -> None:
    ensure_defaults()  # an inquiry: accepted within 4 working hours, closed within 10 working days


def _on_time(department: Department | None = None) -> tuple[int, int]:
    figure = rates.on_time(NOVEMBER.start, NOVEMBER.end, department)
    return figure.numerator, figure.denominator


def test_a_case_closed_early_counts_once_its_deadline_has_passed(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-09 09:00", to="closed", kind="inquiry", level=5)  # deadline 23 November
    with at("2026-11-20 10:00"):
        assert _on_time() == (0, 0)
    with at("2026-11-24 10:00"):
        assert _on_time() == (1, 1)


def test_a_case_still_open_past_its_deadline_is_late(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-02 09:00", to="replied", kind="inquiry")  # deadline 16 November 17:30
    with at("2026-11-16 17:00"):
        assert _on_time() == (0, 0)
    with at("2026-11-17 09:00"):
        assert _on_time() == (0, 1)


def test_a_case_closed_after_its_deadline_is_late(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    case = walk("2026-11-02 09:00", to="replied", kind="inquiry")
    with at("2026-11-18 09:00"):
        moves.close_unrated()
        case.refresh_from_db()
        assert case.state == "closed"
        assert _on_time() == (0, 1)


def test_rejected_and_merged_cases_count_as_responses_but_not_as_closed(
    walk: Callable[..., Case], dispatcher: User, at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-02 09:00", to="rejected", kind="inquiry")
    primary = walk("2026-11-02 09:10", to="accepted", kind="inquiry")
    duplicate = walk("2026-11-02 09:20", to="received", kind="inquiry")
    with at("2026-11-02 09:30"):
        moves.merge(duplicate, dispatcher, primary)
    with at("2026-11-20 10:00"):
        assert _on_time() == (0, 1)  # the primary, still open
        accept = next(r for r in sla.on_time_rates(NOVEMBER.start, NOVEMBER.end) if r.stage == "accept")
        assert (accept.on_time, accept.due) == (3, 3)


def test_a_past_month_counts_every_deadline_it_held(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-10-19 09:00", to="closed", kind="inquiry", level=5)  # deadline 2 November: November's figure
    walk("2026-10-12 09:00", to="closed", kind="inquiry", level=5)  # deadline 26 October
    october = periods.parse("2026-10")
    figure = rates.on_time(october.start, october.end)
    assert (figure.numerator, figure.denominator) == (1, 1)
    assert _on_time() == (1, 1)


def test_a_departments_rate_covers_the_cases_it_leads_with_its_subtree(
    dispatcher: User,
    supervisor: User,
    dept: Department,
    other_dept: Department,
    at: Callable[[str], AbstractContextManager[object]],
) -> None:
    team = factories.department("路灯管理所", parent=dept)
    with at("2026-11-02 09:00"):
        for lead in (team, other_dept):
            case = factories.case(kind="inquiry")
            moves.accept(case, dispatcher)
            moves.dispatch(case, dispatcher, lead)
    with at("2026-11-05 09:00"):
        moves.reject(factories.case(kind="inquiry"), dispatcher, "不属于受理范围")
    with at("2026-11-20 10:00"):
        assert _on_time(dept) == (0, 1)  # the team's case, open past its deadline
        assert _on_time(other_dept) == (0, 1)
        assert _on_time() == (0, 2)


def test_no_deadline_due_means_no_rate_rather_than_100_percent() -> None:
    figure = rates.on_time(NOVEMBER.start, NOVEMBER.end)
    assert figure == rates.NOTHING and figure.percent is None
