from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from tests import factories


@pytest.mark.django_db
def test_departments_and_categories_are_listed_for_clients(
    dispatcher: User, dept: Department, api_for: Callable[[User], Client]
) -> None:
    unit = factories.department("物业管理科", dept, code="wuye")
    lamps = factories.category("市政设施", department=dept)
    lamp = factories.category("路灯", lamps)
    client = api_for(dispatcher)

    departments = {d["id"]: d for d in client.get("/api/v1/departments").json()}
    assert departments[unit.pk] == {
        "id": unit.pk,
        "name": "物业管理科",
        "code": "wuye",
        "parent": dept.pk,
        "is_dispatch_centre": False,
        "active": True,
    }
    assert departments[dispatcher.department_id]["is_dispatch_centre"] is True

    categories = client.get("/api/v1/categories").json()
    assert categories == [
        {"id": lamps.pk, "name": "市政设施", "parent": None, "level": 1, "department": dept.pk, "active": True},
        {"id": lamp.pk, "name": "路灯", "parent": lamps.pk, "level": 2, "department": None, "active": True},
    ]


@pytest.mark.django_db
def test_the_staff_endpoints_are_documented_with_their_schemas() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/departments", "/api/v1/categories"):
        assert "get" in paths[path], path
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert {"timeline", "replies", "ratings", "contact", "available_actions"} <= set(detail)
    assert "ActionIn" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
