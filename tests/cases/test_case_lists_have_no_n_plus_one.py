"""A list page costs the same number of queries for 5 cases as for 30: no query per row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from tests import factories


def make_cases(n: int, dispatcher: User, lead: Department, assist: Department) -> None:
    category = factories.category(department=lead)
    for _ in range(n):
        case = factories.case(category=category.pk, title="", contact_phone="13912345678")
        moves.accept(case, dispatcher)
        moves.dispatch(case, dispatcher, lead, [assist])


def queries_for(client: Client, url: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers or {}).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/staff/triage/", "/staff/inbox/", "/staff/cases/", "/staff/cases/?q=路灯", "/staff/cases/?q=13912345678"]
)
@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD])
def test_a_list_page_does_not_query_per_row(
    url: str,
    role: str,
    dispatcher: User,
    dept: Department,
    other_dept: Department,
    page_for: Callable[[User], Client],
    settings: object,
) -> None:
    if url == "/staff/triage/" and role != Role.DISPATCHER:
        pytest.skip("triage is not a department's page (it sends handlers and heads to their inbox)")
    settings.FANKUI_PAGE_SIZE = 50  # type: ignore[attr-defined]
    user = dispatcher if role == Role.DISPATCHER else factories.user(role, dept)
    client = page_for(user)
    make_cases(5, dispatcher, dept, other_dept)
    few = queries_for(client, url), queries_for(client, url, {"HX-Request": "true"})
    make_cases(25, dispatcher, dept, other_dept)
    many = queries_for(client, url), queries_for(client, url, {"HX-Request": "true"})
    assert few == many


@pytest.mark.django_db
def test_the_api_list_does_not_query_per_row(
    dispatcher: User, dept: Department, other_dept: Department, api_for: Callable[[User], Client]
) -> None:
    client = api_for(dispatcher)
    client.get("/api/v1/cases")  # the token's first use is recorded once; that write is not what is measured here
    make_cases(5, dispatcher, dept, other_dept)
    few = queries_for(client, "/api/v1/cases?page_size=50")
    make_cases(25, dispatcher, dept, other_dept)
    assert queries_for(client, "/api/v1/cases?page_size=50") == few
