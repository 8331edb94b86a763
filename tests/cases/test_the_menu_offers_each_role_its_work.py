"""The staff menu: triage for the people who triage; the notification count readable on the red header."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from fankui.accounts.models import Role, User
from fankui.notify.services import notify_staff


def test_triage_is_offered_to_dispatchers_supervisors_and_administrators_only(
    people: dict[str, User], page_for: Callable[[User], Client]
) -> None:
    for role, user in people.items():
        page = page_for(user).get("/staff/cases/").content.decode()
        offered = 'href="/staff/triage/"' in page
        assert offered == (role in (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)), role


def test_a_department_opening_triage_lands_on_its_inbox(handler: User, page_for: Callable[[User], Client]) -> None:
    response = page_for(handler).get("/staff/triage/")
    assert response.status_code == 302 and response["Location"] == "/staff/inbox/"


def test_the_unread_count_has_the_headers_own_badge(handler: User, page_for: Callable[[User], Client]) -> None:
    notify_staff([handler], "s", "b", key="k")
    page = page_for(handler).get("/staff/inbox/").content.decode()
    assert '<span class="badge count">1</span>' in page
