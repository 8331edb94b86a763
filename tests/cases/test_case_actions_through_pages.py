"""Every action through its small form on the case page: POST, service, redirect with a message; refusals show the
message and keep what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases import services
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from tests import factories

PageFor = Callable[[User], Client]
CaseIn = Callable[[str], Case]


def act(client: Client, case: Case, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/staff/cases/{case.pk}/{action}/", data or {})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "role", "action", "data", "target"),
    [
        ("received", Role.DISPATCHER, "accept", {"note": "属实，受理"}, State.ACCEPTED),
        ("received", Role.SUPERVISOR, "reject", {"reason": "不属于受理范围"}, State.REJECTED),
        ("dispatched", Role.HANDLER, "start", {}, State.IN_PROGRESS),
        ("dispatched", Role.HANDLER, "return", {"reason": "非本部门职责"}, State.RETURNED),
        ("in_progress", Role.HANDLER, "reply", {"body": "已修复。"}, State.REPLIED),
        ("in_progress", Role.DEPT_HEAD, "return", {"reason": "应由区里办理"}, State.RETURNED),
        ("replied", Role.SUPERVISOR, "close", {"note": ""}, State.CLOSED),
        ("closed", Role.SUPERVISOR, "reopen", {"reason": "回访发现未修好"}, State.REOPENED),
        ("reopened", Role.HANDLER, "reply", {"body": "已再次修复。"}, State.REPLIED),
    ],
)
def test_an_action_through_its_form_moves_the_case_and_says_so(
    state: str,
    role: str,
    action: str,
    data: dict[str, Any],
    target: str,
    people: dict[str, User],
    case_in: CaseIn,
    page_for: PageFor,
) -> None:
    case = case_in(state)
    client = page_for(people[role])
    assert f'action="/staff/cases/{case.pk}/{action}/"' in client.get(f"/staff/cases/{case.pk}/").content.decode()
    response = act(client, case, action, data)
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == target
    event = case.events.order_by("-id").first()
    assert event is not None and event.action == action and event.actor == people[role]
    page = client.get(response["Location"]).content.decode()
    assert 'class="message success"' in page


@pytest.mark.django_db
def test_dispatch_preselects_the_usual_department_and_sets_lead_and_assistants(
    dispatcher: User, dept: Department, other_dept: Department, page_for: PageFor
) -> None:
    category = factories.category("路灯", department=dept)
    case = factories.case(category=category.pk)
    moves.accept(case, dispatcher)
    client = page_for(dispatcher)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f'<option value="{dept.pk}" selected>' in page

    response = act(
        client, case, "dispatch", {"lead_department": dept.pk, "assist_departments": [other_dept.pk], "note": "请办理"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department == dept
    assert list(case.assist_departments.all()) == [other_dept]


@pytest.mark.django_db
def test_a_returned_case_is_dispatched_again_elsewhere(
    dispatcher: User, other_dept: Department, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("returned")
    response = act(page_for(dispatcher), case, "redispatch", {"lead_department": other_dept.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department == other_dept


@pytest.mark.django_db
def test_dispatch_without_a_lead_shows_the_error_beside_the_field_and_keeps_the_note(
    dispatcher: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("accepted")
    response = act(page_for(dispatcher), case, "dispatch", {"lead_department": "", "note": "请尽快处理此事"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose the lead department." in page
    assert "请尽快处理此事</textarea>" in page
    assert '<details class="action" open>' in page
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


@pytest.mark.django_db
def test_an_unknown_department_is_refused_not_a_crash(dispatcher: User, case_in: CaseIn, page_for: PageFor) -> None:
    case = case_in("accepted")
    for lead in ("abc", "999999", "99999999999999999999999"):
        response = act(page_for(dispatcher), case, "dispatch", {"lead_department": lead})
        assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), [("received", "reject"), ("dispatched", "return"), ("closed", "reopen")])
def test_a_reason_is_required_and_the_form_comes_back(
    state: str, action: str, people: dict[str, User], case_in: CaseIn, page_for: PageFor
) -> None:
    role = {"reject": Role.DISPATCHER, "return": Role.HANDLER, "reopen": Role.SUPERVISOR}[action]
    case = case_in(state)
    response = act(page_for(people[role]), case, action, {"reason": "   "})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please give a reason." in page and 'class="message error"' in page
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.django_db
def test_the_reply_composer_quotes_the_submitter_and_keeps_a_refused_reply(
    handler: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("in_progress")
    client = page_for(handler)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "The submitter wrote:" in page and case.submission.body in page

    too_long = "修" * (services.MAX_TEXT + 1)
    response = act(client, case, "reply", {"body": too_long})
    assert response.status_code == 422
    assert too_long + "</textarea>" in response.content.decode()
    response = act(client, case, "reply", {"body": " "})
    assert "Please write the reply." in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and not case.replies.exists()


@pytest.mark.django_db
def test_a_reply_to_a_case_taken_away_meanwhile_is_refused_but_its_text_is_kept(
    handler: User, dept_head: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("in_progress")
    client = page_for(handler)
    moves.return_case(case, dept_head, "转区里")  # while the handler was still typing
    response = act(client, case, "reply", {"body": "我写了很久的答复"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "is not possible now" in page
    assert "我写了很久的答复</textarea>" in page
    case.refresh_from_db()
    assert case.state == State.RETURNED


@pytest.mark.django_db
def test_merge_finds_the_primary_by_number_or_tracking_code(dispatcher: User, page_for: PageFor) -> None:
    client = page_for(dispatcher)
    primary, first, second = factories.case(), factories.case(), factories.case()
    assert act(client, first, "merge", {"primary": primary.number}).status_code == 302
    assert act(client, second, "merge", {"primary": primary.display_code.lower()}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into == primary and second.merged_into == primary
    page = client.get(f"/staff/cases/{primary.pk}/").content.decode()
    assert f'href="/staff/cases/{first.pk}/"' in page and f'href="/staff/cases/{second.pk}/"' in page
    page = client.get(f"/staff/cases/{first.pk}/").content.decode()
    assert f'href="/staff/cases/{primary.pk}/"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("primary", "message"),
    [
        ("", "Give the number or tracking code of the primary case."),
        ("2026-999999", "No case has the number or tracking code “2026-999999”."),
        ("SELF", "A case cannot be merged into itself."),
    ],
)
def test_merge_refuses_a_missing_unknown_or_same_primary(
    primary: str, message: str, dispatcher: User, page_for: PageFor
) -> None:
    case = factories.case()
    response = act(page_for(dispatcher), case, "merge", {"primary": case.number if primary == "SELF" else primary})
    assert response.status_code == 422
    assert message in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED


@pytest.mark.django_db
def test_a_move_not_possible_in_this_state_is_refused_with_a_message(
    dispatcher: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("closed")
    client = page_for(dispatcher)
    assert 'action="/staff/cases/' not in client.get(f"/staff/cases/{case.pk}/").content.decode()
    response = act(client, case, "accept")
    assert response.status_code == 409
    assert "This case is “Closed”; “Accept” is not possible now." in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.CLOSED


@pytest.mark.django_db
def test_a_role_that_may_not_act_is_refused_with_a_message(
    analyst: User, handler: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("received")
    response = act(page_for(analyst), case, "accept")
    assert response.status_code == 403
    assert "You may not “Accept” this case." in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED


@pytest.mark.django_db
def test_only_the_actions_of_this_user_in_this_state_are_offered(
    dispatcher: User, handler: User, supervisor: User, analyst: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("replied")

    def offered(user: User) -> set[str]:
        page = page_for(user).get(f"/staff/cases/{case.pk}/").content.decode()
        return {a for a in moves.STAFF_ACTIONS if f'action="/staff/cases/{case.pk}/{a}/"' in page}

    assert offered(supervisor) == {"close", "reopen"}
    assert offered(dispatcher) == set()
    assert offered(handler) == set()
    assert offered(analyst) == set()


@pytest.mark.django_db
def test_opening_an_action_address_leads_back_to_the_case(dispatcher: User, page_for: PageFor) -> None:
    case = factories.case()
    response = page_for(dispatcher).get(f"/staff/cases/{case.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == State.RECEIVED


@pytest.mark.django_db
def test_an_unknown_action_or_case_is_not_found(dispatcher: User, page_for: PageFor) -> None:
    case = factories.case()
    client = page_for(dispatcher)
    assert act(client, case, "rate_satisfied").status_code == 404
    assert act(client, case, "explode").status_code == 404
    assert client.post("/staff/cases/999999/accept/").status_code == 404
    assert client.get("/staff/cases/99999999999999999999999999/").status_code == 404


@pytest.mark.django_db
def test_action_forms_are_protected_against_cross_site_posts(dispatcher: User) -> None:
    case = factories.case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 3  # accept, reject, merge (and the language switch)
    assert client.post(f"/staff/cases/{case.pk}/accept/").status_code == 403
    case.refresh_from_db()
    assert case.state == State.RECEIVED
