"""A 举报 (report) protects the person who reports above all (issue 14, defect 1): the department it is dispatched to
read the reporter's name, phone, e-mail and address on the case page and through ``GET /api/v1/cases/{id}``. Now the
reporter is hidden from the handling department; the 12345 centre (dispatchers, supervisors) still sees them, and
each of its looks is recorded as a look at a reporter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.services.classification import reclassify
from fankui.core.vocab import Kind
from tests import factories

pytestmark = pytest.mark.django_db

REPORTER = {
    "contact_name": "李举报",
    "contact_phone": "13912345678",
    "contact_email": "whistle@example.cn",
    "address": "青山镇幸福路8号",
}
EN = {"Accept-Language": "en"}


def _report(dispatcher: User, dept: Department) -> Case:
    case = factories.case(
        "青山镇某所长收受贿赂，我叫李举报，电话13912345678，请核查。", title="举报受贿", kind=Kind.REPORT, **REPORTER
    )
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    return case


def _shows_reporter(text: str) -> bool:
    return any(value in text for value in REPORTER.values())


def test_the_handling_department_does_not_see_who_reported(
    dispatcher: User,
    handler: User,
    dept: Department,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    case = _report(dispatcher, dept)
    head = factories.user(Role.DEPT_HEAD, dept)
    for person in (handler, head):
        page = client_for(person).get(f"/staff/cases/{case.pk}/", headers=EN)
        assert page.status_code == 200
        html = page.content.decode()
        assert not _shows_reporter(html)
        assert "the reporter is protected" in html
        assert "收受贿赂" in html  # the facts are the department's to investigate

        detail = api_for(person).get(f"/api/v1/cases/{case.pk}").json()
        assert detail["contact"] is None and detail["address"] == "" and detail["text_masked"] is True
        assert not _shows_reporter(str(detail))
    assert not Access.objects.filter(case=case).exists()


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SUPERVISOR])
def test_the_centre_sees_the_reporter_and_each_look_is_recorded(
    dispatcher: User,
    dept: Department,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
    role: str,
) -> None:
    case = _report(dispatcher, dept)
    centre = factories.user(role)

    html = client_for(centre).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert all(value in html for value in REPORTER.values())
    detail = api_for(centre).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["contact"] == {
        "name": REPORTER["contact_name"],
        "phone": REPORTER["contact_phone"],
        "email": REPORTER["contact_email"],
        "address": REPORTER["address"],
    }
    looks = list(Access.objects.filter(case=case, user=centre).values_list("what", flat=True))
    assert looks.count("reporter") == 2  # the page and the API, each a look at a reporter's identity


def test_a_report_stays_protected_when_staff_reclassify_it(
    dispatcher: User, handler: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    case = _report(dispatcher, dept)
    reclassify(case, kind=Kind.COMPLAINT, user=dispatcher)
    html = client_for(handler).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert not _shows_reporter(html)


def test_a_complaint_shows_its_contact_to_the_lead_department(
    dispatcher: User, handler: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    case = factories.case("楼下餐馆油烟很大。", kind=Kind.COMPLAINT, **REPORTER)
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    html = client_for(handler).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert all(value in html for value in REPORTER.values())
    assert list(Access.objects.filter(case=case, user=handler).values_list("what", flat=True)) == ["contact"]


def test_a_search_by_the_reporters_number_does_not_name_the_reporter(
    dispatcher: User,
    handler: User,
    dept: Department,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    case = _report(dispatcher, dept)
    phone = REPORTER["contact_phone"]
    assert api_for(handler).get("/api/v1/cases", {"q": phone}).json()["count"] == 0
    assert case.number not in client_for(handler).get("/staff/cases/", {"q": phone}, headers=EN).content.decode()
    assert not Access.objects.filter(user=handler).exists()

    assert [i["number"] for i in api_for(dispatcher).get("/api/v1/cases", {"q": phone}).json()["items"]] == [
        case.number
    ]
