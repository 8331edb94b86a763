"""The staff API: the same actions as the pages, and JSON bodies for every refusal (401, 404, 409, 422)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import Action, State
from tests import factories

ApiFor = Callable[[User], Client]
CaseIn = Callable[[str], Case]


def act(client: Client, case: Case, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/cases/{case.pk}/actions/{action}", body or {}, content_type="application/json")


@pytest.mark.django_db
def test_the_documented_action_names_are_the_staff_actions() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    (action,) = [p for p in operation["parameters"] if p["name"] == "action"]
    # The URL's words are hyphenated (mark-spam); the actions' names have underscores (mark_spam).
    assert set(action["schema"]["enum"]) == {str(a).replace("_", "-") for a in moves.STAFF_ACTIONS}
    assert operation["security"] == [{"TokenAuth": []}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "role", "action", "body", "target"),
    [
        ("received", Role.DISPATCHER, "accept", {"note": "受理"}, State.ACCEPTED),
        ("accepted", Role.SUPERVISOR, "reject", {"reason": "重复投诉"}, State.REJECTED),
        ("dispatched", Role.HANDLER, "start", None, State.IN_PROGRESS),
        ("dispatched", Role.DEPT_HEAD, "return", {"reason": "非本部门职责"}, State.RETURNED),
        ("in_progress", Role.HANDLER, "reply", {"body": "已修复。"}, State.REPLIED),
        ("replied", Role.SUPERVISOR, "close", None, State.CLOSED),
        ("replied", Role.SUPERVISOR, "reopen", {"reason": "答复不实"}, State.REOPENED),
        ("reopened", Role.HANDLER, "start", None, State.IN_PROGRESS),
    ],
)
def test_an_action_through_the_api_moves_the_case_and_returns_it(
    state: str,
    role: str,
    action: str,
    body: dict[str, Any] | None,
    target: str,
    people: dict[str, User],
    case_in: CaseIn,
    api_for: ApiFor,
) -> None:
    case = case_in(state)
    response = act(api_for(people[role]), case, action, body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["id"] == case.pk and data["state"] == target
    assert data["timeline"][-1]["action"] == action
    case.refresh_from_db()
    assert case.state == target


@pytest.mark.django_db
def test_an_action_with_no_body_at_all_is_accepted(handler: User, case_in: CaseIn, api_for: ApiFor) -> None:
    case = case_in("dispatched")
    response = api_for(handler).generic("POST", f"/api/v1/cases/{case.pk}/actions/start", b"")
    assert response.status_code == 200 and response.json()["state"] == State.IN_PROGRESS


@pytest.mark.django_db
def test_dispatch_and_redispatch_take_department_ids(
    dispatcher: User, handler: User, dept: Department, other_dept: Department, api_for: ApiFor
) -> None:
    case = factories.case()
    client = api_for(dispatcher)
    act(client, case, "accept")
    response = act(client, case, "dispatch", {"lead_department": dept.pk, "assist_departments": [other_dept.pk]})
    assert response.status_code == 200
    data = response.json()
    assert data["lead_department"] == {"id": dept.pk, "name": dept.name}
    assert data["assist_departments"] == [{"id": other_dept.pk, "name": other_dept.name}]
    act(api_for(handler), case, "return", {"reason": "非本部门职责"})
    response = act(client, case, "redispatch", {"lead_department": other_dept.pk})
    assert response.status_code == 200 and response.json()["lead_department"]["id"] == other_dept.pk


@pytest.mark.django_db
def test_merge_takes_the_primarys_number_or_tracking_code(dispatcher: User, api_for: ApiFor) -> None:
    primary, first, second = factories.case(), factories.case(), factories.case()
    client = api_for(dispatcher)
    response = act(client, first, "merge", {"primary": primary.number})
    assert response.status_code == 200
    assert response.json()["merged_into"] == {"id": primary.pk, "number": primary.number, "state": "received"}
    assert act(client, second, "merge", {"primary": primary.tracking_code}).status_code == 200
    duplicates = client.get(f"/api/v1/cases/{primary.pk}").json()["duplicates"]
    assert [d["id"] for d in duplicates] == [first.pk, second.pk]


@pytest.mark.django_db
def test_missing_or_wrong_input_is_a_422_with_field_errors(
    dispatcher: User, handler: User, case_in: CaseIn, api_for: ApiFor
) -> None:
    case = case_in("accepted")
    client = api_for(dispatcher)
    cases = [
        ("dispatch", {}, "lead_department"),
        ("dispatch", {"lead_department": 999999}, "lead_department"),
        ("dispatch", {"lead_department": "abc"}, "lead_department"),
        ("dispatch", {"lead_department": 99999999999999999999999}, "lead_department"),
        ("dispatch", {"lead_department": None, "assist_departments": [-1]}, "assist_departments"),
        ("reject", {"reason": ""}, "reason"),
        ("merge", {"primary": "nonsense"}, "primary"),
    ]
    for action, body, field in cases:
        response = act(client, case, action, body)
        assert response.status_code == 422, (action, body)
        data = response.json()
        assert data["code"] == "validation_failed" and field in data["errors"], data
    response = act(api_for(handler), case_in("in_progress"), "reply", {"body": ""})
    assert response.status_code == 422 and response.json()["errors"] == {"body": ["Please write the reply."]}
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


@pytest.mark.django_db
def test_an_illegal_move_is_a_409_conflict(dispatcher: User, case_in: CaseIn, api_for: ApiFor) -> None:
    case = case_in("closed")
    response = act(api_for(dispatcher), case, "accept")
    assert response.status_code == 409
    assert response.json() == {"code": "conflict", "detail": "This case is “Closed”; “Accept” is not possible now."}


@pytest.mark.django_db
def test_a_role_that_may_not_act_gets_a_403(analyst: User, case_in: CaseIn, api_for: ApiFor) -> None:
    response = act(api_for(analyst), case_in("received"), "accept")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_an_unknown_action_is_refused_as_invalid(dispatcher: User, api_for: ApiFor) -> None:
    case = factories.case()
    for action in ("explode", "rate_satisfied"):
        response = act(api_for(dispatcher), case, action)
        assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    case.refresh_from_db()
    assert case.state == State.RECEIVED


@pytest.mark.django_db
def test_an_unknown_case_is_a_404_with_a_json_body(dispatcher: User, api_for: ApiFor) -> None:
    client = api_for(dispatcher)
    for path in ("/api/v1/cases/999999", "/api/v1/cases/99999999999999999999999", "/api/v1/cases/0"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "No such case."}
    response = client.post("/api/v1/cases/999999/actions/accept", {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/cases/1", "/api/v1/departments", "/api/v1/categories"])
def test_every_staff_endpoint_needs_a_token(path: str, dispatcher: User) -> None:
    factories.case()
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer fk_not-a-token"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}):
        response = Client(**headers).get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
    response = Client().post("/api/v1/cases/1/actions/accept", {}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_a_revoked_token_no_longer_works(dispatcher: User, api_for: ApiFor) -> None:
    client = api_for(dispatcher)
    assert client.get("/api/v1/cases").status_code == 200
    dispatcher.api_tokens.update(revoked_at=timezone.now())
    assert client.get("/api/v1/cases").status_code == 401


@pytest.mark.django_db
def test_the_detail_has_timeline_replies_ratings_contact_and_actions(
    dispatcher: User, handler: User, dept: Department, api_for: ApiFor
) -> None:
    from fankui.surveys.services import rate

    case = factories.case(contact_name="王女士", contact_phone="13800138000", address="幸福小区3栋")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.return_case(case, handler, "先退回")
    moves.dispatch(case, dispatcher, dept, action=Action.REDISPATCH)
    moves.start(case, handler)
    moves.reply(case, handler, "已修复。")
    rate(case, 4, "很快")

    data = api_for(handler).get(f"/api/v1/cases/{case.pk}").json()
    assert data["contact"] == {"name": "王女士", "phone": "13800138000", "email": "", "address": "幸福小区3栋"}
    assert Access.objects.filter(user=handler, case=case, what="contact").count() == 1
    assert [e["action"] for e in data["timeline"]] == [
        "receive", "accept", "dispatch", "return", "redispatch", "start", "reply", "rate_satisfied",
    ]  # fmt: skip
    assert [e["public"] for e in data["timeline"]][3] is False
    assert data["replies"][0]["body"] == "已修复。" and data["replies"][0]["department"]["id"] == dept.pk
    assert data["ratings"][0]["level"] == 4 and data["ratings"][0]["label"] == "Satisfied"
    assert data["state"] == "closed" and data["available_actions"] == []
    assert api_for(factories.user(Role.SUPERVISOR)).get(f"/api/v1/cases/{case.pk}").json()["available_actions"] == [
        "reopen"
    ]


@pytest.mark.django_db
def test_an_anonymous_submission_has_no_contact_and_no_access_is_recorded(dispatcher: User, api_for: ApiFor) -> None:
    case = factories.case(anonymous=True, contact_phone="13800138000")
    data = api_for(dispatcher).get(f"/api/v1/cases/{case.pk}").json()
    assert data["anonymous"] is True and data["contact"] is None
    assert not Access.objects.exists()
