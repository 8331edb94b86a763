"""An auditor searches the audit trail at /staff/audit/ (by who, case, kind and dates, a page at a time), sees no
contact data and works no case; the search is itself recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Entry
from fankui.audit.services import record_access, record_event, record_login
from fankui.cases.models import Case
from tests import factories


@pytest.fixture
def auditor(db: None) -> User:
    return factories.user(Role.AUDITOR)


@pytest.fixture
def trail(dispatcher: User, handler: User) -> Case:
    case = factories.case()
    record_event(case, "note", actor=dispatcher, message="内部备注")
    record_access(handler, case, "contact")
    record_login(handler, True, "10.1.2.3")
    return case


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_an_auditor_filters_by_who_case_kind_and_dates(
    auditor: User, trail: Case, handler: User, client_for: Callable[[User], Client]
) -> None:
    client = english(client_for(auditor))
    assert client.get("/staff/").url == "/staff/audit/"  # type: ignore[attr-defined]
    page = client.get("/staff/audit/").content.decode()
    assert "Audit trail" in page and "autofocus" in page
    by_handler = client.get("/staff/audit/", {"actor": handler.username}).content.decode()
    assert "10.1.2.3" not in by_handler  # an address is no column
    assert by_handler.count("<tr>") == 1 + 2  # the heading, the look and the sign-in
    by_case = client.get("/staff/audit/", {"case": trail.number, "kind": "contact"}).content.decode()
    assert trail.number in by_case and by_case.count("<tr>") == 2
    assert "内部备注" not in client.get("/staff/audit/", {"case": trail.number}).content.decode()
    empty = client.get("/staff/audit/", {"since": "2026-11-17"}).content.decode()
    assert "No records match." in empty
    refused = client.get("/staff/audit/", {"actor": "nobody-here", "since": "2026-11-17", "until": "2026-11-01"})
    assert "No user has this username." in refused.content.decode()
    assert "The end of the range is before its start." in refused.content.decode()


def test_the_search_is_recorded(auditor: User, trail: Case, client_for: Callable[[User], Client]) -> None:
    client_for(auditor).get("/staff/audit/", {"case": trail.number, "page": "1"})
    entry = Entry.objects.get(kind="audit_search")
    assert entry.actor == auditor
    assert entry.data["case"] == trail.number and entry.data["page"] == 1


def test_the_search_pages(
    auditor: User, dispatcher: User, client_for: Callable[[User], Client], settings: object
) -> None:
    settings.FANKUI_PAGE_SIZE = 2  # type: ignore[attr-defined]
    for n in range(5):
        record_login(dispatcher, True, f"10.0.0.{n}")
    client = english(client_for(auditor))
    first = client.get("/staff/audit/", {"actor": dispatcher.username, "kind": "login"}).content.decode()
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/staff/audit/", {"actor": dispatcher.username, "kind": "login", "page": "3"}).content.decode()
    assert last.count("<tr>") == 2


def test_only_auditors_and_administrators_search_it(
    dispatcher: User, supervisor: User, handler: User, client_for: Callable[[User], Client]
) -> None:
    for user in (dispatcher, supervisor, handler):
        assert client_for(user).get("/staff/audit/").status_code == 403
    assert client_for(factories.user(Role.ADMIN)).get("/staff/audit/").status_code == 200
    assert not Entry.objects.filter(kind="audit_search", actor__in=[dispatcher, supervisor, handler]).exists()


def test_an_auditor_sees_no_contact_and_works_no_case(
    auditor: User, trail: Case, dept: Department, client_for: Callable[[User], Client]
) -> None:
    assert not permissions.may_see_contact(auditor, trail)
    assert not permissions.may_read_text(auditor, trail)
    client = client_for(auditor)
    assert client.get(f"/staff/cases/{trail.pk}/").status_code == 404
    assert client.post(f"/staff/cases/{trail.pk}/accept/", {"note": "x"}).status_code == 404
    trail.refresh_from_db()
    assert trail.state == "received"
    assert trail.number not in client.get("/staff/cases/").content.decode()
