"""A department sees its own cases (a head: the subtree's) in every list, search, page and API answer, and nothing
else; a case outside one's scope does not exist (404)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases import queries
from fankui.cases.models import Case
from fankui.cases.services import moves
from tests import factories


def shows(page: str, case: Case) -> bool:
    """The list links to the case (its number may also be echoed in the search box)."""
    return f'href="/staff/cases/{case.pk}/"' in page


def dispatched_to(dispatcher: User, lead: Department, assists: list[Department] | None = None, **kwargs: str) -> Case:
    case = factories.case(**kwargs)
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, lead, assists or [])
    return case


@pytest.mark.django_db
def test_a_handler_does_not_see_another_departments_case_anywhere(
    dispatcher: User,
    outsider: User,
    dept: Department,
    page_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    theirs = dispatched_to(dispatcher, dept, body="路灯坏了，编号甲乙丙丁")
    client = page_for(outsider)
    for url in ("/staff/inbox/", "/staff/cases/", "/staff/triage/"):
        assert not shows(client.get(url).content.decode(), theirs)
    for q in ("甲乙丙丁", theirs.number, theirs.tracking_code, theirs.display_code):
        assert not shows(client.get("/staff/cases/", {"q": q}).content.decode(), theirs)
    assert client.get(f"/staff/cases/{theirs.pk}/").status_code == 404
    assert client.post(f"/staff/cases/{theirs.pk}/start/").status_code == 404
    assert client.get(f"/staff/cases/{theirs.pk}/start/").status_code == 404

    api = api_for(outsider)
    assert api.get("/api/v1/cases").json() == {"count": 0, "items": []}
    assert api.get("/api/v1/cases", {"q": theirs.tracking_code}).json()["count"] == 0
    response = api.get(f"/api/v1/cases/{theirs.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post(f"/api/v1/cases/{theirs.pk}/actions/start", content_type="application/json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "dispatched"


@pytest.mark.django_db
def test_a_handler_sees_and_finds_their_departments_case(
    dispatcher: User, handler: User, dept: Department, page_for: Callable[[User], Client]
) -> None:
    ours = dispatched_to(dispatcher, dept, body="路灯坏了，编号甲乙丙丁")
    client = page_for(handler)
    assert shows(client.get("/staff/inbox/").content.decode(), ours)
    for q in ("甲乙丙丁", ours.number, ours.display_code):
        assert shows(client.get("/staff/cases/", {"q": q}).content.decode(), ours)
    assert client.get(f"/staff/cases/{ours.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_department_head_sees_the_cases_of_units_below_but_not_above_or_beside(
    dispatcher: User,
    dept: Department,
    other_dept: Department,
    page_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    unit = factories.department("物业管理科", dept)
    head_of_unit = factories.user(Role.DEPT_HEAD, unit)
    head = factories.user(Role.DEPT_HEAD, dept)
    below = dispatched_to(dispatcher, unit)
    at_top = dispatched_to(dispatcher, dept)
    beside = dispatched_to(dispatcher, other_dept)

    page = page_for(head).get("/staff/inbox/").content.decode()
    assert shows(page, below) and shows(page, at_top) and not shows(page, beside)
    assert {c["id"] for c in api_for(head).get("/api/v1/cases").json()["items"]} == {below.pk, at_top.pk}

    page = page_for(head_of_unit).get("/staff/inbox/").content.decode()
    assert shows(page, below) and not shows(page, at_top)
    assert page_for(head_of_unit).get(f"/staff/cases/{at_top.pk}/").status_code == 404
    assert page_for(head).get(f"/staff/cases/{below.pk}/").status_code == 200


@pytest.mark.django_db
def test_an_assisting_department_sees_the_case_but_cannot_work_it(
    dispatcher: User,
    handler: User,
    outsider: User,
    dept: Department,
    other_dept: Department,
    page_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    case = dispatched_to(dispatcher, dept, [other_dept])
    moves.start(case, handler)
    client = page_for(outsider)

    inbox = client.get("/staff/inbox/").content.decode()
    assert shows(inbox, case) and "Assisting" in inbox
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f"/staff/cases/{case.pk}/reply/" not in page

    response = client.post(f"/staff/cases/{case.pk}/reply/", {"body": "我们来答复"})
    assert response.status_code == 403
    assert "You may not “Reply” this case." in response.content.decode()

    response = api_for(outsider).post(
        f"/api/v1/cases/{case.pk}/actions/reply", {"body": "我们来答复"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api_for(outsider).get(f"/api/v1/cases/{case.pk}").json()["available_actions"] == []
    case.refresh_from_db()
    assert case.state == "in_progress" and not case.replies.exists()


@pytest.mark.django_db
def test_the_lead_department_is_marked_as_lead_in_the_inbox(
    dispatcher: User, handler: User, dept: Department, page_for: Callable[[User], Client]
) -> None:
    dispatched_to(dispatcher, dept)
    page = page_for(handler).get("/staff/inbox/").content.decode()
    assert '<span class="badge lead">Lead</span>' in page


@pytest.mark.django_db
def test_the_scope_is_worked_out_once_per_list_not_once_per_case(
    dispatcher: User, handler: User, outsider: User, dept: Department, other_dept: Department
) -> None:
    """The assisting cases (and a head's subtree) are plain subqueries, `id IN (SELECT ...)`, which the database runs
    once; a correlated EXISTS in the OR was run for every case, three times the unscoped list's time on PostgreSQL
    (bench/README.md, `fankui bench security`). The same cases are seen."""
    lead, assisted = dispatched_to(dispatcher, dept), dispatched_to(dispatcher, other_dept, [dept])
    neither = dispatched_to(dispatcher, other_dept)
    head = factories.user(Role.DEPT_HEAD, dept)
    for user in (handler, head):
        scope = queries.visible_cases(user)
        assert "EXISTS" not in str(scope.query).upper()
        assert set(scope) == {lead, assisted}
    assert set(queries.visible_cases(outsider)) == {neither, assisted}
