from __future__ import annotations

import pytest

from fankui.accounts.models import Department
from fankui.surveys.models import ServiceHall, ServicePoint, StaffBadge


@pytest.fixture
def hall(db: None) -> ServiceHall:
    return ServiceHall.objects.create(name="市民中心政务服务大厅")


@pytest.fixture
def point(hall: ServiceHall, dept: Department) -> ServicePoint:
    return ServicePoint.objects.create(hall=hall, department=dept, number="A03", name="不动产登记")


@pytest.fixture
def badge(point: ServicePoint, dept: Department) -> StaffBadge:
    return StaffBadge.objects.create(name="李红", number="1024", department=dept, service_point=point)
