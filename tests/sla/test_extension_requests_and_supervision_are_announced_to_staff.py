"""An extension request reaches the supervisors; 督办 reaches the lead department, each in the application."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Department, Role, User
from fankui.cases.models import Case
from fankui.notify.models import Channel, Message
from fankui.sla.services import extensions, supervision
from tests import factories


@pytest.fixture
def case(policies: int, dispatcher: User, handler: User, dept: Department) -> Case:
    return factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)


def _subjects(user: User) -> list[str]:
    return list(
        Message.objects.filter(user=user, channel=Channel.IN_APP).order_by("id").values_list("subject", flat=True)
    )


def test_an_extension_request_tells_every_supervisor(
    case: Case, handler: User, supervisor: User, centre: Department, dept: Department
) -> None:
    other = factories.user(Role.SUPERVISOR, centre, language="en")
    supervisor.language = "en"
    supervisor.save()
    extension = extensions.request_extension(case, handler, 5, "需要协调供电公司。")
    for person in (supervisor, other):
        assert _subjects(person) == [f"Case {case.number}: {dept.name} asks for 5 more working days"]
    message = Message.objects.get(user=supervisor, channel=Channel.IN_APP)
    assert message.case_id == case.pk and "需要协调供电公司。" in message.body
    assert f"/staff/cases/{case.pk}/" in message.body
    assert Message.objects.filter(key=f"sla:extension:{extension.pk}:requested").count() == 2


def test_supervision_tells_the_lead_departments_handlers_and_head(
    case: Case, handler: User, dept_head: User, supervisor: User, other_dept: Department
) -> None:
    bystander = factories.user(Role.HANDLER, other_dept)
    handler.language = dept_head.language = "en"
    handler.save()
    dept_head.save()
    supervision.supervise(case, supervisor, "请今天内联系诉求人。")
    for person in (handler, dept_head):
        assert f"Case {case.number} is under supervision" in _subjects(person)
    body = Message.objects.get(user=handler, subject__contains="supervision").body
    assert "请今天内联系诉求人。" in body
    assert _subjects(bystander) == [] and _subjects(supervisor) == []
