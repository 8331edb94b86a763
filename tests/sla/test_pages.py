"""The deadline panel, its forms, the board, the list column and the citizen's side, through the pages."""

from __future__ import annotations

from fankui.accounts.models import Department, User
from fankui.sla.models import Clock, Extension, InfoRequest, Supervision
from tests import factories

EN = {"Accept-Language": "en"}


def test_the_case_page_shows_time_left_and_the_handlers_forms(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    page = client_for(handler).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()  # type: ignore[operator]
    assert "Deadlines" in page and "left" in page
    assert "Ask for more time" in page and "Ask the submitter for more information" in page
    assert "Supervise this case" not in page


def test_lists_show_the_time_left(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department
) -> None:
    factories.case(kind="complaint")
    page = client_for(dispatcher).get("/staff/triage/", headers=EN).content.decode()  # type: ignore[operator]
    assert "Time left" in page and "sla green" in page


def test_asking_and_answering_through_the_pages(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department, client: object
) -> None:
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    staff = client_for(handler)  # type: ignore[operator]
    response = staff.post(f"/staff/sla/cases/{case.pk}/ask/", {"question": "请提供门牌号"}, headers=EN)
    assert response.status_code == 302
    assert Clock.objects.filter(case=case, paused_at__isnull=False).exists()
    track = client.get(f"/track/{case.tracking_code}/", headers=EN).content.decode()  # type: ignore[attr-defined]
    assert "We need more information from you" in track and "请提供门牌号" in track
    response = client.post(f"/track/{case.tracking_code}/answer/", {"answer": "3号楼"}, headers=EN)  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert InfoRequest.objects.get(case=case).answer == "3号楼"
    track = client.get(f"/track/{case.tracking_code}/", headers=EN).content.decode()  # type: ignore[attr-defined]
    assert "We will answer by 2026-12-03 17:30." in track


def test_a_refused_request_keeps_what_was_typed(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    staff = client_for(handler)  # type: ignore[operator]
    response = staff.post(f"/staff/sla/cases/{case.pk}/extension/", {"days": "99", "reason": "协调中"}, headers=EN)
    assert response.status_code == 422
    assert "协调中" in response.content.decode()
    staff.post(f"/staff/sla/cases/{case.pk}/extension/", {"days": "3", "reason": "协调中"}, headers=EN)
    response = staff.post(f"/staff/sla/cases/{case.pk}/extension/", {"days": "3", "reason": "再次"}, headers=EN)
    assert response.status_code == 409
    assert "already waiting for a decision" in response.content.decode()
    assert Extension.objects.filter(case=case).count() == 1


def test_supervisors_decide_and_flag_and_see_the_board(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department, supervisor: User
) -> None:
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    client_for(handler).post(f"/staff/sla/cases/{case.pk}/extension/", {"days": "3", "reason": "x"})  # type: ignore[operator]
    boss = client_for(supervisor)  # type: ignore[operator]
    board = boss.get("/staff/sla/board/", headers=EN).content.decode()
    assert "Extension requests waiting for a decision" in board
    extension = Extension.objects.get(case=case)
    response = boss.post(f"/staff/sla/cases/{case.pk}/extension/{extension.pk}/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    assert boss.post(f"/staff/sla/cases/{case.pk}/supervise/", {"instruction": "加快"}).status_code == 302
    assert Supervision.objects.get(case=case).active
    board = boss.get("/staff/sla/board/", headers=EN).content.decode()
    assert case.number in board and dept.name in board


def test_others_cannot_reach_a_case_they_do_not_see(
    policies: int, client_for: object, dispatcher: User, handler: User, dept: Department, other_dept: Department
) -> None:
    from fankui.accounts.models import Role

    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    outsider = client_for(factories.user(Role.HANDLER, other_dept))  # type: ignore[operator]
    assert outsider.post(f"/staff/sla/cases/{case.pk}/ask/", {"question": "x"}).status_code == 404
    assert outsider.post(f"/staff/sla/cases/{2**70}/ask/", {"question": "x"}).status_code == 404
    assert client_for(handler).post(f"/staff/sla/cases/{case.pk}/supervise/", {"instruction": "x"}).status_code == 403  # type: ignore[operator]
