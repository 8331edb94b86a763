"""Cases change only through the workflow: the admin shows them and offers no way to add, change or delete one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_cases_in_the_admin_but_cannot_add_change_or_delete_them(
    client_for: Callable[[User], Client],
) -> None:
    case = factories.case()
    admin = factories.user(Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200  # shown read-only
    assert client.get("/admin/cases/case/add/").status_code == 403
    assert client.post(f"/admin/cases/case/{case.pk}/change/", {"state": "closed"}).status_code == 403
    assert client.get(f"/admin/cases/case/{case.pk}/delete/").status_code == 403
