from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.surveys.models import ServiceHall, ServicePoint, StaffBadge

from .. import factories

EMAIL = "wang@example.com"


@pytest.fixture
def en() -> Client:
    """An anonymous visitor whose browser asks for English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def head(dept: Department) -> User:
    """The department's head: checks its rectifications (差评整改)."""
    return factories.user(Role.DEPT_HEAD, dept)


@pytest.fixture
def replied(dispatcher: User, handler: User, dept: Department) -> Callable[..., Case]:
    """``replied(email=EMAIL)``: a case answered by ``dept``; real-name when a contact is given."""

    def make(email: str = EMAIL, anonymous: bool = False, department: Department | None = None) -> Case:
        case = factories.case(contact_email=email, anonymous=anonymous, language="en")
        moves.accept(case, dispatcher)
        lead = department or dept
        moves.dispatch(case, dispatcher, lead)
        worker = handler if lead == dept else factories.user(Role.HANDLER, lead)
        moves.start(case, worker)
        moves.reply(case, worker, "已安排维修，三日内修复。")
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def hall(db: None) -> ServiceHall:
    return ServiceHall.objects.create(name="市民中心政务服务大厅")


@pytest.fixture
def point(hall: ServiceHall, dept: Department) -> ServicePoint:
    return ServicePoint.objects.create(hall=hall, department=dept, number="A03", name="不动产登记")


@pytest.fixture
def badge(point: ServicePoint, dept: Department) -> StaffBadge:
    return StaffBadge.objects.create(name="李红", number="1024", department=dept, service_point=point)
