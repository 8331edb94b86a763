from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action, Indicator, State
from fankui.actions.services import creating
from fankui.core.errors import PermissionDenied, ValidationFailed
from tests import factories

from .conftest import make_action


def _errors(user: User, **fields: object) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        creating.create_action(user, creating.ActionInput(**fields))  # type: ignore[arg-type]
    assert not Action.objects.exists()
    return error.value.errors


def test_an_action_without_owner_or_deadline_is_refused(analyst: User, dept: Department) -> None:
    errors = _errors(analyst, title="t", goal="g", measures="m", department=dept.pk)
    assert set(errors) >= {"owner", "deadline"}


def test_a_deadline_in_the_past_is_refused(analyst: User, owner: User, dept: Department) -> None:
    errors = _errors(
        analyst, title="t", goal="g", measures="m", owner=owner.pk, department=dept.pk, deadline="2026-11-15"
    )
    assert errors["deadline"] == ["The deadline is in the past."]


def test_title_goal_and_measures_are_required(analyst: User, owner: User, dept: Department) -> None:
    errors = _errors(analyst, owner=owner.pk, department=dept.pk, deadline="2026-12-01")
    assert set(errors) == {"title", "goal", "measures"}


def test_milestones_must_lie_between_today_and_the_deadline(analyst: User, owner: User, dept: Department) -> None:
    errors = _errors(
        analyst,
        title="t",
        goal="g",
        measures="m",
        owner=owner.pk,
        department=dept.pk,
        deadline="2026-12-01",
        milestones=[("勘查", "2026-11-01"), ("施工", "2027-01-01"), ("", "bad")],
    )
    assert len(errors["milestones"]) == 3


def test_counting_topic_cases_needs_a_topic(analyst: User, owner: User, dept: Department) -> None:
    errors = _errors(
        analyst,
        title="t",
        goal="g",
        measures="m",
        owner=owner.pk,
        department=dept.pk,
        deadline="2026-12-01",
        indicator=Indicator.TOPIC_WEEKLY,
    )
    assert "indicator" in errors


def test_handlers_may_not_create_actions(handler: User, owner: User, dept: Department) -> None:
    with pytest.raises(PermissionDenied):
        make_action(handler, owner, dept)


def test_a_good_action_starts_as_a_draft_with_its_milestones(analyst: User, owner: User, dept: Department) -> None:
    action = make_action(analyst, owner, dept, milestones=[("勘查", "2026-11-20"), ("施工", date(2026, 12, 20))])
    assert action.state == State.DRAFT
    assert [m.title for m in action.milestones.all()] == ["勘查", "施工"]
    assert action.events.get().kind == "created"


def test_a_department_head_creates_only_for_the_own_subtree(dept: Department, other_dept: Department) -> None:
    head = factories.user(Role.DEPT_HEAD, other_dept)
    owner = factories.user(Role.HANDLER, dept)
    errors = _errors(head, title="t", goal="g", measures="m", owner=owner.pk, department=dept.pk, deadline="2026-12-01")
    assert "department" in errors
