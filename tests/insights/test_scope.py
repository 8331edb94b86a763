from __future__ import annotations

from collections.abc import Callable

import pytest

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.core.errors import PermissionDenied
from fankui.insights import periods, queries

from .. import factories

pytestmark = pytest.mark.django_db
NOVEMBER = periods.parse("2026-11")


@pytest.fixture
def spread(walk: Callable[..., Case], dispatcher: User, dept: Department, other_dept: Department) -> Department:
    """Two closed cases in ``dept``, one in a team below it, one in ``other_dept``; returns the team."""
    team = factories.department("路灯管理所", parent=dept)
    walk("2026-11-02 09:00", to="closed", level=5)
    walk("2026-11-02 10:00", to="closed", level=1 + 1)  # reopened by the bad rating
    for lead in (team, other_dept):
        case = factories.case()
        moves.accept(case, dispatcher)
        moves.dispatch(case, dispatcher, lead)
    return team


def test_a_department_head_sees_the_figures_of_their_subtree(spread: Department, head: User) -> None:
    report = queries.build(queries.scope_for(head), NOVEMBER)
    assert report.volume.total == 3
    assert {r.label for r in report.volume.by_department} == {head.department.name, spread.name}  # type: ignore[union-attr]
    assert report.rates[2].denominator == 2


def test_organisation_wide_roles_see_everything(spread: Department, supervisor: User, analyst: User) -> None:
    for user in (supervisor, analyst):
        assert queries.build(queries.scope_for(user), NOVEMBER).volume.total == 4


def test_a_head_may_narrow_to_a_team_below_but_not_to_another_department(
    spread: Department, head: User, other_dept: Department
) -> None:
    narrowed = queries.build(queries.scope_for(head, spread), NOVEMBER)
    assert narrowed.volume.total == 1
    assert narrowed.rates[2].denominator == 0
    with pytest.raises(PermissionDenied):
        queries.scope_for(head, other_dept)


def test_a_handler_sees_their_department_only(spread: Department, handler: User) -> None:
    assert queries.build(queries.scope_for(handler), NOVEMBER).volume.total == 2
