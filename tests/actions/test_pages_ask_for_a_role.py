"""The actions' pages and the staff notifications are staff pages like the others (accounts.views.staff_required):
signed in without a role, one is told to ask for one; a role that does not create actions gets the site's 403
page, not the "no role yet" page."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from tests import factories


@pytest.mark.parametrize("url", ["/staff/actions/", "/staff/actions/new/", "/staff/notifications/"])
def test_a_user_without_a_role_is_asked_to_get_one(db: None, url: str) -> None:
    client = Client()
    client.force_login(User.objects.create_user("nobody", password=factories.PASSWORD))
    response = client.get(url)
    assert response.status_code == 403
    assert "accounts/forbidden.html" in [t.name for t in response.templates]


def test_a_handler_may_not_create_actions_and_is_not_told_they_have_no_role(dept: Department) -> None:
    client = Client()
    client.force_login(factories.user(Role.HANDLER, dept))
    response = client.get("/staff/actions/new/")
    assert response.status_code == 403
    assert not [t.name for t in response.templates if t.name and t.name.endswith("/forbidden.html")]
