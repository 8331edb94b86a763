from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from tests import factories

HOME = {
    Role.DISPATCHER: "/staff/triage/",
    Role.SUPERVISOR: "/staff/triage/",
    Role.HANDLER: "/staff/inbox/",
    Role.DEPT_HEAD: "/staff/inbox/",
    Role.ANALYST: "/staff/cases/",
    Role.ADMIN: "/staff/cases/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOME))
def test_home_sends_each_role_to_its_work(role: str, people: dict[str, User], page_for: Callable) -> None:
    assert page_for(people[role]).get("/staff/")["Location"] == HOME[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOME))
@pytest.mark.parametrize("state", ["received", "dispatched", "in_progress", "replied", "closed", "merged"])
def test_every_page_renders_for_every_role(
    role: str, state: str, people: dict[str, User], page_for: Callable[[User], Client], case_in: Callable[[str], Case]
) -> None:
    case = case_in(state)
    client = page_for(people[role])
    for url in ("/staff/triage/", "/staff/inbox/", "/staff/cases/"):
        # Triage is not a department's work: handlers and heads land on their inbox.
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert "Sign out" in response.content.decode()
    response = client.get(f"/staff/cases/{case.pk}/")
    # Received and merged cases have no lead department yet, so no department sees them.
    visible = role not in (Role.HANDLER, Role.DEPT_HEAD) or state not in ("received", "merged")
    assert response.status_code == (200 if visible else 404)


@pytest.mark.django_db
def test_the_admin_link_is_shown_to_administrators_only(
    admin: User, dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    assert 'href="/admin/"' in page_for(admin).get("/staff/cases/").content.decode()
    assert 'href="/admin/"' not in page_for(dispatcher).get("/staff/cases/").content.decode()


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_so_politely(page_for: Callable[[User], Client]) -> None:
    nobody = User.objects.create_user("nobody", password=factories.PASSWORD)
    client = page_for(nobody)
    for url in ("/staff/", "/staff/triage/", "/staff/inbox/", "/staff/cases/", "/staff/cases/1/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "has no role in Fankui yet" in response.content.decode()


@pytest.mark.django_db
def test_staff_pages_ask_a_stranger_to_sign_in(case_in: Callable[[str], Case]) -> None:
    case = case_in("received")
    for url in ("/staff/", "/staff/triage/", "/staff/inbox/", "/staff/cases/", f"/staff/cases/{case.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert Client().post(f"/staff/cases/{case.pk}/accept/").status_code == 302
    case.refresh_from_db()
    assert case.state == "received"
