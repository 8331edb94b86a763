from __future__ import annotations

from typing import Any

import pytest

from fankui.accounts.models import Department, Role, User
from fankui.notify import services as notify
from tests import factories

from .conftest import make_action


@pytest.mark.parametrize(
    "url",
    [
        "/admin/actions/action/",
        "/admin/actions/actionevent/",
        "/admin/actions/broadcast/",
        "/admin/notify/message/",
        "/admin/notify/contact/",
    ],
)
def test_admin_lists_open(url: str, analyst: User, owner: User, dept: Department, client_for: Any) -> None:
    make_action(analyst, owner, dept)
    notify.notify_staff([owner], "s", "b", key="k")
    admin = factories.user(Role.ADMIN, dept)
    assert client_for(admin).get(url).status_code == 200


def test_the_action_change_page_opens(analyst: User, owner: User, dept: Department, client_for: Any) -> None:
    action = make_action(analyst, owner, dept)
    admin = factories.user(Role.ADMIN, dept)
    assert client_for(admin).get(f"/admin/actions/action/{action.pk}/change/").status_code == 200
