from __future__ import annotations

import pytest

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from fankui.core.errors import PermissionDenied, ValidationFailed
from tests import factories


@pytest.mark.django_db
def test_dispatch_needs_an_active_lead_and_ignores_the_lead_among_assistants(
    dispatcher: User, dept: Department, other_dept: Department
) -> None:
    case = factories.case()
    moves.accept(case, dispatcher)
    with pytest.raises(ValidationFailed):
        moves.dispatch(case, dispatcher, None)
    moves.dispatch(case, dispatcher, dept, [dept, other_dept, other_dept])
    assert list(case.assist_departments.all()) == [other_dept]
    event = case.events.get(action="dispatch")
    assert event.data["lead_department_name"] == dept.name and event.public


@pytest.mark.django_db
def test_only_the_lead_department_may_work_the_case(
    dispatcher: User, handler: User, dept: Department, other_dept: Department
) -> None:
    outsider = factories.user(Role.HANDLER, other_dept)
    head = factories.user(Role.DEPT_HEAD, factories.department("住建委", None))
    sub_head = factories.user(Role.DEPT_HEAD, dept.parent or dept)
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept, [other_dept])
    with pytest.raises(PermissionDenied):
        moves.start(case, outsider)  # assisting departments help, the lead answers
    with pytest.raises(PermissionDenied):
        moves.start(case, head)  # a head of an unrelated tree
    moves.start(case, sub_head)


@pytest.mark.django_db
def test_a_department_head_may_work_cases_of_units_below(dispatcher: User, dept: Department) -> None:
    unit = factories.department("物业管理科", dept)
    head = factories.user(Role.DEPT_HEAD, dept)
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, unit)
    moves.start(case, head)
    moves.reply(case, head, "已督促物业整改。")
    assert case.replies.get().department == unit


@pytest.mark.django_db
def test_a_reason_is_required_to_reject_or_return(dispatcher: User, handler: User, dept: Department) -> None:
    case = factories.case()
    with pytest.raises(ValidationFailed):
        moves.reject(case, dispatcher, "   ")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    with pytest.raises(ValidationFailed):
        moves.return_case(case, handler, "")
