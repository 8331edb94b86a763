"""A caller rings again: staff find their cases by the phone number, within their own scope, and the look is
recorded as a look at personal data."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from fankui.accounts.models import Department, User
from fankui.audit.models import Access
from fankui.cases.queries import phone_in
from fankui.cases.services import moves
from tests import factories


def _numbers(page: str) -> set[str]:
    return set(re.findall(r"\d{4}-\d{6}", page))


def test_a_mobile_number_finds_the_callers_cases_however_it_is_typed(
    dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    mine = factories.case(contact_phone="13912345678")
    factories.case(contact_phone="13800000000")
    client = page_for(dispatcher)
    for typed in ("13912345678", "139 1234 5678", "+86 139-1234-5678"):
        assert _numbers(client.get("/staff/cases/", {"q": typed}).content.decode()) == {mine.number}, typed


def test_a_landline_is_found_without_its_area_code(dispatcher: User, page_for: Callable[[User], Client]) -> None:
    case = factories.case(contact_phone="0731-84561234")
    assert _numbers(page_for(dispatcher).get("/staff/cases/", {"q": "84561234"}).content.decode()) == {case.number}


def test_an_anonymous_submission_is_not_found_by_a_number_it_did_not_keep(
    dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    factories.case(contact_phone="13912345678", anonymous=True)
    assert _numbers(page_for(dispatcher).get("/staff/cases/", {"q": "13912345678"}).content.decode()) == set()


def test_a_phone_search_never_reaches_outside_the_users_scope(
    dispatcher: User, handler: User, dept: Department, other_dept: Department, page_for: Callable[[User], Client]
) -> None:
    ours = factories.case(contact_phone="13912345678")
    theirs = factories.case(contact_phone="13912345678")
    for case, lead in ((ours, dept), (theirs, other_dept)):
        moves.accept(case, dispatcher)
        moves.dispatch(case, dispatcher, lead)
    page = page_for(handler).get("/staff/cases/", {"q": "13912345678"}).content.decode()
    assert _numbers(page) == {ours.number}


def test_each_case_found_by_phone_is_recorded_as_a_look_at_personal_data(
    dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    case = factories.case(contact_phone="13912345678")
    client = page_for(dispatcher)
    client.get("/staff/cases/", {"q": "13912345678"})
    assert list(Access.objects.values_list("user", "case", "what")) == [(dispatcher.pk, case.pk, "phone_search")]
    client.get("/staff/cases/", {"q": "路灯"})  # a text search is no look at anybody's number
    assert Access.objects.count() == 1


def test_what_counts_as_a_phone_search() -> None:
    assert phone_in(" 139-1234-5678 ") == "13912345678"
    assert phone_in("2026-000123") == ""  # a case number
    assert phone_in("12345") == "" and phone_in("路灯 138") == ""


def test_the_api_finds_by_phone_and_records_the_look_too(dispatcher: User, api_for: Callable[[User], Client]) -> None:
    case = factories.case(contact_phone="13912345678")
    answer = api_for(dispatcher).get("/api/v1/cases", {"q": "139 1234 5678"}).json()
    assert [item["number"] for item in answer["items"]] == [case.number]
    assert Access.objects.filter(case=case, what="phone_search", user=dispatcher).count() == 1
